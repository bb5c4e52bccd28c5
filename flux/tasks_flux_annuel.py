"""Celery task of the annual flux computation (thin: the work is flux.services.flux_annuel.calcul)."""

from celery import shared_task

from core.jobs import run_job
from flux.tasks import OPTIONS


@shared_task(name="flux.calculer_flux", **OPTIONS)
def calculer_flux(job_id: str) -> None:
    from flux.services.flux_annuel.calcul import calcul_job

    run_job(job_id, calcul_job)
