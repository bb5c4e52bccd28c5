"""État des lieux des réservations (stock still alive) and exclusions from the assiette."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q

from flux.models.scoping import BailleurScopedQuerySet, bailleur_scope
from reservataires.models import Organisation


class Fondement(models.TextChoices):
    """Legal basis of a reservation in stock (CCH L.441-1, R.441-5)."""

    PREFET_PRIORITAIRES = "prefet_prioritaires", "Contingent préfectoral – publics prioritaires"
    PREFET_AGENTS = "prefet_agents", "Contingent préfectoral – agents civils et militaires de l'État"
    ACTION_LOGEMENT = "action_logement", "Action Logement (participation des employeurs)"
    GARANTIE_EMPRUNT = "garantie_emprunt", "Garantie d'emprunt"
    APPORT = "apport", "Apport de terrain ou de financement"
    AUTRE = "autre", "Autre fondement"


FONDEMENTS_PREFET = (Fondement.PREFET_PRIORITAIRES, Fondement.PREFET_AGENTS)
# Loan-guarantee rights run to the end of the loan plus five years (CCH L.441-1, as amended by ELAN).
ANNEES_APRES_FIN_DE_PRET = 5


def fin_des_droits_garantie(date_fin_pret: datetime.date) -> datetime.date:
    """The proposed end of a loan-guarantee right: the loan's end + 5 years (29 Feb → 28 Feb)."""
    annee = date_fin_pret.year + ANNEES_APRES_FIN_DE_PRET
    try:
        return date_fin_pret.replace(year=annee)
    except ValueError:
        return date_fin_pret.replace(year=annee, day=28)


class SourceReservation(models.TextChoices):
    SAISIE = "saisie", "Saisie dans l'application"
    IMPORT = "import", "Import de tableur"
    GENERATEUR = "generateur", "Données générées (démonstration)"


class ReservationStockQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = "view"):
        """The bailleur, the réservataire party and the bailleur's federation read; bailleur drafters write."""
        scope = bailleur_scope(user, action)
        if scope is None:
            return self.none()
        if action == "view":
            scope |= Q(reservataire__in=Organisation.objects.acting_for(user).values("pk"))
        return self.filter(scope)

    def vivantes(self, annee: int):
        """Reservations still alive during ``annee`` that carry a right on every vacancy."""
        debut, fin = datetime.date(annee, 1, 1), datetime.date(annee, 12, 31)
        return self.filter(
            Q(date_fin__isnull=True) | Q(date_fin__gte=debut),
            Q(date_debut__isnull=True) | Q(date_debut__lte=fin),
            droit_de_suite=True,
        )


class ReservationStock(models.Model):
    """One line of the état des lieux: a bailleur × réservataire right on dwellings still in stock."""

    bailleur = models.ForeignKey(
        "reservataires.Organisation", on_delete=models.CASCADE, related_name="reservations_stock"
    )
    reservataire = models.ForeignKey(
        "reservataires.Organisation", on_delete=models.PROTECT, related_name="reservations_obtenues"
    )
    departement = models.ForeignKey("territoires.Departement", on_delete=models.PROTECT, related_name="+")
    commune = models.ForeignKey(
        "territoires.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Commune du programme réservé, si la réservation porte sur un programme précis.",
    )
    fondement = models.CharField("fondement", max_length=30, choices=Fondement.choices)
    nb_logements = models.PositiveIntegerField("logements réservés")
    logements = models.ManyToManyField(
        "flux.Logement", blank=True, related_name="reservations", verbose_name="logements identifiés"
    )
    programmes = models.JSONField(
        "programmes", default=list, blank=True, help_text="Références des programmes concernés (champ programme RPLS)."
    )
    date_debut = models.DateField("début des droits", null=True, blank=True)
    date_fin = models.DateField("fin des droits", null=True, blank=True)
    date_fin_pret = models.DateField("fin du prêt garanti", null=True, blank=True)
    droit_de_suite = models.BooleanField(
        "droit de suite",
        default=True,
        help_text="Décoché : désignation unique à la première mise en location, sans droit sur les relocations.",
    )
    taux_rotation = models.DecimalField(
        "taux de rotation du contingent (%)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Si connu (historique des programmes réservés) ; sinon le taux par défaut du périmètre.",
    )
    reference = models.CharField(
        "référence",
        max_length=100,
        blank=True,
        help_text="Numéro ou référence de la convention historique ; clé des réimports de tableur.",
    )
    source = models.CharField(
        "source", max_length=20, choices=SourceReservation.choices, default=SourceReservation.SAISIE
    )
    commentaire = models.TextField("commentaire", blank=True)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cree_le = models.DateTimeField("créée le", auto_now_add=True)
    modifie_le = models.DateTimeField("modifiée le", auto_now=True)
    lock_version = models.PositiveIntegerField(default=1)

    objects = ReservationStockQuerySet.as_manager()

    class Meta:
        verbose_name = "réservation en stock (état des lieux)"
        verbose_name_plural = "réservations en stock (état des lieux)"
        ordering = ["bailleur", "departement", "reservataire__nom", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["bailleur", "reference"], condition=~Q(reference=""), name="reservation_reference_unique"
            ),
        ]
        indexes = [models.Index(fields=["bailleur", "departement", "reservataire"], name="reservation_perimetre_idx")]

    def __str__(self):
        return f"{self.reservataire} – {self.get_fondement_display()} – {self.nb_logements} logement(s)"

    def est_vivante(self, annee: int) -> bool:
        debut, fin = datetime.date(annee, 1, 1), datetime.date(annee, 12, 31)
        return (
            self.droit_de_suite
            and (self.date_fin is None or self.date_fin >= debut)
            and (self.date_debut is None or self.date_debut <= fin)
        )


class CategorieExclusion(models.TextChoices):
    """Dwellings left out of the flux (CCH R.441-5) or of its assiette."""

    MUTATION = "mutation", "Mutations internes des locataires du bailleur"
    RELOGEMENT_NPNRU = "relogement_npnru", "Relogements liés au renouvellement urbain (NPNRU / ANRU)"
    ORCOD = "orcod", "Relogements ORCOD / copropriétés dégradées (L.741-1, L.741-2)"
    HABITAT_INDIGNE = "habitat_indigne", "Relogements habitat indigne (L.521-3-1 à L.521-3-3)"
    VENTE_HLM = "vente_hlm", "Relogements liés à la vente de logements sociaux"
    RESTE_EN_STOCK = "reste_en_stock", "Réservations restant en stock (défense, sécurité intérieure, hôpitaux)"
    FOYERS = "foyers", "Logements-foyers et résidences (hors flux)"


# Counted in vacancies of the year: deducted from the annual flux.
CATEGORIES_FLUX = (
    CategorieExclusion.MUTATION,
    CategorieExclusion.RELOGEMENT_NPNRU,
    CategorieExclusion.ORCOD,
    CategorieExclusion.HABITAT_INDIGNE,
    CategorieExclusion.VENTE_HLM,
)
# Counted in dwellings: taken out of the stock the percentages are computed on.
CATEGORIES_STOCK = (CategorieExclusion.RESTE_EN_STOCK, CategorieExclusion.FOYERS)


class Exclusion(models.Model):
    """A forecast number of dwellings left out, per bailleur × département × year × category."""

    bailleur = models.ForeignKey("reservataires.Organisation", on_delete=models.CASCADE, related_name="exclusions")
    departement = models.ForeignKey("territoires.Departement", on_delete=models.PROTECT, related_name="+")
    annee = models.PositiveSmallIntegerField("année")
    categorie = models.CharField("catégorie", max_length=30, choices=CategorieExclusion.choices)
    nb_logements = models.PositiveIntegerField("nombre prévisionnel de logements")
    commentaire = models.TextField("commentaire", blank=True)
    modifie_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    modifie_le = models.DateTimeField("modifiée le", auto_now=True)

    objects = BailleurScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "exclusion de l'assiette"
        verbose_name_plural = "exclusions de l'assiette"
        ordering = ["bailleur", "annee", "departement", "categorie"]
        constraints = [
            models.UniqueConstraint(
                fields=["bailleur", "departement", "annee", "categorie"], name="exclusion_unique_par_categorie"
            ),
        ]

    def __str__(self):
        return f"{self.get_categorie_display()} {self.annee} ({self.departement_id}) : {self.nb_logements}"

    @property
    def porte_sur_le_stock(self) -> bool:
        return self.categorie in CATEGORIES_STOCK
