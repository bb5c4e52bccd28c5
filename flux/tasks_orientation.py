"""Celery tasks of the orientations: notice to the réservataire, nightly expiry of deadlines."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import OperationalError, transaction

from flux.models import Orientation
from flux.services.orientation.echeances import expirer, notifier
from reservataires.models import User


@shared_task(name="flux.orientation_notifier")
def orientation_notifier(orientation_id: int) -> int:
    """Email the réservataire's members about a dwelling oriented to it and start its deadline."""
    o = (
        Orientation.objects.select_related("logement", "reservataire", "commune", "convention")
        .filter(pk=orientation_id, reservataire__isnull=False, notifie_le__isnull=True)
        .first()
    )
    if o is None:
        return 0
    with transaction.atomic():
        notifier(o)
    destinataires = sorted(
        User.objects.filter(memberships__organisation=o.reservataire, is_active=True).values_list("email", flat=True)
    )
    if not destinataires:
        return 0
    send_mail(
        f"Logement à pourvoir : {o.commune.nom}, T{o.typologie}",
        (
            f"Un logement vous est orienté ({o.logement.rpls_id}, {o.commune.nom}, T{o.typologie}"
            f"{', en QPV' if o.qpv else ''}), disponible le {o.date_disponibilite:%d/%m/%Y}.\n"
            f"Merci de proposer vos candidats avant le {o.date_limite_candidats:%d/%m/%Y}."
        ),
        settings.DEFAULT_FROM_EMAIL,
        destinataires,
    )
    return len(destinataires)


@shared_task(name="flux.orientation_expirer")
def orientation_expirer() -> int:
    return expirer()


# flux.tasks.OPTIONS cannot be imported here (flux.tasks imports this module at its end): same values.
IMPORT_OPTIONS = {
    "acks_late": True,
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "max_retries": 3,
    "soft_time_limit": 3300,
    "time_limit": 3600,
}


@shared_task(name="flux.import_orientations", **IMPORT_OPTIONS)
def import_orientations(job_id: str) -> None:
    from flux.services.orientation.import_tableur import orientations_import_job
    from flux.tasks import _run_and_clean

    _run_and_clean(job_id, orientations_import_job)
