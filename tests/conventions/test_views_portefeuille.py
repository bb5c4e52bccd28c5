"""Rule checks over all conventions of a bailleur in a département, in the page and the API."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.conventions import factories as conv

pytestmark = pytest.mark.django_db


def test_the_portfolio_page_adds_up_the_shares_and_flags_the_excess(client_for, alice, bailleur, als, prefet):
    conv.transmise(bailleur, prefet, alice, terms={"part_flux_pct": Decimal(30)})
    conv.brouillon(bailleur, als, alice, terms={"part_flux_pct": Decimal(75)})
    page = client_for(alice).get(reverse("conventions:portefeuille"), {"bailleur": bailleur.pk, "departement": "59"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "105 %" in text and "au-delà de 100 %" in text
    assert "règles bloquantes" in text or "règle bloquante" in text


def test_the_portfolio_is_for_the_bailleurs_own_members(client_for, bob, charlie, alice, bailleur, als):
    conv.brouillon(bailleur, als, alice, terms={"part_flux_pct": Decimal(17)})
    page = client_for(bob).get(reverse("conventions:portefeuille"), {"bailleur": bailleur.pk, "departement": "59"})
    assert "réservé aux membres d'un bailleur" in page.content.decode()
    page = client_for(charlie).get(reverse("conventions:portefeuille"), {"bailleur": bailleur.pk, "departement": "59"})
    assert "17 %" not in page.content.decode() and "Habitat Alice" not in page.content.decode()


def test_the_portfolio_through_the_api(api_client_for, alice, charlie, bailleur, als, prefet):
    c1 = conv.transmise(bailleur, prefet, alice, terms={"part_flux_pct": Decimal(30)})
    conv.brouillon(bailleur, als, alice, terms={"part_flux_pct": Decimal(75)})
    path = "/api/v1/conventions/portefeuille/"
    data = api_client_for(alice).get(path, {"bailleur": bailleur.pk, "departement": "59"}).json()
    assert data["approbation_possible_partout"] is False
    rows = {r["convention"]: r for r in data["conventions"]}
    assert rows[c1.pk]["part_flux_pct"] == "30.00"
    assert any(v["code"] == "total_reservataires" for v in rows[c1.pk]["bloquantes"])
    assert api_client_for(charlie).get(path, {"bailleur": bailleur.pk, "departement": "59"}).status_code == 404
    assert api_client_for(alice).get(path).status_code == 400
