"""Background jobs (tâches de fond) and their progress.

Long work (imports, allocation runs, PDF batches) runs in Celery. The browser polls the
job's page. Live progress goes through the cache (Redis in production) because the work
itself usually runs inside one database transaction whose writes other connections
cannot see until it commits; the final state is written to the database.
"""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.db.models import Q
from django.utils import timezone


class JobStatus(models.TextChoices):
    EN_ATTENTE = "en_attente", "En attente"
    EN_COURS = "en_cours", "En cours"
    TERMINEE = "terminee", "Terminée"
    ECHOUEE = "echouee", "Échouée"


class JobQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = "view"):
        from reservataires.models import Organisation

        if not user.is_authenticated or not user.is_active:
            return self.none()
        mine = Organisation.objects.acting_for(user).values("pk")
        return self.filter(Q(created_by=user) | Q(organisation__in=mine))


class Job(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField("type", max_length=50)
    label = models.CharField("libellé", max_length=300)
    organisation = models.ForeignKey(
        "reservataires.Organisation", on_delete=models.CASCADE, null=True, blank=True, related_name="jobs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="jobs"
    )
    status = models.CharField("état", max_length=20, choices=JobStatus.choices, default=JobStatus.EN_ATTENTE)
    params = models.JSONField("paramètres", default=dict, blank=True)
    done = models.BigIntegerField("avancement", default=0)
    total = models.BigIntegerField("total", default=0)
    message = models.CharField("étape", max_length=500, blank=True)
    result = models.JSONField("résultat", default=dict, blank=True)
    error = models.TextField("erreur", blank=True)
    result_file = models.FileField("fichier produit", upload_to="taches/%Y/%m/", blank=True)
    result_url = models.CharField("page du résultat", max_length=500, blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    started_at = models.DateTimeField("démarrée le", null=True, blank=True)
    finished_at = models.DateTimeField("terminée le", null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = "tâche de fond"
        verbose_name_plural = "tâches de fond"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["kind", "status"])]

    def __str__(self):
        return self.label

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.TERMINEE, JobStatus.ECHOUEE)

    # --- live progress --------------------------------------------------------------
    @property
    def _cache_key(self) -> str:
        return f"job-progress:{self.pk}"

    def report_progress(self, done: int, total: int | None = None, message: str | None = None) -> None:
        """Publish progress without touching the (possibly open) transaction."""
        state = cache.get(self._cache_key) or {"done": 0, "total": self.total, "message": self.message}
        state["done"] = done
        if total is not None:
            state["total"] = total
        if message is not None:
            state["message"] = message
        cache.set(self._cache_key, state, timeout=24 * 3600)

    def live_progress(self) -> dict:
        if self.is_finished:
            return {"done": self.done, "total": self.total, "message": self.message}
        return cache.get(self._cache_key) or {"done": self.done, "total": self.total, "message": self.message}

    def percent(self) -> int | None:
        state = self.live_progress()
        if not state.get("total"):
            return None
        return min(100, int(100 * state["done"] / state["total"]))

    # --- lifecycle (each call is its own short write) -----------------------------------
    def mark_started(self) -> None:
        Job.objects.filter(pk=self.pk).update(status=JobStatus.EN_COURS, started_at=timezone.now())
        self.status = JobStatus.EN_COURS

    def mark_finished(self, *, result: dict | None = None, message: str = "Terminé.", url: str = "") -> None:
        state = cache.get(self._cache_key) or {}
        fields = {
            "status": JobStatus.TERMINEE,
            "finished_at": timezone.now(),
            "result": result or {},
            "message": message,
            "done": state.get("total") or state.get("done") or self.total,
            "total": state.get("total") or self.total,
            "result_url": url,
        }
        Job.objects.filter(pk=self.pk).update(**fields)
        for key, value in fields.items():
            setattr(self, key, value)

    def mark_failed(self, error: str, *, result: dict | None = None) -> None:
        fields = {
            "status": JobStatus.ECHOUEE,
            "finished_at": timezone.now(),
            "error": error,
            "message": "Échec.",
            "result": result or {},
        }
        Job.objects.filter(pk=self.pk).update(**fields)
        for key, value in fields.items():
            setattr(self, key, value)
