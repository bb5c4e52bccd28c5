"""Referential geography from the Code officiel géographique (INSEE) and the DGCL EPCI list.

Natural codes are primary keys: set operations in SQL join on them directly, and imports
resolve a commune code without a lookup table. Loaded by ``manage.py geo_load`` from the
committed file territoires/data/decoupage-administratif.json.gz.
"""

from django.db import models


class ReferentielQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = "view"):
        """Public reference data: readable by any signed-in user."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.all()


class Region(models.Model):
    code = models.CharField("code", max_length=3, primary_key=True)
    nom = models.CharField("nom", max_length=100)

    objects = ReferentielQuerySet.as_manager()

    class Meta:
        verbose_name = "région"
        ordering = ["nom"]

    def __str__(self):
        return self.nom


class Departement(models.Model):
    code = models.CharField("code", max_length=3, primary_key=True)
    nom = models.CharField("nom", max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departements")

    objects = ReferentielQuerySet.as_manager()

    class Meta:
        verbose_name = "département"
        ordering = ["code"]

    def __str__(self):
        return f"{self.nom} ({self.code})"


class TypeEPCI(models.TextChoices):
    CC = "CC", "Communauté de communes"
    CA = "CA", "Communauté d'agglomération"
    CU = "CU", "Communauté urbaine"
    METRO = "METRO", "Métropole"
    MET69 = "MET69", "Métropole de Lyon"
    EPT = "EPT", "Établissement public territorial"


class EPCI(models.Model):
    """An EPCI à fiscalité propre, the Métropole de Lyon or an EPT of the Grand Paris.

    ``lec`` marks the EPCI subject to the attribution reform (loi Égalité et Citoyenneté),
    where the first-quartile objectives apply and the bilan is also sent. The official list
    is not in the COG: it defaults to every non-CC intercommunality and is editable.
    """

    siren = models.CharField("SIREN", max_length=9, primary_key=True)
    nom = models.CharField("nom", max_length=200)
    type = models.CharField("type", max_length=5, choices=TypeEPCI.choices)
    lec = models.BooleanField("soumis à la réforme des attributions (LEC)", default=False)
    population = models.PositiveIntegerField("population", default=0)

    objects = ReferentielQuerySet.as_manager()

    class Meta:
        verbose_name = "EPCI"
        verbose_name_plural = "EPCI"
        ordering = ["nom"]

    def __str__(self):
        return self.nom


class Commune(models.Model):
    """A current commune, or a municipal arrondissement of Paris, Lyon or Marseille.

    RPLS files locate dwellings of the three cities by arrondissement code, so the
    arrondissements are communes here too, pointing to their ``parent``.
    """

    code = models.CharField("code INSEE", max_length=5, primary_key=True)
    nom = models.CharField("nom", max_length=200)
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="communes")
    epci = models.ForeignKey(
        EPCI, on_delete=models.PROTECT, null=True, blank=True, related_name="communes", verbose_name="EPCI"
    )
    ept = models.ForeignKey(
        EPCI, on_delete=models.PROTECT, null=True, blank=True, related_name="communes_ept", verbose_name="EPT"
    )
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="arrondissements")
    population = models.PositiveIntegerField("population", default=0)

    objects = ReferentielQuerySet.as_manager()

    class Meta:
        verbose_name = "commune"
        ordering = ["code"]
        indexes = [models.Index(fields=["departement", "epci"])]

    def __str__(self):
        return f"{self.nom} ({self.code})"


class CodeCommuneHistorique(models.Model):
    """Former or delegated commune codes still found in files, mapped to today's commune."""

    code = models.CharField("code INSEE", max_length=5, primary_key=True)
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="anciens_codes")

    class Meta:
        verbose_name = "ancien code commune"

    def __str__(self):
        return f"{self.code} → {self.commune_id}"


class Referentiel(models.Model):
    """Which vintage of the geography is loaded (one row)."""

    millesime = models.PositiveIntegerField("millésime")
    source = models.CharField("source", max_length=200)
    charge_le = models.DateTimeField("chargé le", auto_now=True)

    class Meta:
        verbose_name = "référentiel géographique"

    def __str__(self):
        return f"COG {self.millesime}"
