from celery.schedules import crontab

SCHEDULE = {
    "expiration-des-conventions": {"task": "conventions.expire", "schedule": crontab(hour=1, minute=15)},
}
