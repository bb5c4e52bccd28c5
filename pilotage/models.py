"""Reminder preferences and the journal of reminders sent (never twice for the same reason)."""

from django.conf import settings
from django.db import models


class PreferenceRappels(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference_rappels")
    actif = models.BooleanField("recevoir les relances par courriel", default=True)
    modifie_le = models.DateTimeField("modifiée le", auto_now=True)

    class Meta:
        verbose_name = "préférence de relance"
        verbose_name_plural = "préférences de relance"

    def __str__(self):
        return f"{self.user} : relances {'activées' if self.actif else 'désactivées'}"


class TypeRappel(models.TextChoices):
    APPROBATION = "approbation", "Approbation en attente"
    SIGNATURE = "signature", "Signature en attente"
    BILAN = "bilan", "Bilan annuel à transmettre"


class EtatRappel(models.TextChoices):
    A_ENVOYER = "a_envoyer", "À envoyer"
    ENVOYE = "envoye", "Envoyé"
    ECHEC = "echec", "Échec d'envoi"


class RappelQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = "view"):
        """A person sees the reminders addressed to them."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(user=user)


class Rappel(models.Model):
    """One reminder to one person about one convention for one reason (``cle``: version, year…).

    The unique constraint is what makes a re-run of the daily task harmless.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rappels")
    convention = models.ForeignKey("conventions.Convention", on_delete=models.CASCADE, related_name="rappels")
    type = models.CharField("motif", max_length=20, choices=TypeRappel.choices)
    cle = models.CharField("clé", max_length=40)
    etat = models.CharField("état", max_length=10, choices=EtatRappel.choices, default=EtatRappel.A_ENVOYER)
    cree_le = models.DateTimeField("créé le", auto_now_add=True)
    envoye_le = models.DateTimeField("envoyé le", null=True, blank=True)
    erreur = models.CharField("erreur", max_length=300, blank=True)

    objects = RappelQuerySet.as_manager()

    class Meta:
        verbose_name = "relance"
        ordering = ["-cree_le"]
        constraints = [
            models.UniqueConstraint(fields=["user", "convention", "type", "cle"], name="rappel_unique_par_motif")
        ]
        indexes = [models.Index(fields=["etat"])]

    def __str__(self):
        return f"{self.get_type_display()} – {self.convention} – {self.user}"
