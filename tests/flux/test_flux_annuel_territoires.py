"""The annual flux run with territorial conventions and EPCI objectives, on hand-computed cases.

World: taux 10 %, no first letting nor exclusion. MEL: Roubaix 100 dwellings, another MEL commune
300 (hors QPV, T3) → cell MEL flux 40; another EPCI of the Nord: 100 dwellings → flux 10. Total 50."""

from decimal import Decimal

import pytest

from conventions.models import Convention, ConventionVersion, EtatVersion, Objectif, Statut
from core.jobs import run_job
from core.models import JobStatus
from flux.models import FluxAllocation, FluxCellule, Logement, ModeCalcul, MotifAllocation, TauxRotation
from flux.services.flux_annuel.calcul import calcul_job, calcul_lancer
from territoires.models import EPCI, Commune
from tests import factories

pytestmark = pytest.mark.django_db
ANNEE = 2032
MEL, ROUBAIX = "200093201", "59512"


def _logements(bailleur, commune, n, *, qpv=False, debut=0):
    Logement.objects.bulk_create(
        Logement(
            bailleur=bailleur,
            rpls_id=f"T{debut + i:09d}",
            commune=commune,
            departement_id=commune.departement_id,
            epci_id=commune.epci_id,
            qpv=qpv,
            nb_pieces=3,
            typologie=3,
            financement="PLUS",
        )  # fmt: skip
        for i in range(n)
    )


@pytest.fixture
def monde(bailleur):
    roubaix = Commune.objects.get(code=ROUBAIX)
    autre_mel = Commune.objects.filter(epci_id=MEL).exclude(code=ROUBAIX).order_by("code").first()
    autre_epci = EPCI.objects.filter(communes__departement_id="59").exclude(siren=MEL).order_by("nom").first()
    autre = Commune.objects.filter(epci=autre_epci).order_by("code").first()
    _logements(bailleur, roubaix, 100)
    _logements(bailleur, autre_mel, 300, debut=1000)
    _logements(bailleur, autre, 100, debut=2000)
    TauxRotation.objects.create(bailleur=bailleur, departement_id="59", taux_pct=Decimal("10"))
    return autre_epci.siren, autre_mel


def _convention(bailleur, reservataire, *, pct=None, nombre=None, objectifs=(), commune=None, epci=None):
    conv = Convention.objects.create(
        bailleur=bailleur, reservataire=reservataire, departement_id="59", statut=Statut.SIGNEE,
        commune_id=commune, epci_id=epci,
    )  # fmt: skip
    version = ConventionVersion.objects.create(
        convention=conv, numero=1, etat=EtatVersion.PROPOSEE, organisation=bailleur,
        part_flux_pct=None if pct is None else Decimal(pct), nombre_annuel=nombre,
    )  # fmt: skip
    for epci_obj, n, hors_qpv in objectifs:
        Objectif.objects.create(version=version, epci_id=epci_obj, nombre=n, nombre_hors_qpv=hors_qpv)
    conv.version_courante = conv.version_en_vigueur = version
    conv.save()
    return conv


def _lancer(alice, bailleur):
    calcul = calcul_lancer(user=alice, annee=ANNEE, mode=ModeCalcul.SIGNEES, bailleur=bailleur)
    job = run_job(str(calcul.job_id), calcul_job)
    assert job.status == JobStatus.TERMINEE, job.error
    calcul.refresh_from_db()
    return calcul


def _recu(reservataire) -> dict:
    """EPCI code → (dwellings, exact quota) of the réservataire, summed over its cells."""
    recu = {}
    for a in FluxAllocation.objects.filter(annee=ANNEE, reservataire=reservataire):
        n, q = recu.get(a.epci_id, (0, Decimal(0)))
        recu[a.epci_id] = (n + a.logements, q + a.quota)
    return recu


def _cellules_totalisent():
    for cellule in FluxCellule.objects.filter(annee=ANNEE):
        assert sum(a.logements for a in cellule.allocations.all()) == cellule.flux


def test_a_commune_convention_takes_its_share_of_its_own_territory(alice, bailleur, monde):
    """Roubaix's part of the MEL cell: 100 × 10 % / 40 → 10 of 40; 20 % of 10 = 2 (ceiling 20 % of 10 = 2).
    Spread over the whole département it would have been 10."""
    autre_epci, _ = monde
    ville = factories.CommuneReservataireFactory(commune_id=ROUBAIX)
    _convention(bailleur, ville, pct="20", commune=ROUBAIX)
    _lancer(alice, bailleur)
    assert _recu(ville) == {MEL: (2, Decimal("2.000000"))}  # no row where it has no share
    _cellules_totalisent()


def test_an_epci_convention_stays_on_its_territory(alice, bailleur, monde):
    """MEL's 15 % of its own flux (40) = 6; nothing in the other EPCI."""
    autre_epci, _ = monde
    mel = factories.EPCIReservataireFactory(epci_id=MEL)
    _convention(bailleur, mel, pct="15", epci=MEL)
    _lancer(alice, bailleur)
    assert _recu(mel) == {MEL: (6, Decimal("6.000000"))}  # no row where it has no share


def test_epci_objectives_drive_the_split_between_epci(alice, bailleur, als, monde):
    """ALS 20 % of 50 = 10, objectives MEL 1, other EPCI 4 → 2 and 8 (pro rata it would be 8 and 2)."""
    autre_epci, _ = monde
    _convention(bailleur, als, pct="20", objectifs=[(MEL, 1, None), (autre_epci, 4, None)])
    _lancer(alice, bailleur)
    assert _recu(als) == {MEL: (2, Decimal("2.000000")), autre_epci: (8, Decimal("8.000000"))}
    _cellules_totalisent()


def test_objectives_above_an_epci_flux_are_scaled_down_with_a_warning(alice, bailleur, als, monde):
    """ALS 30 % = 15, all on the other EPCI whose flux is 10: capped at 10, the rest stays with the bailleur."""
    autre_epci, _ = monde
    _convention(bailleur, als, pct="30", objectifs=[(autre_epci, 5, None)])
    calcul = _lancer(alice, bailleur)
    assert _recu(als) == {autre_epci: (10, Decimal("10.000000"))}
    assert any("dépassent le flux prévu" in alerte for alerte in calcul.resume["alertes"])


def test_the_hors_qpv_objective_splits_an_epci_between_its_segments(alice, bailleur, als, monde):
    """100 QPV dwellings more in the MEL (flux 10). ALS 20 % of 60 = 12, objective MEL 10 of which 5
    hors QPV → 6 hors QPV and 6 in QPV (pro rata of the flux: 8 and 2)."""
    _, autre_mel = monde
    _logements(bailleur, autre_mel, 100, qpv=True, debut=3000)
    _convention(bailleur, als, pct="20", objectifs=[(MEL, 10, 5)])
    _lancer(alice, bailleur)
    par_qpv = {a.qpv: a.logements for a in FluxAllocation.objects.filter(annee=ANNEE, reservataire=als, epci_id=MEL)}
    assert par_qpv == {False: 6, True: 6}
    _cellules_totalisent()


def test_an_annual_number_without_percentage_is_allocated(alice, bailleur, als, monde):
    """7 dwellings a year pro rata 40:10 → 5.6 and 1.4 → 6 and 1 (largest remainder per cell)."""
    autre_epci, _ = monde
    _convention(bailleur, als, nombre=7)
    _lancer(alice, bailleur)
    assert _recu(als) == {MEL: (6, Decimal("5.600000")), autre_epci: (1, Decimal("1.400000"))}
    bailleur_mel = FluxAllocation.objects.get(annee=ANNEE, epci_id=MEL, motif=MotifAllocation.BAILLEUR)
    assert bailleur_mel.quota == Decimal("34.400000") and bailleur_mel.logements == 34
