"""Stock → flux conversion runs: every input stored, so a negotiated percentage traces back."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from flux.models.scoping import BailleurScopedQuerySet


class Methode(models.TextChoices):
    RATIO_SIMPLE = "ratio_simple", "Ratio simple (logements réservés ÷ assiette)"
    ROTATION = "rotation", "Ratio pondéré par la rotation de chaque contingent"


class TypePerimetre(models.TextChoices):
    DEPARTEMENT = "departement", "Département"
    EPCI = "epci", "EPCI / EPT"
    COMMUNE = "commune", "Commune"


class Conversion(models.Model):
    """One computation for a bailleur × périmètre × year with one method.

    Recomputing (or switching method) creates a new run and makes it the current one for
    its périmètre and year; earlier runs stay, unchanged, for the record.
    """

    bailleur = models.ForeignKey("reservataires.Organisation", on_delete=models.CASCADE, related_name="conversions")
    annee = models.PositiveSmallIntegerField("année du flux")
    methode = models.CharField("méthode", max_length=20, choices=Methode.choices)
    perimetre_type = models.CharField("type de périmètre", max_length=20, choices=TypePerimetre.choices)
    perimetre_code = models.CharField("code du périmètre", max_length=12, help_text="D59, E200093201 ou C59512.")
    departement = models.ForeignKey("territoires.Departement", on_delete=models.PROTECT, related_name="+")
    epci = models.ForeignKey("territoires.EPCI", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    commune = models.ForeignKey(
        "territoires.Commune", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Inputs (all kept so the result can be recomputed by hand).
    taux_rotation = models.DecimalField("taux de rotation du périmètre (%)", max_digits=5, decimal_places=2)
    taux_rotation_source = models.CharField("origine du taux de rotation", max_length=200)
    parc_total = models.PositiveIntegerField("logements conventionnés du périmètre")
    non_conventionnes = models.PositiveIntegerField("logements non conventionnés (hors flux)", default=0)
    exclusions_stock = models.DecimalField("logements hors assiette", max_digits=12, decimal_places=2)
    assiette = models.DecimalField("assiette (logements)", max_digits=12, decimal_places=2)
    deductions_flux = models.DecimalField("logements soustraits du flux annuel", max_digits=12, decimal_places=2)
    flux_brut = models.DecimalField("flux annuel prévisionnel brut", max_digits=12, decimal_places=2)
    flux_net = models.DecimalField("flux annuel prévisionnel net", max_digits=12, decimal_places=2)
    total_reserve_pct = models.DecimalField("total des parts réservées (%)", max_digits=8, decimal_places=4)
    part_bailleur_pct = models.DecimalField("part restant au bailleur (%)", max_digits=8, decimal_places=4)
    entrees = models.JSONField("entrées détaillées", default=dict)
    alertes = models.JSONField("alertes", default=list, blank=True)
    est_courante = models.BooleanField("calcul en vigueur", default=True)
    precedente = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suivantes",
        verbose_name="calcul précédent",
    )
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cree_le = models.DateTimeField("calculée le", auto_now_add=True)

    objects = BailleurScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "conversion du stock en flux"
        verbose_name_plural = "conversions du stock en flux"
        ordering = ["-cree_le", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["bailleur", "perimetre_code", "annee"],
                condition=Q(est_courante=True),
                name="conversion_une_courante_par_perimetre",
            ),
        ]
        indexes = [models.Index(fields=["bailleur", "annee", "perimetre_code"], name="conversion_perimetre_idx")]

    def __str__(self):
        return f"Conversion {self.annee} – {self.perimetre_libelle} ({self.get_methode_display()})"

    @property
    def perimetre_libelle(self) -> str:
        if self.perimetre_type == TypePerimetre.COMMUNE:
            return str(self.commune)
        if self.perimetre_type == TypePerimetre.EPCI:
            return str(self.epci)
        return str(self.departement)

    @property
    def autre_methode(self) -> str:
        return Methode.ROTATION if self.methode == Methode.RATIO_SIMPLE else Methode.RATIO_SIMPLE


class ConversionLigne(models.Model):
    """A réservataire's share in one conversion run, with the inputs it comes from."""

    conversion = models.ForeignKey(Conversion, on_delete=models.CASCADE, related_name="lignes")
    reservataire = models.ForeignKey("reservataires.Organisation", on_delete=models.PROTECT, related_name="+")
    nb_logements_reserves = models.DecimalField("logements réservés retenus", max_digits=12, decimal_places=2)
    taux_rotation = models.DecimalField("taux de rotation retenu (%)", max_digits=5, decimal_places=2)
    poids = models.DecimalField("poids dans le flux", max_digits=14, decimal_places=4)
    part_flux_pct = models.DecimalField("part du flux (%)", max_digits=8, decimal_places=4)
    logements_par_an = models.DecimalField("logements par an (prévision)", max_digits=12, decimal_places=2)
    dont_agents_pct = models.DecimalField(
        "dont agents de l'État (%)", max_digits=8, decimal_places=4, null=True, blank=True
    )
    perimetre_de_convention = models.BooleanField(
        "périmètre de sa convention",
        default=True,
        help_text="Faux quand la convention de ce réservataire porte sur un autre périmètre (R.441-5, R.441-5-3).",
    )
    detail = models.JSONField("contingents retenus", default=list)

    class Meta:
        verbose_name = "part d'un réservataire"
        verbose_name_plural = "parts des réservataires"
        ordering = ["conversion", "-part_flux_pct", "reservataire__nom"]
        constraints = [
            models.UniqueConstraint(fields=["conversion", "reservataire"], name="conversion_ligne_unique"),
        ]

    def __str__(self):
        return f"{self.reservataire} : {self.part_flux_pct} %"
