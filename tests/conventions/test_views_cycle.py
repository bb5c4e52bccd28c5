"""The later life of a convention through the pages and the API: reopen, avenant, résiliation, clause order."""

from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from conventions import selectors, workflow
from conventions.models import Statut
from tests.conventions import factories as conv

pytestmark = pytest.mark.django_db

API = "/api/v1/conventions/"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name, convention):
    return reverse(f"conventions:{name}", kwargs={"pk": convention.pk})


def signed(bailleur, als, alice, bob):
    """A signed convention. Signatures belong to conventions.signature: the transitions stand in for them."""
    convention = conv.validee(bailleur, als, alice, bob)
    with transaction.atomic():
        workflow.perform(convention, "lancer_signature", by=alice, message="Signature lancée.")
        workflow.perform(convention, "finaliser", message="Signée.", version_en_vigueur=convention.version_courante)
    convention.refresh_from_db()
    return convention


def test_a_validated_convention_is_reopened_with_a_reason_through_the_page(alice, bob, bailleur, als):
    convention = conv.validee(bailleur, als, alice, bob)
    client = login(bob)
    assert "Rouvrir la négociation" in client.get(url("convention_detail", convention)).content.decode()
    response = client.post(url("reopen", convention), {"motif": "Délais à revoir"}, follow=True)
    assert "Négociation rouverte" in response.content.decode()
    convention.refresh_from_db()
    assert convention.statut == Statut.EN_NEGOCIATION
    assert convention.evenements.filter(message__contains="Motif : Délais à revoir").exists()


def test_an_avenant_is_opened_edited_and_abandoned_through_the_pages(alice, bob, bailleur, als):
    convention = signed(bailleur, als, alice, bob)
    client = login(alice)
    page = client.get(url("convention_detail", convention)).content.decode()
    assert "Préparer un avenant" in page and "Version 1" in page
    response = client.post(url("avenant_open", convention))
    assert response.status_code == 302 and response["Location"] == url("draft_edit", convention)
    page = client.get(url("draft_edit", convention)).content.decode()
    assert "avenant n° 1" in page
    convention.refresh_from_db()
    assert convention.statut == Statut.AVENANT_EN_COURS
    response = client.post(url("avenant_abandon", convention), {"motif": "Inutile"}, follow=True)
    assert "Avenant abandonné" in response.content.decode()
    convention.refresh_from_db()
    assert convention.statut == Statut.SIGNEE and selectors.brouillon_de(convention) is None


def test_termination_needs_a_reason_and_the_right_role(alice, bob, bob_admin, alice_signataire, bailleur, als):
    convention = signed(bailleur, als, alice, bob)
    # A signataire may résilier (CCH R.441-5-2 IV for the préfet): the button is there for her, not for alice.
    assert (
        "Résilier la convention" in login(alice_signataire).get(url("convention_detail", convention)).content.decode()
    )
    assert "Résilier la convention" not in login(alice).get(url("convention_detail", convention)).content.decode()
    assert login(alice).post(url("terminate", convention), {"motif": "x"}).status_code == 403
    client = login(bob_admin)
    response = client.post(url("terminate", convention), {"motif": ""}, follow=True)
    assert "Indiquez le motif de la résiliation" in response.content.decode()
    client.post(url("terminate", convention), {"motif": "Manquements répétés", "date_effet": "2027-03-01"})
    convention.refresh_from_db()
    assert convention.statut == Statut.RESILIEE
    assert convention.evenements.filter(message__contains="résiliée à compter du 01/03/2027").exists()


def test_the_later_life_through_the_api(api_client_for, alice, bob, bob_admin, bailleur, als):
    convention = signed(bailleur, als, alice, bob)
    a = api_client_for(alice)
    draft = a.post(f"{API}{convention.pk}/avenant/")
    assert draft.status_code == 201 and draft.json()["avenant_numero"] == 1
    response = a.patch(
        f"{API}{convention.pk}/versions/{draft.json()['id']}/",
        {"lock_version": draft.json()["lock_version"], "part_flux_pct": "27"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["part_flux_pct"] == "27.00"
    assert a.post(f"{API}{convention.pk}/abandonner-avenant/", {"motif": "Plus tard"}).json()["statut"] == "signee"
    refused = api_client_for(bob).post(f"{API}{convention.pk}/resilier/", {"motif": "x"})
    assert refused.status_code == 403
    missing = api_client_for(bob_admin).post(f"{API}{convention.pk}/resilier/", {})
    assert missing.status_code == 400 and missing.json()["motif"] == ["Ce champ est obligatoire."]
    done = api_client_for(bob_admin).post(f"{API}{convention.pk}/resilier/", {"motif": "Manquements"})
    assert done.status_code == 200 and done.json()["statut"] == "resiliee"


def test_reopen_through_the_api_withdraws_the_approvals(api_client_for, alice, bob, bailleur, als):
    convention = conv.validee(bailleur, als, alice, bob)
    response = api_client_for(alice).post(f"{API}{convention.pk}/rouvrir/", {"motif": "Erreur"})
    assert response.status_code == 200 and response.json()["statut"] == "en_negociation"
    assert selectors.approbations_actives(convention.version_courante) == {}


def test_clauses_are_saved_in_the_submitted_order_and_can_be_removed(alice, bailleur, als):
    from tests.conventions.test_views import edit_payload

    convention = conv.brouillon(bailleur, als, alice, terms={"part_flux_pct": Decimal(20)})
    client = login(alice)
    data = edit_payload(client, convention, action="enregistrer")
    # Move the second clause first, delete the third, add a new one at the end.
    data["clauses-0-ORDER"], data["clauses-1-ORDER"] = "2", "1"
    data["clauses-2-DELETE"] = "on"
    total = int(data["clauses-TOTAL_FORMS"])
    data.update(
        {
            "clauses-TOTAL_FORMS": str(total + 1),
            f"clauses-{total}-titre": "Comité de suivi",
            f"clauses-{total}-texte": "<p>Il se réunit <em>deux fois</em> par an.</p>",
            f"clauses-{total}-ORDER": str(total + 1),
        }
    )
    assert client.post(url("draft_edit", convention), data).status_code == 302
    cles = list(selectors.brouillon_de(convention).clauses.values_list("cle", flat=True))
    assert cles[:2] == ["assiette", "objet"]
    assert "volume" not in cles and cles[-1] == "comite-de-suivi"
    assert selectors.brouillon_de(convention).clauses.get(cle="comite-de-suivi").texte == (
        "<p>Il se réunit <em>deux fois</em> par an.</p>"
    )
