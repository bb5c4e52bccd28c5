"""The annual flux engine on small hand-computed cases: forecast, exclusions, allocation, préfet
fallback, ceilings, idempotent re-run, failure reported on the job, permissions."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from conventions.models import ConventionVersion, Statut
from core.jobs import run_job
from core.models import JobStatus
from flux.models import (
    CalculFlux,
    Exclusion,
    FluxAllocation,
    FluxCellule,
    Logement,
    MiseEnService,
    ModeCalcul,
    MotifAllocation,
    TauxRotation,
)
from flux.services.flux_annuel.calcul import calcul_job, calcul_lancer
from territoires.models import Commune
from tests import factories
from tests.flux import world_revue as w

pytestmark = pytest.mark.django_db
ANNEE = 2031


def _logements(bailleur, epci, n, *, qpv=False, typologie=3, debut=0):
    commune = Commune.objects.filter(epci=epci).order_by("code").first()
    Logement.objects.bulk_create(
        Logement(
            bailleur=bailleur,
            rpls_id=f"R{debut + i:09d}",
            commune=commune,
            departement_id=commune.departement_id,
            epci=epci,
            qpv=qpv,
            nb_pieces=typologie,
            typologie=typologie,
            financement="PLUS",
        )  # fmt: skip
        for i in range(n)
    )
    return commune


def _convention(bailleur, reservataire, pct, statut=Statut.SIGNEE):
    conv = w.convention(bailleur, reservataire, {}, statut=statut)
    ConventionVersion.objects.filter(convention=conv).update(part_flux_pct=Decimal(pct))
    return conv


@pytest.fixture
def monde(bailleur):
    a, b = w.epcis("59", 2)
    commune_a = _logements(bailleur, a, 100)
    _logements(bailleur, b, 50, qpv=True, typologie=2, debut=1000)
    TauxRotation.objects.create(bailleur=bailleur, departement_id="59", taux_pct=Decimal("10"))
    MiseEnService.objects.create(bailleur=bailleur, commune=commune_a, annee=ANNEE, programme="Neuf", nb_logements=1)
    Exclusion.objects.create(bailleur=bailleur, departement_id="59", annee=ANNEE, categorie="mutation", nb_logements=3)
    return a, b


def _lancer(user, bailleur, mode=ModeCalcul.SIGNEES, django_capture_on_commit_callbacks=None):
    calcul = calcul_lancer(user=user, annee=ANNEE, mode=mode, bailleur=bailleur)
    job = run_job(str(calcul.job_id), calcul_job)
    calcul.refresh_from_db()
    return calcul, job


def _parts(bailleur, epci):
    return {
        (a.reservataire_id, a.motif): a.logements
        for a in FluxAllocation.objects.filter(bailleur=bailleur, epci=epci, annee=ANNEE, mode=ModeCalcul.SIGNEES)
    }


def test_forecast_exclusions_and_allocation_computed_by_hand(alice, bailleur, als, monde):
    """a: 100 × 10 % + 1 first letting = 11, b: 50 × 10 % = 5; 3 exclusions pro rata 11:5 →
    2.0625 / 0.9375 → 2 and 1; flux 9 and 4. ALS 25 %, commune 10 % unsigned (→ préfet):
    a: 2.25 / 0.9 / 5.85 → 2 / 1 / 6; b: 1 / 0.4 / 2.6 → 1 / 0 / 3."""
    a, b = monde
    commune = factories.CommuneReservataireFactory()
    _convention(bailleur, als, "25")
    _convention(bailleur, commune, "10", statut=Statut.EN_NEGOCIATION)
    calcul, job = _lancer(alice, bailleur)
    assert job.status == JobStatus.TERMINEE, job.error
    ca = FluxCellule.objects.get(epci=a, annee=ANNEE)
    cb = FluxCellule.objects.get(epci=b, annee=ANNEE)
    assert (ca.relocations, ca.mises_en_service, ca.exclusions, ca.flux) == (Decimal("10.000"), 1, 2, 9)
    assert (cb.relocations, cb.exclusions, cb.flux, cb.source_rotation) == (Decimal("5.000"), 1, 4, "configure")
    assert _parts(bailleur, a) == {
        (als.pk, MotifAllocation.CONVENTION): 2,
        (commune.pk, MotifAllocation.PREFET_SANS_CONVENTION): 1,
        (None, MotifAllocation.BAILLEUR): 6,
    }
    assert _parts(bailleur, b)[(commune.pk, MotifAllocation.PREFET_SANS_CONVENTION)] == 0
    assert _parts(bailleur, b)[(None, MotifAllocation.BAILLEUR)] == 3
    assert calcul.resume["flux_total"] == 13 and calcul.resume["nb_cellules"] == 2
    assert any("part au préfet" in alerte for alerte in calcul.resume["alertes"])
    assert calcul.termine_le is not None and calcul.duree_s is not None


def test_projets_mode_counts_the_draft_as_the_reservataire_share(alice, bailleur, monde):
    commune = factories.CommuneReservataireFactory()
    _convention(bailleur, commune, "10", statut=Statut.EN_NEGOCIATION)
    _lancer(alice, bailleur, mode=ModeCalcul.PROJETS)
    motifs = set(FluxAllocation.objects.filter(mode=ModeCalcul.PROJETS).values_list("motif", flat=True))
    assert MotifAllocation.PREFET_SANS_CONVENTION not in motifs and MotifAllocation.CONVENTION in motifs


def test_it_caps_the_prefet_at_30_percent_and_collectivites_at_20(alice, bailleur, prefet, monde):
    epci_res = factories.EPCIReservataireFactory()
    _convention(bailleur, prefet, "45")
    _convention(bailleur, epci_res, "35")
    _lancer(alice, bailleur)
    rows = FluxAllocation.objects.filter(annee=ANNEE)
    assert sum(r.logements for r in rows if r.reservataire_id == prefet.pk) <= 13 * 30 // 100
    assert sum(r.logements for r in rows if r.reservataire_id == epci_res.pk) <= 13 * 20 // 100
    for cellule in FluxCellule.objects.filter(annee=ANNEE):
        assert sum(a.logements for a in cellule.allocations.all()) == cellule.flux


def test_rerunning_a_year_replaces_its_rows(alice, bailleur, als, monde):
    _convention(bailleur, als, "25")
    premier, _ = _lancer(alice, bailleur)
    n = FluxAllocation.objects.count()
    second, _ = _lancer(alice, bailleur)
    assert FluxAllocation.objects.count() == n and FluxCellule.objects.count() == 2
    assert set(FluxAllocation.objects.values_list("calcul_id", flat=True)) == {second.pk}
    assert CalculFlux.objects.filter(pk=premier.pk).exists()


def test_a_failure_is_reported_on_the_job(alice, bailleur, monde):
    calcul = calcul_lancer(user=alice, annee=ANNEE, mode=ModeCalcul.SIGNEES, bailleur=bailleur)
    calcul.job.params = {"calcul": 0}
    calcul.job.save()
    job = run_job(str(calcul.job_id), calcul_job)
    assert job.status == JobStatus.ECHOUEE and "aucune donnée n'a été modifiée" in job.error


def test_only_the_bailleur_drafters_and_staff_may_launch(alice, charlie, bailleur, django_capture_on_commit_callbacks):
    with pytest.raises(ValidationError, match="droit"):
        calcul_lancer(user=charlie, annee=ANNEE, mode=ModeCalcul.SIGNEES, bailleur=bailleur)
    with pytest.raises(ValidationError, match="équipe nationale"):
        calcul_lancer(user=alice, annee=ANNEE, mode=ModeCalcul.SIGNEES)
    with pytest.raises(ValidationError):
        calcul_lancer(user=alice, annee=1900, mode="x", bailleur=bailleur)
    with django_capture_on_commit_callbacks() as callbacks:
        calcul = calcul_lancer(user=alice, annee=ANNEE, mode=ModeCalcul.SIGNEES, bailleur=bailleur)
    assert len(callbacks) == 1 and calcul.job.kind == "flux.calculer_flux"


def test_pages_list_launch_and_show_progress_then_summary(alice, bailleur, als, monde, client_for):
    from django.urls import reverse

    _convention(bailleur, als, "25")
    client = client_for(alice)
    page = client.get(reverse("flux:calcul_list"))
    assert page.status_code == 200 and "Lancer le calcul" in page.content.decode()
    calcul, _ = _lancer(alice, bailleur)
    detail = client.get(reverse("flux:calcul_detail", args=[calcul.pk])).content.decode()
    assert "job-progress" in detail and "13 logements" in detail and "Voir les résultats par EPCI" in detail
    reponse = client.post(reverse("flux:calcul_list"), {"annee": "1900", "mode": "signees", "bailleur": bailleur.pk})
    assert "Année entre" in reponse.content.decode()


def test_a_foreign_user_gets_404_on_a_run(alice, charlie, bailleur, monde, client_for):
    from django.urls import reverse

    calcul, _ = _lancer(alice, bailleur)
    assert client_for(charlie).get(reverse("flux:calcul_detail", args=[calcul.pk])).status_code == 404


def test_api_creates_lists_and_refuses_bad_input_in_french(alice, charlie, bailleur, client_for):
    client = client_for(alice)
    url = "/api/v1/flux-annuel/calculs/"
    demande = {"annee": ANNEE, "mode": "signees", "bailleur": bailleur.pk}
    reponse = client.post(url, demande, content_type="application/json")
    assert reponse.status_code == 202, reponse.content
    calcul_id = reponse.json()["id"]
    assert [c["id"] for c in client.get(url).json()["results"]] == [calcul_id]
    assert client.post(url, {"annee": ANNEE}, content_type="application/json").status_code == 400
    erreur = client.post(url, {"annee": 1900, "bailleur": bailleur.pk}, content_type="application/json")
    assert erreur.status_code == 400
    assert client_for(charlie).get(f"{url}{calcul_id}/").status_code == 404
