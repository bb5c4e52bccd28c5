"""Revue des objectifs par EPCI: a réservataire's objectives across bailleurs, allocations, targets."""

import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from conventions.models import Statut
from flux.models import CibleReservataire
from flux.selectors_revue import revue_objectifs
from reservataires.models import Role
from tests import factories
from tests.flux import world_revue as w

pytestmark = pytest.mark.django_db
ANNEE = datetime.date.today().year


@pytest.fixture
def deux_epci(db):
    return w.epcis("59", 2)


@pytest.fixture
def monde(bailleur, autre_bailleur, als, prefet, deux_epci):
    a, b = deux_epci
    w.convention(bailleur, als, {a: 30, b: 10}, brouillon={a: 999})
    w.convention(autre_bailleur, als, {a: 20}, statut=Statut.EN_NEGOCIATION)
    w.convention(bailleur, prefet, {a: 777})
    w.resultats(bailleur, ANNEE, [(a, 100, {als: 25, prefet: 31, None: 44}), (b, 40, {als: 8, None: 32})])
    w.resultats(autre_bailleur, ANNEE, [(a, 50, {als: 12, None: 38})])
    CibleReservataire.objects.create(reservataire=als, epci=a, annee=ANNEE, nombre=60)
    return a, b


def test_objectives_across_bailleurs_allocations_targets_and_gaps(bob, als, monde):
    a, b = monde
    revue = revue_objectifs(bob, als, ANNEE)
    lignes = {ligne.epci_id: ligne for ligne in revue.lignes}
    # Signed version of the first, transmitted version of the second; drafts and the préfet's convention ignored.
    assert (lignes[a.pk].objectifs, lignes[a.pk].conventions, lignes[a.pk].alloues) == (50, 2, 37)
    assert (lignes[a.pk].cible, lignes[a.pk].ecart_objectifs, lignes[a.pk].ecart_alloues) == (60, -10, -23)
    assert (lignes[b.pk].objectifs, lignes[b.pk].alloues, lignes[b.pk].cible, lignes[b.pk].ecart_alloues) == (
        10,
        8,
        None,
        None,
    )
    totaux = revue.totaux
    assert (totaux["objectifs"], totaux["alloues"], totaux["cible"], totaux["ecart_objectifs"]) == (60, 45, 60, -10)


def test_page_shows_table_chart_and_never_other_reservataires_figures(bob, monde, client_for):
    a, _ = monde
    page = client_for(bob).get(reverse("flux:revue_objectifs"), {"annee": ANNEE})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Revue des objectifs par EPCI" in html and "<svg" in html and escape(a.nom) in html
    assert "777" not in html and ">31<" not in html  # the préfet's objective and allocation never show


def test_xlsx_export_has_french_headers_and_totals(bob, monde, client_for):
    reponse = client_for(bob).get(reverse("flux:revue_objectifs_xlsx"), {"annee": ANNEE})
    assert reponse.status_code == 200
    feuille = openpyxl.load_workbook(io.BytesIO(reponse.content)).worksheets[0]
    lignes = list(feuille.values)
    assert lignes[0][1] == "EPCI" and lignes[0][3] == "Objectifs des conventions"
    assert lignes[-1][1] == "Total" and lignes[-1][3] == 60 and lignes[-1][4] == 45


def test_target_edit_inline_with_optimistic_concurrency(bob, als, monde, client_for):
    a, b = monde
    client = client_for(bob)
    url = reverse("flux:revue_cible")
    cible = CibleReservataire.objects.get(epci=a)
    vu = cible.modifie_le.isoformat()
    base = {"reservataire": als.pk, "annee": ANNEE, "epci": a.pk}
    assert client.post(url, {**base, "nombre": "70", "modifie_le": vu}).status_code == 302
    assert CibleReservataire.objects.get(epci=a).nombre == 70
    # A second editor who loaded the page before is told, nothing is overwritten.
    page = client.post(url, {**base, "nombre": "80", "modifie_le": vu}, follow=True)
    assert "modifié cet objectif entre-temps" in page.content.decode()
    assert CibleReservataire.objects.get(epci=a).nombre == 70
    page = client.post(url, {**base, "epci": b.pk, "nombre": "-3", "modifie_le": ""}, follow=True)
    assert "entier" in page.content.decode() or "compris entre" in page.content.decode()
    client.post(url, {**base, "epci": b.pk, "nombre": "12", "modifie_le": ""})
    assert CibleReservataire.objects.get(epci=b).nombre == 12


def test_readers_cannot_edit_and_bailleurs_get_an_explanation(als, alice, monde, client_for):
    a, _ = monde
    lecteur = factories.member(als, Role.LECTEUR, email="lecteur@als.fr")
    client = client_for(lecteur)
    page = client.get(reverse("flux:revue_objectifs"), {"annee": ANNEE})
    assert page.status_code == 200 and "Enregistrer" not in page.content.decode()
    reponse = client.post(
        reverse("flux:revue_cible"), {"reservataire": als.pk, "annee": ANNEE, "epci": a.pk, "nombre": "1"}
    )
    assert reponse.status_code == 403 and CibleReservataire.objects.get(epci=a).nombre == 60
    page = client_for(alice).get(reverse("flux:revue_objectifs"))
    assert "rattaché à aucun réservataire" in page.content.decode()
    assert client_for(alice).get(reverse("flux:revue_objectifs_xlsx")).status_code == 404
    # Another réservataire's id in the POST: 404, nothing changes.
    autre = factories.ALSFactory(nom="Autre ALS")
    assert client_for(lecteur).post(reverse("flux:revue_cible"), {"reservataire": autre.pk}).status_code == 404


def test_query_count_does_not_grow_with_data(bob, als, bailleur, deux_epci, client_for):
    a, b = deux_epci
    client = client_for(bob)
    w.convention(bailleur, als, {a: 3})
    w.resultats(bailleur, ANNEE, [(a, 10, {als: 2})])
    with CaptureQueriesContext(connection) as petit:
        assert client.get(reverse("flux:revue_objectifs"), {"annee": ANNEE}).status_code == 200
    for i in range(4):
        autre = factories.BailleurFactory(nom=f"Bailleur {i}")
        w.convention(autre, als, {a: 5, b: 6})
        w.resultats(autre, ANNEE, [(a, 10, {als: 2}), (b, 10, {als: 3})])
        CibleReservataire.objects.get_or_create(reservataire=als, epci=b, annee=ANNEE, defaults={"nombre": 4})
    with CaptureQueriesContext(connection) as grand:
        assert client.get(reverse("flux:revue_objectifs"), {"annee": ANNEE}).status_code == 200
    assert len(grand) == len(petit)
