"""Imports run as background jobs: upload page → Celery worker on the real Redis broker → job page."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import Job, JobStatus
from flux.models import Logement, ReservationStock
from reservataires.models import Role
from tests import factories
from tests.flux import factories as f


def _attendre(job: Job, secondes: float = 60) -> Job:
    limite = time.monotonic() + secondes
    while time.monotonic() < limite:
        job.refresh_from_db()
        if job.is_finished:
            return job
        time.sleep(0.2)
    raise AssertionError(f"tâche {job.pk} non terminée : {job.status}")


def _upload(nom: str, contenu: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(nom, contenu, content_type="text/csv")


@pytest.fixture
def redactrice(celery_worker_redis):
    federation = factories.FederationFactory(nom="URH (tâches)")
    bailleur = factories.BailleurFactory(nom="Habitat Tâches", federation=federation)
    return bailleur, factories.member(bailleur, Role.REDACTEUR, email="taches@habitat.fr")


def test_an_uploaded_rpls_file_is_imported_by_the_worker_with_its_progress(redactrice, client):
    bailleur, user = redactrice
    client.force_login(user)
    contenu = f.texte_csv(f.lignes(25_000, programme="Cité Pasteur")).encode("cp1252")
    response = client.post(
        reverse("flux:patrimoine_import", args=[bailleur.pk]), {"fichier": _upload("rpls.csv", contenu)}
    )
    job = Job.objects.get(kind="flux.import_patrimoine")
    assert response.status_code == 302 and response["Location"] == reverse("job_detail", args=[job.pk])
    vus = set()
    limite = time.monotonic() + 90
    while time.monotonic() < limite:
        page = client.get(reverse("job_detail", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
        job.refresh_from_db()
        vus.add(job.percent())
        if job.is_finished:
            break
        assert 'hx-trigger="every 1s"' in page  # the browser keeps polling while it runs
        time.sleep(0.1)
    assert job.status == JobStatus.TERMINEE, job.error
    # Done and total come from the live progress the service published while it ran.
    assert (job.done, job.total) == (25_000, 25_000)
    assert Logement.objects.filter(bailleur=bailleur).count() == 25_000
    page = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "Logements créés" in page and "25" in page and "Windows-1252" in page
    assert reverse("flux:patrimoine_detail", args=[bailleur.pk]) in page
    assert not _existe(job.params["fichier"])  # the upload is removed once the job is over


def _existe(nom):
    from django.core.files.storage import default_storage

    return default_storage.exists(nom)


def test_a_bad_file_fails_with_the_report_on_the_job_page_and_as_csv(redactrice, client):
    bailleur, user = redactrice
    client.force_login(user)
    rows = [f.ligne(rpls_id="0000000001"), f.ligne(rpls_id="0000000001", depcom="99999")]
    client.post(
        reverse("flux:patrimoine_import", args=[bailleur.pk]),
        {"fichier": _upload("rpls.csv", f.texte_csv(rows).encode())},
    )
    job = _attendre(Job.objects.get(kind="flux.import_patrimoine"))
    assert job.status == JobStatus.ECHOUEE
    assert job.error.startswith("Import refusé : 3 erreurs dans le fichier. Aucun logement n'a été enregistré")
    assert not Logement.objects.exists()
    page = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "Rapport ligne par ligne (3 erreurs)" in page
    assert "Identifiant RPLS en double dans le fichier : aussi ligne 3." in page
    assert "Commune inconnue" in page and "<code>99999</code>" in page
    rapport = client.get(reverse("flux:import_rapport", args=[job.pk]))
    texte = b"".join(rapport.streaming_content).decode("utf-8-sig")
    assert texte.splitlines()[0] == "Ligne;Colonne;Valeur;Message"
    assert "3;code commune;99999;Commune inconnue" in texte
    assert len(texte.splitlines()) == 4


def test_an_inventory_spreadsheet_is_imported_by_the_worker(redactrice, client):
    bailleur, user = redactrice
    prefet = factories.PrefetFactory(nom="Préfet du Nord (tâches)")
    client.force_login(user)
    contenu = (
        "reference;reservataire;fondement;departement;nb_logements\r\n"
        f"P-1;{prefet.nom};prefet_prioritaires;59;120\r\nP-2;{prefet.pk};agents;59;12\r\n"
    ).encode()
    client.post(reverse("flux:stock_import", args=[bailleur.pk]), {"fichier": _upload("edl.csv", contenu)})
    job = _attendre(Job.objects.get(kind="flux.import_etat_des_lieux"))
    assert job.status == JobStatus.TERMINEE, job.error
    assert sorted(ReservationStock.objects.values_list("reference", "nb_logements")) == [("P-1", 120), ("P-2", 12)]
