from celery.schedules import crontab

SCHEDULE = {
    "relances-quotidiennes": {"task": "pilotage.rappels_envoyer", "schedule": crontab(hour=7, minute=30)},
}
