"""Read API of the annual flux results: cells and allocations, filtered, paginated, scoped."""

import datetime

import pytest

from flux.models import FluxAllocation, ModeCalcul
from tests import factories
from tests.flux import world_revue as w

pytestmark = pytest.mark.django_db
ANNEE = datetime.date.today().year
CELLULES = "/api/v1/flux-annuel/cellules/"
ALLOCATIONS = "/api/v1/flux-annuel/allocations/"


@pytest.fixture
def monde(bailleur, autre_bailleur, als, prefet):
    a, b = w.epcis("59", 2)
    w.resultats(bailleur, ANNEE, [(a, 100, {als: 25, prefet: 31, None: 44}), (b, 40, {als: 8, None: 32})])
    w.resultats(autre_bailleur, ANNEE, [(a, 50, {prefet: 12, None: 38})])
    w.resultats(bailleur, ANNEE, [(a, 7, {als: 7})], mode=ModeCalcul.PROJETS)
    return a, b


def test_bailleur_reads_its_cells_and_allocations_with_filters(alice, bailleur, monde, api_client_for):
    a, _ = monde
    api = api_client_for(alice)
    cellules = api.get(CELLULES, {"annee": ANNEE, "mode": "signees"}).json()
    assert cellules["count"] == 2 and {c["bailleur"] for c in cellules["results"]} == {bailleur.pk}
    assert api.get(CELLULES, {"epci": a.pk, "mode": "signees"}).json()["count"] == 1
    allocations = api.get(ALLOCATIONS, {"annee": ANNEE, "mode": "signees", "bailleur": bailleur.pk}).json()
    assert allocations["count"] == 5 and sum(x["logements"] for x in allocations["results"]) == 140
    assert api.get(ALLOCATIONS, {"mode": "signees", "part_bailleur": "true"}).json()["count"] == 2


def test_reservataire_reads_only_its_own_allocations_and_no_cells(bob, als, monde, api_client_for):
    api = api_client_for(bob)
    assert api.get(CELLULES).json()["count"] == 0
    allocations = api.get(ALLOCATIONS, {"mode": "signees"}).json()
    assert allocations["count"] == 2 and {x["reservataire"] for x in allocations["results"]} == {als.pk}
    autre = FluxAllocation.objects.exclude(reservataire=als).first()
    assert api.get(f"{ALLOCATIONS}{autre.pk}/").status_code == 404


def test_outsiders_get_nothing_and_writes_are_refused(monde, api_client_for):
    etranger = factories.member(factories.BailleurFactory(nom="Habitat Étranger"), email="x@etranger.fr")
    api = api_client_for(etranger)
    assert api.get(ALLOCATIONS).json()["count"] == 0
    cellule = w.FluxCellule.objects.first()
    assert api.get(f"{CELLULES}{cellule.pk}/").status_code == 404
    assert api.post(CELLULES, {}, format="json").status_code == 405
    assert api.get(CELLULES, {"annee": "abc", "mode": "inconnu"}).status_code == 400
