"""Celery application.

Production and tests use the Redis broker given by REDIS_URL; the embedded demo runs
tasks eagerly (CELERY_TASK_ALWAYS_EAGER=true). Periodic tasks are declared next to their
code, in each project app's optional ``beat.py`` (a ``SCHEDULE`` dict), and merged here.
"""

import importlib
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("flux_reservations")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

PROJECT_APPS = ("core", "territoires", "reservataires", "conventions", "flux", "pilotage")


@app.on_after_finalize.connect
def _collect_beat_schedule(sender, **kwargs):
    schedule = {}
    for label in PROJECT_APPS:
        try:
            module = importlib.import_module(f"{label}.beat")
        except ModuleNotFoundError as exc:
            if exc.name != f"{label}.beat":
                raise
            continue
        schedule.update(module.SCHEDULE)
    sender.conf.beat_schedule = schedule
