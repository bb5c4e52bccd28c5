"""Thin Celery tasks: take a job id, call the service through core.jobs.run_job."""

from celery import shared_task
from django.db import OperationalError

from core.jobs import run_job

OPTIONS = {
    "acks_late": True,
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "max_retries": 3,
    "soft_time_limit": 3300,
    "time_limit": 3600,
}


def _run_and_clean(job_id: str, work) -> None:
    from flux.services.patrimoine import fichier_supprimer

    job = run_job(job_id, work)
    if job is not None and job.is_finished:
        fichier_supprimer(job.params.get("fichier", ""))


@shared_task(name="flux.import_patrimoine", **OPTIONS)
def import_patrimoine(job_id: str) -> None:
    from flux.services.patrimoine import patrimoine_import_job

    _run_and_clean(job_id, patrimoine_import_job)


@shared_task(name="flux.import_etat_des_lieux", **OPTIONS)
def import_etat_des_lieux(job_id: str) -> None:
    from flux.services.etat_des_lieux import etat_des_lieux_import_job

    _run_and_clean(job_id, etat_des_lieux_import_job)


from flux.tasks_bilan import bilans_envoi, bilans_pdf  # noqa: E402, F401
from flux.tasks_flux_annuel import calculer_flux  # noqa: E402, F401
from flux.tasks_orientation import orientation_expirer, orientation_notifier  # noqa: E402, F401
