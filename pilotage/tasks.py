from celery import shared_task

from pilotage import services


@shared_task(name="pilotage.rappels_envoyer", soft_time_limit=1800, time_limit=1900)
def rappels_envoyer():
    """Daily reminders (beat). Idempotent: see pilotage.services.rappels_envoyer."""
    return services.rappels_envoyer()
