"""Results of the annual flux per EPCI: the bailleur sees every line, a réservataire only its own."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from flux.models import FluxAllocation, ModeCalcul, MotifAllocation
from flux.selectors_revue import PART_BAILLEUR, resultats_par_epci
from tests import factories
from tests.flux import world_revue as w

pytestmark = pytest.mark.django_db
ANNEE = datetime.date.today().year


@pytest.fixture
def monde(bailleur, als, prefet):
    a, b = w.epcis("59", 2)
    w.resultats(bailleur, ANNEE, [(a, 100, {als: 25, prefet: 31, None: 44}), (b, 40, {als: 8, None: 32})])
    # The préfet's fallback: flux of an unsigned convention.
    FluxAllocation.objects.filter(reservataire=prefet).update(motif=MotifAllocation.PREFET_SANS_CONVENTION)
    w.resultats(bailleur, ANNEE, [(a, 999, {als: 999})], mode=ModeCalcul.PROJETS)
    return a, b


def test_bailleur_sees_flux_every_reservataire_and_totals_that_add_up(alice, fede, monde):
    a, b = monde
    for user in (alice, fede):
        r = resultats_par_epci(user, ANNEE, ModeCalcul.SIGNEES)
        assert r["voit_flux"] and len(r["colonnes"]) == 3 and r["colonnes"][-1] == PART_BAILLEUR
        assert any("préfet" in c for c in r["colonnes"])
        lignes = {ligne["epci_id"]: ligne for ligne in r["lignes"]}
        assert lignes[a.pk]["flux"] == lignes[a.pk]["total"] == 100 and lignes[b.pk]["total"] == 40
        assert r["totaux"]["flux"] == r["totaux"]["total"] == 140 == sum(r["totaux"]["parts"])


def test_reservataire_sees_only_its_own_lines(bob, monde, client_for):
    r = resultats_par_epci(bob, ANNEE, ModeCalcul.SIGNEES)
    assert not r["voit_flux"] and len(r["colonnes"]) == 1 and r["totaux"]["total"] == 33
    html = client_for(bob).get(reverse("flux:flux_resultats"), {"annee": ANNEE}).content.decode()
    assert "Préfet" not in html.split("<tbody>")[0] and ">31<" not in html and ">44<" not in html
    assert "uniquement les logements qui reviennent à votre organisation" in html


def test_outsiders_see_nothing_and_page_renders_filters(charlie, alice, bailleur, monde, client_for):
    assert resultats_par_epci(charlie, ANNEE, ModeCalcul.SIGNEES)["lignes"] == []
    page = client_for(alice).get(
        reverse("flux:flux_resultats"),
        {"annee": ANNEE, "mode": "projets", "bailleur": bailleur.pk, "departement": "59"},
    )
    assert page.status_code == 200 and "999" in page.content.decode()
    assert client_for(charlie).get(reverse("flux:flux_resultats"), {"bailleur": bailleur.pk}).status_code == 200


def test_query_count_bounded(alice, bailleur, als, client_for):
    a, b = w.epcis("59", 2)
    client = client_for(alice)
    w.resultats(bailleur, ANNEE, [(a, 10, {als: 2, None: 8})])
    with CaptureQueriesContext(connection) as petit:
        client.get(reverse("flux:flux_resultats"), {"annee": ANNEE})
    autres = [factories.ALSFactory(nom=f"Réservataire {i}") for i in range(3)]
    w.resultats(bailleur, ANNEE, [(b, 30, {autres[0]: 5, autres[1]: 5, autres[2]: 5, None: 15})])
    with CaptureQueriesContext(connection) as grand:
        client.get(reverse("flux:flux_resultats"), {"annee": ANNEE})
    assert len(grand) == len(petit)
