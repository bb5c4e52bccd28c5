"""Mixité indicators: per EPCI and, for DALO / priority households, per réservataire, scoped to the user."""

import pytest
from django.urls import reverse

from flux.services.indicateurs import attributions_visibles, prioritaires_par_reservataire
from tests.conventions import factories as conv
from tests.flux import world_bilan as wb


@pytest.fixture
def conventions(bailleur, als, prefet, alice):
    c_als = conv.brouillon(bailleur, als, alice)
    c_prefet = conv.brouillon(bailleur, prefet, alice)
    b = bailleur
    for i, dalo in enumerate([True, False, False, False]):  # ALS: 1 of 4 = 25 %
        wb.attribuer(wb.orientation(c_als, wb.logement(b, f"059100000{i}"), 2025), dalo=dalo)
    for i, prioritaire in enumerate([False, False, True]):  # préfet: 1 of 3 = 33.3 %
        wb.attribuer(wb.orientation(c_prefet, wb.logement(b, f"059200000{i}"), 2025), prioritaire=prioritaire)
    wb.attribuer(wb.orientation(c_prefet, wb.logement(b, "0592000009"), 2025), "refus_candidat", dalo=True)
    return c_als, c_prefet


def test_part_dalo_ou_prioritaires_par_reservataire(conventions, alice, bob):
    lignes = {r["reservataire"]: r for r in prioritaires_par_reservataire(attributions_visibles(alice), 2025)}
    als, prefet = lignes["Action Logement Services HdF (test)"], lignes["Préfet du Nord (test)"]
    assert (als["attributions"], als["dalo"], als["indicateur"]["part"], als["indicateur"]["atteint"]) == (
        4, 1, 25.0, True,
    )  # fmt: skip
    assert (prefet["attributions"], prefet["indicateur"]["part"], prefet["indicateur"]["atteint"]) == (3, 33.3, True)
    # The réservataire sees only its own attributions.
    assert [r["reservataire"] for r in prioritaires_par_reservataire(attributions_visibles(bob), 2025)] == [
        "Action Logement Services HdF (test)"
    ]


def test_page_des_indicateurs_avec_seuils(client, conventions, alice, settings):
    settings.FLUX_SEUIL_PRIORITAIRES = 30
    client.force_login(alice)
    contenu = client.get(reverse("flux:indicateurs_mixite"), {"annee": 2025, "departement": "59"}).content.decode()
    assert "Métropole Européenne de Lille" in contenu
    assert "≥ 30 %" in contenu and "≥ 25 %" in contenu and "≥ 50 %" in contenu
    assert "33,3 %" in contenu and "Non atteint" in contenu
    vide = client.get(reverse("flux:indicateurs_mixite"), {"annee": 2025, "departement": "62"}).content.decode()
    assert "Métropole Européenne de Lille" not in vide


def test_api_des_indicateurs(conventions, alice, api_client_for):
    api = api_client_for(alice)
    reponse = api.get("/api/v1/indicateurs-mixite/", {"annee": 2025, "departement": "59"})
    assert reponse.status_code == 200
    corps = reponse.json()
    assert corps["annee"] == 2025 and corps["epci"][0]["epci_id"] == "200093201"
    assert corps["epci"][0]["attributions"] == 7
    assert {r["reservataire"]: r["indicateur"]["part"] for r in corps["reservataires"]} == {
        "Action Logement Services HdF (test)": 25.0,
        "Préfet du Nord (test)": 33.3,
    }
    assert api.get("/api/v1/indicateurs-mixite/", {"annee": "x"}).status_code == 400
