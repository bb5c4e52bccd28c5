from celery import shared_task

from core.jobs import run_job


@shared_task(name="conventions.produce_document", soft_time_limit=300, time_limit=360)
def produce_document(job_id: str):
    """Render the PDF to sign (thin: the work is conventions.documents.document_produce)."""
    from conventions.documents import document_produce
    from core.models import Job

    def work(job):
        return document_produce(Job.objects.get(pk=job.pk).params["document"], job=job)

    run_job(job_id, work)


@shared_task(name="conventions.expire", soft_time_limit=600, time_limit=660)
def expire():
    """Daily: signed conventions past their end date without tacit renewal become "expirée"."""
    from conventions.services import conventions_expire

    return conventions_expire()
