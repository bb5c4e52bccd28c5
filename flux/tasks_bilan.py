"""Thin Celery tasks of the bilans: PDF batch and sending, through core.jobs.run_job."""

from celery import shared_task
from django.db import OperationalError

from core.jobs import run_job

# Same options as flux.tasks (not imported from there: flux.tasks imports this module).
OPTIONS = {
    "acks_late": True,
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "max_retries": 3,
    "soft_time_limit": 1700,
    "time_limit": 1800,
}


@shared_task(name="flux.bilans_pdf", **OPTIONS)
def bilans_pdf(job_id: str) -> None:
    from flux.services.bilan_documents import bilans_pdf_job

    run_job(job_id, bilans_pdf_job)


@shared_task(name="flux.bilans_envoi", **OPTIONS)
def bilans_envoi(job_id: str) -> None:
    from flux.services.bilan_documents import bilans_envoi_job

    run_job(job_id, bilans_envoi_job)
