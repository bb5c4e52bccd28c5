"""The bailleur's patrimony: one row per dwelling, as declared to the RPLS.

Geography is denormalised (département, EPCI, EPT of the current commune) so the flux
engine can GROUP BY bailleur × département × EPCI × QPV × typologie over ≈ 5.3 M rows
without joining the referential.
"""

from django.db import models
from django.utils import timezone

from flux.models.scoping import BailleurScopedQuerySet


class Financement(models.TextChoices):
    """Initial financing, grouped as in flux conventions (RPLS codes in CODES_RPLS)."""

    PLAI = "PLAI", "PLAI (PLA d'intégration, PLA très social)"
    PLUS = "PLUS", "PLUS (et PLA ordinaire)"
    PLS = "PLS", "PLS (PPLS, PCLS, PLA CFF)"
    PLI = "PLI", "PLI"
    ANCIEN = "ANCIEN", "Financements antérieurs à 1977 (HBM, HLM/O, PLR/PSR, ILM, ILN…)"
    AUTRE = "AUTRE", "Autre financement (PAP locatif, PCL, autre)"


# RPLS "financement initial" codes (arrêté of 5 January 2010 as amended, table 2, field 32).
CODES_RPLS = {
    "10": Financement.PLAI,  # PLA d'intégration (LLTS dans les DOM)
    "11": Financement.PLAI,  # PLA loyer minoré / très social / insertion
    "12": Financement.PLUS,  # PLA ordinaire
    "13": Financement.PLUS,  # PLUS (LLS dans les DOM)
    "14": Financement.PLS,  # PLS / PPLS / PCLS / PLA CFF
    "15": Financement.AUTRE,  # PAP locatif
    "16": Financement.PLI,  # PLI
    "17": Financement.AUTRE,  # PCL
    "49": Financement.AUTRE,  # autre financement (depuis 1977)
    "50": Financement.ANCIEN,  # HBM
    "51": Financement.ANCIEN,  # PLR / PSR
    "52": Financement.ANCIEN,  # HLM/O
    "53": Financement.ANCIEN,  # ILM
    "54": Financement.ANCIEN,  # ILN
    "55": Financement.ANCIEN,  # prêts spéciaux du CFF
    "99": Financement.ANCIEN,  # autre financement avant 1977
}


class Logement(models.Model):
    bailleur = models.ForeignKey(
        "reservataires.Organisation", on_delete=models.CASCADE, related_name="logements", db_index=False
    )
    rpls_id = models.CharField("identifiant RPLS", max_length=20)
    # Two indexes only (the unique key and the engine's), each one more costing ≈ 10 % of an import.
    # The geography is written only by the staging upsert, which takes it from the referential
    # in the same statement: no database FK constraint (a deferred check per row and per key
    # would double the cost of a 1 M-row import). PROTECT still applies through the ORM.
    commune = models.ForeignKey(
        "territoires.Commune",
        on_delete=models.PROTECT,
        related_name="logements_sociaux",
        db_index=False,
        db_constraint=False,
    )
    # Denormalised from the commune (kept in sync by patrimoine_resync_geo).
    departement = models.ForeignKey(
        "territoires.Departement", on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    epci = models.ForeignKey(
        "territoires.EPCI",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    ept = models.ForeignKey(
        "territoires.EPCI",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    qpv = models.BooleanField("en QPV", default=False)
    qpv_code = models.CharField("code QPV", max_length=12, blank=True)
    qpv_millesime = models.PositiveSmallIntegerField("millésime de la géographie prioritaire", null=True, blank=True)
    nb_pieces = models.PositiveSmallIntegerField("nombre de pièces")
    typologie = models.PositiveSmallIntegerField("typologie (T1 à T6 et plus)")
    financement = models.CharField("financement", max_length=6, choices=Financement.choices)
    code_financement = models.CharField("code de financement RPLS", max_length=10, blank=True)
    annee_construction = models.PositiveSmallIntegerField("année d'achèvement", null=True, blank=True)
    surface = models.DecimalField("surface habitable (m²)", max_digits=6, decimal_places=2, null=True, blank=True)
    loyer = models.DecimalField("loyer principal (€/mois)", max_digits=8, decimal_places=2, null=True, blank=True)
    conventionne = models.BooleanField("conventionné APL", default=True)
    programme = models.CharField("programme", max_length=100, blank=True)
    cree_le = models.DateTimeField("créé le", default=timezone.now)
    modifie_le = models.DateTimeField("modifié le", default=timezone.now)

    objects = BailleurScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "logement"
        ordering = ["bailleur", "rpls_id"]
        constraints = [
            models.UniqueConstraint(fields=["bailleur", "rpls_id"], name="logement_unique_bailleur_rpls"),
            models.CheckConstraint(
                name="logement_typologie_1_6", condition=models.Q(typologie__gte=1, typologie__lte=6)
            ),
        ]
        indexes = [
            # The engine's GROUP BY, and every per-périmètre count of the conversion. The commune and
            # ``conventionne`` close the key so the engine's scan is index-only; as key columns (not
            # INCLUDE) they keep the B-tree's deduplication: the same size as on the first five alone.
            models.Index(
                fields=["bailleur", "departement", "epci", "qpv", "typologie", "commune", "conventionne"],
                name="logement_moteur_idx",
            ),
        ]

    def __str__(self):
        return f"{self.rpls_id} ({self.commune_id})"

    @property
    def typologie_libelle(self) -> str:
        return typologie_libelle(self.typologie)


def typologie_libelle(typologie: int) -> str:
    return "T6 et +" if typologie >= 6 else f"T{typologie}"
