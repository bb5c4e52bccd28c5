"""Creating, enqueuing and running background jobs.

Tasks stay thin: they receive a job id and call ``run_job`` with a service function.
The job is enqueued only after the creating transaction commits, and a finished job is
never run twice (a redelivered message returns early).
"""

import logging
from collections.abc import Callable

from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError
from django.db import transaction

from core.models import Job, JobStatus

logger = logging.getLogger(__name__)


class JobFailure(Exception):
    """A failure to show the user as is (French message), with an optional report."""

    def __init__(self, message: str, report: dict | None = None):
        super().__init__(message)
        self.report = report or {}


def job_create(*, kind: str, label: str, by=None, organisation=None, params: dict | None = None) -> Job:
    return Job.objects.create(kind=kind, label=label, created_by=by, organisation=organisation, params=params or {})


def job_enqueue(job: Job, task) -> None:
    transaction.on_commit(lambda: task.delay(str(job.pk)))


def run_job(job_id: str, work: Callable[[Job], dict | None]) -> Job | None:
    try:
        job = Job.objects.get(pk=job_id)
    except Job.DoesNotExist:
        logger.warning("Tâche %s introuvable : ignorée.", job_id)
        return None
    if job.is_finished:
        return job
    job.mark_started()
    try:
        outcome = work(job) or {}
    except JobFailure as exc:
        job.mark_failed(str(exc), result=exc.report)
    except ValidationError as exc:
        job.mark_failed(" ".join(exc.messages))
    except SoftTimeLimitExceeded:
        job.mark_failed("La tâche a dépassé le temps imparti ; aucune donnée n'a été modifiée.")
    except Exception:
        logger.exception("Tâche %s (%s) en échec", job.pk, job.kind)
        job.mark_failed("Erreur inattendue : la tâche a été annulée et aucune donnée n'a été modifiée.")
    else:
        job.mark_finished(
            result=outcome.get("result", {}), message=outcome.get("message", "Terminé."), url=outcome.get("url", "")
        )
    return job


__all__ = ["Job", "JobStatus", "JobFailure", "job_create", "job_enqueue", "run_job"]
