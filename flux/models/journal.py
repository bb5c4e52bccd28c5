"""Journal of what happened to a bailleur's flux data (imports, edits, conversions)."""

from django.conf import settings
from django.db import models

from flux.models.scoping import BailleurScopedQuerySet


class Evenement(models.Model):
    bailleur = models.ForeignKey("reservataires.Organisation", on_delete=models.CASCADE, related_name="evenements_flux")
    type = models.CharField("type", max_length=50)
    message = models.CharField("message", max_length=500)
    details = models.JSONField("détails", default=dict, blank=True)
    par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    le = models.DateTimeField("le", auto_now_add=True)

    objects = BailleurScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "événement du patrimoine"
        ordering = ["-le", "-pk"]
        indexes = [models.Index(fields=["bailleur", "-le"], name="evenement_bailleur_idx")]

    def __str__(self):
        return self.message
