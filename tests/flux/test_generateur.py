"""The demo / benchmark generator: real geography, dwellings distributed like the real stock, deterministic."""

import itertools
from collections import Counter

import pytest

from flux import generateur
from flux.generateur.geographie import HDF_PAR_DEPARTEMENT, TOTAL_HDF, TOTAL_IDF, TOTAL_NATIONAL
from flux.models import Logement, ReservationStock
from flux.services.patrimoine import patrimoine_import
from reservataires.models import TypeOrganisation
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def geo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return generateur.charger()


def test_the_national_scale_follows_the_published_regional_totals(geo):
    repartition = generateur.repartition("national", geo)
    assert sum(repartition.values()) == TOTAL_NATIONAL
    assert sum(n for d, n in repartition.items() if geo[d].region == "11") == TOTAL_IDF
    assert sum(n for d, n in repartition.items() if geo[d].region == "32") == TOTAL_HDF
    # Hauts-de-France keeps its published split by département (Nord ≈ 46 %).
    assert repartition["59"] == pytest.approx(
        TOTAL_HDF * HDF_PAR_DEPARTEMENT["59"] / sum(HDF_PAR_DEPARTEMENT.values()), abs=1
    )
    assert repartition["59"] > repartition["62"] > repartition["60"] > repartition["80"]
    assert len(repartition) == 101


def test_regional_and_numeric_scales(geo):
    assert sum(generateur.repartition("idf", geo).values()) == TOTAL_IDF
    assert set(generateur.repartition("hdf", geo)) == set(HDF_PAR_DEPARTEMENT)
    petit = generateur.repartition(10_000, geo)
    assert sum(petit.values()) == 10_000
    assert petit["75"] > petit["48"]  # Paris holds far more social housing than Lozère
    with pytest.raises(ValueError):
        generateur.lire_echelle("galaxie")


def test_about_600_bailleurs_share_the_national_stock(geo):
    plans, allocations = generateur.planifier(generateur.repartition("national", geo), geo, seed=1)
    assert 550 <= len(plans) <= 650
    assert sum(a.n for a in allocations) == TOTAL_NATIONAL
    types = Counter(p.type for p in plans)
    assert types[TypeOrganisation.OPH] >= 101 and types[TypeOrganisation.ESH] > 50
    assert any(
        a.departement != p.departement for a in allocations for p in plans if p.cle == a.bailleur
    )  # regional ESH


def test_dwellings_are_plausible_and_deterministic(geo):
    allocation = [generateur.Allocation("B1", 1, "59", 5000)]
    premiers = list(generateur.iter_logements(allocation, geo, seed=7))
    assert premiers == list(generateur.iter_logements(allocation, geo, seed=7))
    assert premiers != list(generateur.iter_logements(allocation, geo, seed=8))
    assert len(premiers) == 5000 and len({l.rpls_id for l in premiers}) == 5000  # noqa: E741
    communes = Counter(l.commune for l in premiers)  # noqa: E741
    assert communes["59350"] > communes.get("59001", 0)  # Lille weighs more than a village
    pieces = Counter(l.nb_pieces for l in premiers)  # noqa: E741
    assert pieces[3] > pieces[2] > pieces[1] and pieces[4] > pieces[5] > pieces[6]
    qpv = sum(l.qpv for l in premiers) / 5000  # noqa: E741
    assert 0.1 < qpv < 0.6
    assert all(1920 <= l.annee_construction <= 2024 and 25 <= l.surface <= 125 for l in premiers)  # noqa: E741
    loyer_m2 = sum(l.loyer for l in premiers) / sum(l.surface for l in premiers)  # noqa: E741
    assert 4.5 < loyer_m2 < 7.5


def test_a_generated_rpls_file_imports_cleanly(geo, bailleur, alice, tmp_path):
    logements = itertools.islice(
        generateur.iter_logements([generateur.Allocation("B1", 1, "59", 800)], geo, seed=3), 800
    )
    path = tmp_path / "rpls.csv"
    assert generateur.ecrire_csv(path, logements, encodage="cp1252") == 800
    stats = patrimoine_import(bailleur=bailleur, path=path, by=alice)
    assert stats["crees"] == 800 and Logement.objects.filter(bailleur=bailleur, departement_id="59").count() == 800


def test_direct_insertion_and_inventories_are_idempotent(geo):
    bailleur = factories.BailleurFactory(nom="Habitat généré")
    allocation = [generateur.Allocation("B1", 1, "59", 1500)]
    stats = generateur.inserer_logements(generateur.iter_logements(allocation, geo, seed=5), {"B1": bailleur.pk})
    assert stats["crees"] == 1500
    assert (
        generateur.inserer_logements(generateur.iter_logements(allocation, geo, seed=5), {"B1": bailleur.pk})[
            "inchanges"
        ]
        == 1500
    )
    premier = generateur.generer_inventaire([bailleur], annee=2026, seed=5)
    lignes = ReservationStock.objects.filter(bailleur=bailleur)
    assert premier["lignes"] == lignes.count() > 5
    fondements = set(lignes.values_list("fondement", flat=True))
    assert {"prefet_prioritaires", "prefet_agents", "action_logement", "garantie_emprunt"} <= fondements
    reserve = sum(lignes.values_list("nb_logements", flat=True))
    assert 0.4 * 1500 < reserve < 1500
    generateur.generer_inventaire([bailleur], annee=2026, seed=5)
    assert lignes.count() == premier["lignes"]


def test_generated_conventions_feed_a_national_run_that_allocates_them(geo):
    """The benchmark's conventions: one per réservataire of the état des lieux, territorial ones on
    their own territory, some unsigned (→ préfet); a national run then allocates every cell exactly."""
    from conventions.models import Convention, Statut
    from flux.generateur.conventions import generer_conventions
    from flux.models import CalculFlux, FluxAllocation, FluxCellule, ModeCalcul, MotifAllocation
    from flux.services.flux_annuel.calcul import calculer

    bailleur = factories.BailleurFactory(nom="Habitat généré")
    allocation = [generateur.Allocation("B1", 1, "59", 6000)]
    generateur.inserer_logements(generateur.iter_logements(allocation, geo, seed=5), {"B1": bailleur.pk})
    generateur.generer_inventaire([bailleur], annee=2031, seed=5)
    stats = generer_conventions([bailleur], seed=5)
    reservataires = set(ReservationStock.objects.filter(bailleur=bailleur).values_list("reservataire_id", flat=True))
    conventions = Convention.objects.filter(bailleur=bailleur)
    assert stats["conventions"] == conventions.count() == len(reservataires)
    assert conventions.filter(commune__isnull=False).exists() and conventions.filter(statut=Statut.SIGNEE).exists()
    assert generer_conventions([bailleur], seed=5)["conventions"] == 0  # idempotent: nothing added

    calcul = CalculFlux.objects.create(annee=2031, mode=ModeCalcul.SIGNEES)
    resume = calculer(calcul)
    assert resume["flux_total"] > 0
    for cellule in FluxCellule.objects.filter(calcul=calcul):
        assert sum(a.logements for a in cellule.allocations.all()) == cellule.flux
    motifs = set(FluxAllocation.objects.filter(calcul=calcul, logements__gt=0).values_list("motif", flat=True))
    assert {MotifAllocation.CONVENTION, MotifAllocation.BAILLEUR} <= motifs
    communes = conventions.filter(commune__isnull=False, statut=Statut.SIGNEE)
    for conv in communes:
        epcis = set(
            FluxAllocation.objects.filter(calcul=calcul, convention=conv, logements__gt=0).values_list(
                "epci_id", flat=True
            )
        )
        assert epcis <= {conv.commune.epci_id}  # a commune's share stays on its territory
