"""The bilan's PDF: rendered through core.pdf in a job, figures readable in its text, sha256 stored."""

import hashlib
import subprocess

import pytest

from flux.models.orientation import StatutBilan
from flux.services import bilan_documents as documents
from flux.services.bilan import calculer_bilan
from flux.tasks_bilan import bilans_pdf
from tests.conventions import factories as conv
from tests.flux import world_bilan as wb


def _texte(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


@pytest.fixture
def bilan(bailleur, als, alice):
    convention = wb.jeu(conv.brouillon(bailleur, als, alice))
    version = documents.calcul.version_de(convention)
    version.nombre_annuel = 5
    version.save()
    return calculer_bilan(convention, 2025)


def test_le_pdf_contient_les_chiffres_et_son_empreinte(bilan, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        job = documents.bilans_pdf_demander(bilans=[bilan], by=alice)
    bilans_pdf.apply(args=[str(job.pk)])
    job.refresh_from_db()
    assert job.status == "terminee", job.error
    bilan.refresh_from_db()
    assert bilan.statut == StatutBilan.PRODUIT
    with bilan.pdf.open("rb") as f:
        pdf = f.read()
    assert hashlib.sha256(pdf).hexdigest() == bilan.sha256
    texte = _texte(pdf)
    lignes = {" ".join(ligne.split()) for ligne in texte.splitlines()}
    assert "Bilan annuel des logements proposés et attribués en" in texte
    assert "établi par Habitat Alice pour Action Logement Services HdF (test)" in lignes
    assert "Avant 1949" not in texte
    # Objective 5 (nombre annuel), 3 proposed, 2 attributed, 1 returned to compensate, écart -2 carried.
    assert "Objectif report inclus 5" in lignes
    assert "Remis à disposition (délai dépassé) 1 dont 1 à compenser" in lignes
    assert "Écart (réalisé − objectif) -2 déficit" in lignes
    assert "Report sur 2026 -2 la convention prévoit le report des écarts" in lignes
    assert {"Roubaix 3 2 1 1", "T3 1 1 1 1", "1949–1974 1 1 0 0", "Hors QPV 2 1 0 0"} <= lignes
    assert any(ligne.endswith("50,0 % ≥ 25 % atteint") for ligne in lignes)  # DALO: 1 of 2
    # Re-running the job renders nothing again.
    digest = bilan.sha256
    bilans_pdf.apply(args=[str(job.pk)])
    bilan.refresh_from_db()
    assert bilan.sha256 == digest


def test_un_bilan_recalcule_perd_son_pdf(bilan):
    assert documents.bilan_pdf_produire(bilan.pk) is True
    assert documents.bilan_pdf_produire(bilan.pk) is False
    bilan = calculer_bilan(bilan.convention, 2025)
    assert (bilan.statut, bilan.sha256, bool(bilan.pdf)) == (StatutBilan.BROUILLON, "", False)


def test_le_lot_de_pdf_passe_par_le_worker_et_sa_progression(celery_worker_redis, client):
    import time

    from django.urls import reverse

    from core.models import Job, JobStatus
    from reservataires.models import Role
    from tests import factories

    bailleur = factories.BailleurFactory(nom="Habitat Lot")
    redac = factories.member(bailleur, Role.REDACTEUR, email="lot@habitat.fr")
    for reservataire in (factories.ALSFactory(nom="ALS Lot"), factories.PrefetFactory(nom="Préfet Lot")):
        wb.jeu(conv.brouillon(bailleur, reservataire, redac))
    client.force_login(redac)
    client.post(reverse("flux:bilan_calculer_annee"), {"bailleur": bailleur.pk, "annee": 2025})
    reponse = client.post(reverse("flux:bilans_produire"), {"bailleur": bailleur.pk, "annee": 2025})
    job = Job.objects.get(kind="flux.bilan_pdf")
    assert reponse["Location"] == reverse("job_detail", args=[job.pk])
    limite = time.monotonic() + 60
    while not job.is_finished and time.monotonic() < limite:
        client.get(reverse("job_detail", args=[job.pk]), HTTP_HX_REQUEST="true")
        time.sleep(0.2)
        job.refresh_from_db()
    assert job.status == JobStatus.TERMINEE, job.error
    assert job.result["resume"]["Bilans produits"] == 2
    page = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "2 bilan(s) produits" in page
    from flux.models.orientation import Bilan

    assert set(Bilan.objects.filter(convention__bailleur=bailleur).values_list("statut", flat=True)) == {"produit"}
