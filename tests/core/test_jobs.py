import pytest
from django.urls import reverse

from config.celery import app as celery_app
from core.jobs import JobFailure, job_create, job_enqueue, run_job
from core.models import Job, JobStatus

pytestmark = pytest.mark.django_db


def _count_to(n):
    def work(job):
        for i in range(1, n + 1):
            job.report_progress(i, n, f"élément {i}")
        return {"result": {"resume": {"Éléments": n}}, "message": f"{n} éléments traités."}

    return work


def test_a_job_runs_once_and_records_its_result(alice, bailleur):
    job = job_create(kind="essai", label="Essai", by=alice, organisation=bailleur)
    run_job(str(job.pk), _count_to(3))
    job.refresh_from_db()
    assert job.status == JobStatus.TERMINEE
    assert (job.done, job.total) == (3, 3)
    assert job.message == "3 éléments traités."
    assert job.result == {"resume": {"Éléments": 3}}
    calls = []
    run_job(str(job.pk), lambda j: calls.append(j))  # a redelivered message
    assert calls == []


def test_progress_is_visible_while_the_job_runs(alice, bailleur):
    job = job_create(kind="essai", label="Essai", by=alice, organisation=bailleur)
    job.report_progress(40, 100, "lecture")
    fresh = Job.objects.get(pk=job.pk)
    assert fresh.percent() == 40
    assert fresh.live_progress()["message"] == "lecture"


def test_a_user_facing_failure_is_kept_in_french(alice, bailleur):
    job = job_create(kind="essai", label="Essai", by=alice, organisation=bailleur)

    def work(job):
        raise JobFailure("Le fichier est vide.", report={"nb_erreurs": 1})

    run_job(str(job.pk), work)
    job.refresh_from_db()
    assert job.status == JobStatus.ECHOUEE
    assert job.error == "Le fichier est vide."
    assert job.result == {"nb_erreurs": 1}


def test_an_unexpected_error_is_reported_without_details(alice, bailleur):
    job = job_create(kind="essai", label="Essai", by=alice, organisation=bailleur)

    def work(job):
        raise RuntimeError("boom")

    run_job(str(job.pk), work)
    job.refresh_from_db()
    assert job.status == JobStatus.ECHOUEE
    assert "aucune donnée n'a été modifiée" in job.error
    assert "boom" not in job.error


def test_the_job_page_is_scoped_to_the_organisation(client_for, alice, charlie, bailleur):
    job = job_create(kind="essai", label="Import de test", by=alice, organisation=bailleur)
    assert client_for(charlie).get(reverse("job_detail", args=[job.pk])).status_code == 404
    response = client_for(alice).get(reverse("job_detail", args=[job.pk]))
    assert response.status_code == 200
    assert "Import de test" in response.content.decode()


def test_the_job_page_polls_until_finished(client_for, alice, bailleur):
    job = job_create(kind="essai", label="Essai", by=alice, organisation=bailleur)
    client = client_for(alice)
    partial = client.get(reverse("job_detail", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in partial
    run_job(str(job.pk), _count_to(2))
    partial = client.get(reverse("job_detail", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in partial
    assert "Terminée" in partial


@celery_app.task(name="tests.core.count_job")
def count_job(job_id):
    run_job(job_id, _count_to(5))


def test_a_job_goes_through_the_real_redis_broker_to_a_worker(celery_worker_redis, django_user_model):
    from tests import factories

    org = factories.BailleurFactory()
    user = factories.member(org)
    job = job_create(kind="essai", label="Essai via Redis", by=user, organisation=org)
    job_enqueue(job, count_job)  # outside a transaction: sent at once
    import time

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            break
        time.sleep(0.1)
    assert job.status == JobStatus.TERMINEE
    assert job.total == 5
