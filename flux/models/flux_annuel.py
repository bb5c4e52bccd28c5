"""The annual flux: its inputs (turnover, programmes to deliver, réservataires' targets), each
computation run, and its results (forecast cells and whole-dwelling allocations).

A *cell* is bailleur × département × EPCI × QPV/hors QPV × typologie: the finest grain the
engine forecasts and apportions. Results hang off one ``CalculFlux`` run; re-running a year
replaces that year's results (see flux.services.flux_annuel).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from flux.models.scoping import BailleurScopedQuerySet, bailleur_scope
from reservataires.models import Organisation


class PartyScopedQuerySet(models.QuerySet):
    """Rows of a bailleur that also concern one réservataire: both parties see them, the bailleur's
    federation reads them (field names given by the model's ``SCOPE_FIELDS``)."""

    def visible_to(self, user, action: str = "view"):
        bailleur_field, reservataire_field = self.model.SCOPE_FIELDS
        scope = bailleur_scope(user, action, bailleur_field)
        if scope is None:
            return self.none()
        if action == "view" and reservataire_field:
            scope |= Q(**{f"{reservataire_field}__in": Organisation.objects.acting_for(user).values("pk")})
        return self.filter(scope)


class TauxRotation(models.Model):
    """Configured turnover rate of a bailleur's stock in a département, used when no history exists."""

    bailleur = models.ForeignKey("reservataires.Organisation", on_delete=models.CASCADE, related_name="+")
    departement = models.ForeignKey("territoires.Departement", on_delete=models.PROTECT, related_name="+")
    taux_pct = models.DecimalField("taux de rotation (%)", max_digits=5, decimal_places=2)
    modifie_le = models.DateTimeField("modifié le", auto_now=True)

    objects = BailleurScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "taux de rotation configuré"
        constraints = [
            models.UniqueConstraint(fields=["bailleur", "departement"], name="taux_rotation_unique"),
            models.CheckConstraint(name="taux_rotation_0_100", condition=Q(taux_pct__gte=0) & Q(taux_pct__lte=100)),
        ]

    def __str__(self):
        return f"{self.bailleur} {self.departement_id} : {self.taux_pct} %"


class RotationObservee(models.Model):
    """History: dwellings vacated (relettings) in a past year, per bailleur × EPCI × segment."""

    bailleur = models.ForeignKey("reservataires.Organisation", on_delete=models.CASCADE, related_name="+")
    departement = models.ForeignKey("territoires.Departement", on_delete=models.PROTECT, related_name="+")
    epci = models.ForeignKey("territoires.EPCI", on_delete=models.PROTECT, related_name="+")
    annee = models.PositiveSmallIntegerField("année")
    qpv = models.BooleanField("en QPV", default=False)
    typologie = models.PositiveSmallIntegerField("typologie")
    logements = models.PositiveIntegerField("logements du parc")
    liberations = models.PositiveIntegerField("logements libérés dans l'année")

    objects = BailleurScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "rotation observée"
        verbose_name_plural = "rotations observées"
        constraints = [
            models.UniqueConstraint(
                fields=["bailleur", "departement", "epci", "annee", "qpv", "typologie"], name="rotation_unique"
            ),
        ]

    def __str__(self):
        return f"Rotation {self.annee} {self.epci_id} : {self.liberations}/{self.logements}"


class MiseEnService(models.Model):
    """A programme to be delivered: its first lettings join the flux of the year."""

    bailleur = models.ForeignKey("reservataires.Organisation", on_delete=models.CASCADE, related_name="+")
    commune = models.ForeignKey("territoires.Commune", on_delete=models.PROTECT, related_name="+")
    annee = models.PositiveSmallIntegerField("année de livraison")
    programme = models.CharField("programme", max_length=200)
    nb_logements = models.PositiveIntegerField("logements livrés")
    qpv = models.BooleanField("en QPV", default=False)
    typologie = models.PositiveSmallIntegerField("typologie dominante", default=3)
    modifie_le = models.DateTimeField("modifié le", auto_now=True)

    objects = BailleurScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "mise en service prévue"
        verbose_name_plural = "mises en service prévues"
        ordering = ["annee", "programme"]

    def __str__(self):
        return f"{self.programme} ({self.annee}, {self.nb_logements} logements)"


class CibleReservataire(models.Model):
    """A réservataire's own annual target in an EPCI (what Action Logement aims to obtain)."""

    reservataire = models.ForeignKey("reservataires.Organisation", on_delete=models.CASCADE, related_name="+")
    epci = models.ForeignKey("territoires.EPCI", on_delete=models.PROTECT, related_name="+")
    annee = models.PositiveSmallIntegerField("année")
    nombre = models.PositiveIntegerField("objectif annuel (logements)")
    modifie_le = models.DateTimeField("modifié le", auto_now=True)

    class QuerySet(models.QuerySet):
        def visible_to(self, user, action: str = "view"):
            from reservataires.models import Capacite

            if not user.is_authenticated or not user.is_active:
                return self.none()
            capacite = Capacite.LIRE if action == "view" else Capacite.REDIGER
            return self.filter(reservataire__in=Organisation.objects.acting_for(user, capacite).values("pk"))

    objects = QuerySet.as_manager()

    class Meta:
        verbose_name = "cible du réservataire"
        constraints = [
            models.UniqueConstraint(fields=["reservataire", "epci", "annee"], name="cible_unique"),
        ]

    def __str__(self):
        return f"Cible {self.annee} {self.epci_id} : {self.nombre}"


class ModeCalcul(models.TextChoices):
    SIGNEES = "signees", "Conventions signées (les autres relèvent du préfet)"
    PROJETS = "projets", "Simulation : conventions signées et projets en cours"


class CalculFluxQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = "view"):
        """Runs of a bailleur (bailleur members, its federation); national runs (no bailleur) are
        seen by staff only."""
        scope = bailleur_scope(user, action)
        if scope is None:
            return self.none()
        if user.is_staff:
            scope |= Q(bailleur__isnull=True)
        return self.filter(scope)


class CalculFlux(models.Model):
    """One computation of a year's flux, for one bailleur (or for all, ``bailleur`` empty)."""

    annee = models.PositiveSmallIntegerField("année")
    bailleur = models.ForeignKey(
        "reservataires.Organisation", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    mode = models.CharField("conventions prises en compte", max_length=10, choices=ModeCalcul.choices)
    # Progress, failure and outcome are those of the background job (core.jobs) that runs it.
    job = models.OneToOneField("core.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    lance_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cree_le = models.DateTimeField("lancé le", auto_now_add=True)
    termine_le = models.DateTimeField("terminé le", null=True, blank=True)
    duree_s = models.FloatField("durée (s)", null=True, blank=True)
    resume = models.JSONField("résumé", default=dict, blank=True)

    objects = CalculFluxQuerySet.as_manager()

    class Meta:
        verbose_name = "calcul du flux annuel"
        verbose_name_plural = "calculs du flux annuel"
        ordering = ["-cree_le"]

    def __str__(self):
        return f"Flux {self.annee} ({self.get_mode_display()})"


class FluxCellule(models.Model):
    """The forecast flux of one cell (bailleur × département × EPCI × QPV × typologie).

    A run replaces the rows of the same (année, mode) for the bailleurs it covers, so the rows of a
    year and mode are always the results in force, whichever run wrote them."""

    calcul = models.ForeignKey(CalculFlux, on_delete=models.CASCADE, related_name="cellules")
    annee = models.PositiveSmallIntegerField("année")
    mode = models.CharField("conventions prises en compte", max_length=10, choices=ModeCalcul.choices)
    # Indexed by the unique constraint, which leads with it.
    bailleur = models.ForeignKey(
        "reservataires.Organisation", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    departement = models.ForeignKey(
        "territoires.Departement", on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    epci = models.ForeignKey(
        "territoires.EPCI", on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    qpv = models.BooleanField("en QPV")
    typologie = models.PositiveSmallIntegerField("typologie")
    logements = models.PositiveIntegerField("logements du parc")
    taux_rotation_pct = models.DecimalField("taux de rotation retenu (%)", max_digits=6, decimal_places=3)
    source_rotation = models.CharField("origine du taux", max_length=12)  # "historique" | "configure" | "defaut"
    relocations = models.DecimalField("relocations prévues", max_digits=12, decimal_places=3)
    mises_en_service = models.PositiveIntegerField("premières mises en location", default=0)
    exclusions = models.PositiveIntegerField("logements soustraits du flux", default=0)
    flux = models.PositiveIntegerField("flux annuel (logements)")

    objects = BailleurScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "cellule du flux annuel"
        # A national run writes ~100,000 cells: one unique index (it serves the bailleur's reads), the
        # calcul's foreign-key index, nothing else to maintain.
        constraints = [
            models.UniqueConstraint(
                fields=["bailleur", "annee", "mode", "departement", "epci", "qpv", "typologie"],
                name="fluxcellule_unique",
            ),
        ]

    def __str__(self):
        return f"Flux {self.annee} {self.epci_id} : {self.flux}"


class MotifAllocation(models.TextChoices):
    CONVENTION = "convention", "Convention de réservation"
    PREFET_SANS_CONVENTION = "prefet_defaut", "Flux relevant du préfet (convention non signée)"
    BAILLEUR = "bailleur", "Part non réservée du bailleur"


class FluxAllocation(models.Model):
    """Whole dwellings of one cell allocated to one réservataire (``reservataire`` empty: the
    bailleur's own share). ``quota`` keeps the exact share before rounding.

    ``calcul``, ``annee``, ``mode``, ``bailleur``, ``epci``, ``qpv`` and ``typologie`` repeat the cell's,
    and ``reservataire`` the convention's, for the readers' filters: the database checks the cell and
    the convention (foreign keys), not the copies, whose checks cost a national run ~600,000 lookups.
    The ORM's cascades still apply to them."""

    SCOPE_FIELDS = ("bailleur", "reservataire")

    cellule = models.ForeignKey(FluxCellule, on_delete=models.CASCADE, related_name="allocations")
    calcul = models.ForeignKey(CalculFlux, on_delete=models.CASCADE, related_name="allocations", db_constraint=False)
    annee = models.PositiveSmallIntegerField("année")
    mode = models.CharField("conventions prises en compte", max_length=10, choices=ModeCalcul.choices)
    bailleur = models.ForeignKey(
        "reservataires.Organisation", on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    epci = models.ForeignKey(
        "territoires.EPCI", on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    qpv = models.BooleanField("en QPV")
    typologie = models.PositiveSmallIntegerField("typologie")
    reservataire = models.ForeignKey(
        "reservataires.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    convention = models.ForeignKey(
        "conventions.Convention", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    motif = models.CharField("motif", max_length=16, choices=MotifAllocation.choices)
    quota = models.DecimalField("quote-part exacte", max_digits=14, decimal_places=6)
    logements = models.PositiveIntegerField("logements attribués au réservataire")

    class QuerySet(PartyScopedQuerySet):
        def en_vigueur(self, annee: int):
            """The allocations the year is run on (signed conventions)."""
            return self.filter(annee=annee, mode=ModeCalcul.SIGNEES)

    objects = QuerySet.as_manager()

    class Meta:
        verbose_name = "allocation du flux"
        verbose_name_plural = "allocations du flux"
        # Integer keys only (the readers filter on a party and a year, then on the cells' columns):
        # each index costs a national run ~300,000 insertions.
        indexes = [
            models.Index(fields=["bailleur", "annee"], name="fluxalloc_bailleur_idx"),
            models.Index(fields=["reservataire", "annee"], name="fluxalloc_reservataire_idx"),
        ]

    def __str__(self):
        return f"Allocation {self.annee} {self.epci_id} : {self.logements}"
