"""Main navigation: grouped entries become dropdown menus so the bar fits on one line."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from core import context_processors, nav


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(nav, "_items", {})
    nav.register("Tableau de bord", "pilotage:tableau_de_bord", order=10)
    nav.register("Synthèse", "flux:synthese", order=32, group="Patrimoine")
    nav.register("Patrimoine", "flux:patrimoine_list", order=30, group="Patrimoine")
    nav.register("Organisations", "reservataires:organisation_list", order=90)
    nav.register("Conventions", "conventions:convention_list", order=20)
    nav.register("Inconnu", "nulle:part", order=25, group="Patrimoine")


def nav_items(path, user):
    request = RequestFactory().get(path)
    request.user = user
    return context_processors.platform(request)["nav_items"]


def test_a_group_becomes_one_entry_at_the_place_of_its_first_item(registry, django_user_model):
    items = nav_items("/", django_user_model(email="x@exemple.fr"))
    assert [item["label"] for item in items] == ["Tableau de bord", "Conventions", "Patrimoine", "Organisations"]
    groupe = items[2]
    assert [child["label"] for child in groupe["children"]] == ["Patrimoine", "Synthèse"]
    assert [child["url"] for child in groupe["children"]] == [reverse("flux:patrimoine_list"), reverse("flux:synthese")]
    assert "url" not in groupe
    assert items[0] == {"label": "Tableau de bord", "url": reverse("pilotage:tableau_de_bord"), "active": False}


def test_a_group_is_active_when_one_of_its_items_is(registry, django_user_model):
    items = nav_items(reverse("flux:synthese") + "?annee=2025", django_user_model(email="x@exemple.fr"))
    groupe = next(item for item in items if item["label"] == "Patrimoine")
    assert groupe["active"] is True
    assert [child["active"] for child in groupe["children"]] == [False, True]
    assert not any(item["active"] for item in items if item is not groupe)


def test_an_anonymous_visitor_gets_no_navigation(registry):
    assert nav_items("/", AnonymousUser()) == []


def test_the_real_navigation_groups_flux_pages_into_three_menus(django_user_model):
    items = nav_items("/", django_user_model(email="x@exemple.fr"))
    assert [item["label"] for item in items] == [
        "Tableau de bord",
        "Conventions",
        "Patrimoine",
        "Flux",
        "Bilans",
        "Organisations",
    ]
    menus = {item["label"]: [child["label"] for child in item["children"]] for item in items if "children" in item}
    assert menus == {
        "Patrimoine": ["Patrimoine", "État des lieux", "Synthèse"],
        "Flux": ["Flux annuel", "Revue des objectifs", "Orientations"],
        "Bilans": ["Bilans", "Indicateurs de mixité"],
    }


@pytest.mark.django_db
def test_a_logged_in_page_renders_the_dropdown_with_its_links(client_for, alice):
    content = client_for(alice).get(reverse("flux:synthese")).content.decode()
    assert '<li class="nav-item dropdown">' in content
    assert (
        '<a class="nav-link dropdown-toggle active" href="#" role="button" data-bs-toggle="dropdown"'
        ' aria-expanded="false">Patrimoine</a>'
    ) in content
    assert f'<a class="dropdown-item" href="{reverse("flux:stock_list")}">État des lieux</a>' in content
    assert (
        f'<a class="dropdown-item active" href="{reverse("flux:synthese")}" aria-current="page">Synthèse</a>'
    ) in content
    assert f'<a class="dropdown-item" href="{reverse("flux:orientation_list")}">Orientations</a>' in content
    assert content.count('aria-current="page"') == 1
    assert ">Tâches</a>" in content
