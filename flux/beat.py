from celery.schedules import crontab

SCHEDULE = {
    "orientations-delais-echus": {"task": "flux.orientation_expirer", "schedule": crontab(hour=2, minute=5)},
}
