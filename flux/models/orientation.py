"""Running the flux: each vacated dwelling (or first letting) oriented to a réservataire, the
candidates it proposes, the attribution outcome, and the annual bilan per convention."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from flux.models.flux_annuel import PartyScopedQuerySet


class NatureDisponibilite(models.TextChoices):
    RELOCATION = "relocation", "Logement libéré (relocation)"
    PREMIERE_LOCATION = "premiere", "Première mise en location"


class StatutOrientation(models.TextChoices):
    ORIENTE = "oriente", "Orienté, en attente de candidats"
    CANDIDATS = "candidats", "Candidats proposés"
    ATTRIBUE = "attribue", "Attribué en CALEOL"
    BAIL_SIGNE = "bail_signe", "Bail signé"
    REMIS = "remis", "Remis à disposition (délai dépassé)"
    SANS_SUITE = "sans_suite", "Sans suite (aucune attribution)"


STATUTS_OUVERTS = (StatutOrientation.ORIENTE, StatutOrientation.CANDIDATS, StatutOrientation.ATTRIBUE)


class SourceDeclaration(models.TextChoices):
    NAVIGATEUR = "navigateur", "Saisie"
    API = "api", "API"
    IMPORT = "import", "Import de fichier"


class Orientation(models.Model):
    """One available dwelling and the réservataire it goes to.

    The segment (EPCI, QPV, typologie, financement…) is copied from the dwelling when declared, so
    counts and bilans stay true to what the dwelling was when it was oriented."""

    SCOPE_FIELDS = ("bailleur", "reservataire")

    bailleur = models.ForeignKey("reservataires.Organisation", on_delete=models.CASCADE, related_name="+")
    logement = models.ForeignKey("flux.Logement", on_delete=models.PROTECT, related_name="orientations")
    nature = models.CharField("nature", max_length=12, choices=NatureDisponibilite.choices)
    date_disponibilite = models.DateField("date de disponibilité")
    annee = models.PositiveSmallIntegerField("année du flux")
    departement = models.ForeignKey("territoires.Departement", on_delete=models.PROTECT, related_name="+")
    epci = models.ForeignKey("territoires.EPCI", on_delete=models.PROTECT, related_name="+")
    commune = models.ForeignKey("territoires.Commune", on_delete=models.PROTECT, related_name="+")
    qpv = models.BooleanField("en QPV")
    typologie = models.PositiveSmallIntegerField("typologie")
    financement = models.CharField("financement", max_length=6)
    annee_construction = models.PositiveSmallIntegerField("année d'achèvement", null=True, blank=True)
    # What the application proposed, then what the bailleur confirmed (empty réservataire: own share).
    reservataire_propose = models.ForeignKey(
        "reservataires.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reservataire = models.ForeignKey(
        "reservataires.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    convention = models.ForeignKey(
        "conventions.Convention", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    motif_derogation = models.TextField("motif du choix d'un autre réservataire", blank=True)
    statut = models.CharField(
        "statut", max_length=12, choices=StatutOrientation.choices, default=StatutOrientation.ORIENTE
    )
    date_limite_candidats = models.DateField("date limite de proposition des candidats", null=True, blank=True)
    notifie_le = models.DateTimeField("réservataire notifié le", null=True, blank=True)
    # When the deadline passed: the convention's rule (conventions.RegleAbsenceCandidat) applied.
    remis_le = models.DateTimeField("remis à disposition le", null=True, blank=True)
    regle_appliquee = models.CharField("règle appliquée", max_length=20, blank=True)
    # Counts as delivered to the réservataire (false when returned or to be compensated).
    impute = models.BooleanField("imputé au réservataire", default=True)
    source = models.CharField("origine", max_length=12, choices=SourceDeclaration.choices)
    declare_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    declare_le = models.DateTimeField("déclaré le", auto_now_add=True)
    modifie_le = models.DateTimeField("modifié le", auto_now=True)
    lock_version = models.PositiveIntegerField(default=1)

    objects = PartyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "orientation d'un logement"
        verbose_name_plural = "orientations des logements"
        ordering = ["-date_disponibilite", "-pk"]
        constraints = [
            # A dwelling is never oriented twice: one vacancy per date, one open vacancy at a time.
            models.UniqueConstraint(fields=["logement", "date_disponibilite"], name="orientation_unique_vacance"),
            models.UniqueConstraint(
                fields=["logement"], condition=Q(statut__in=STATUTS_OUVERTS), name="orientation_une_ouverte"
            ),
        ]
        indexes = [
            models.Index(fields=["annee", "bailleur", "epci", "qpv", "typologie"], name="orientation_cellule_idx"),
            models.Index(fields=["statut", "date_limite_candidats"], name="orientation_echeance_idx"),
        ]

    def __str__(self):
        return f"{self.logement_id} au {self.date_disponibilite:%d/%m/%Y}"


class PropositionCandidats(models.Model):
    orientation = models.ForeignKey(Orientation, on_delete=models.CASCADE, related_name="propositions")
    reservataire = models.ForeignKey("reservataires.Organisation", on_delete=models.PROTECT, related_name="+")
    nb_candidats = models.PositiveSmallIntegerField("nombre de candidats")
    references = models.TextField("références des demandes (numéros uniques)", blank=True)
    propose_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    propose_le = models.DateTimeField("proposé le", auto_now_add=True)

    class Meta:
        verbose_name = "proposition de candidats"
        verbose_name_plural = "propositions de candidats"
        constraints = [models.CheckConstraint(name="proposition_au_moins_un", condition=Q(nb_candidats__gte=1))]

    def __str__(self):
        return f"{self.nb_candidats} candidat(s) pour {self.orientation_id}"


class DecisionCaleol(models.TextChoices):
    ATTRIBUTION = "attribution", "Attribution"
    SOUS_CONDITION = "sous_condition", "Attribution sous condition suspensive"
    NON_ATTRIBUTION = "non_attribution", "Non-attribution"
    REFUS_CANDIDAT = "refus_candidat", "Refus du candidat"


class Attribution(models.Model):
    """Outcome of the CALEOL for an oriented dwelling: feeds the bilan and the mixité indicators."""

    orientation = models.OneToOneField(Orientation, on_delete=models.CASCADE, related_name="attribution")
    decision = models.CharField("décision de la CALEOL", max_length=16, choices=DecisionCaleol.choices)
    date_caleol = models.DateField("date de la CALEOL")
    bail_signe_le = models.DateField("bail signé le", null=True, blank=True)
    premier_quartile = models.BooleanField("ménage du premier quartile de revenus", default=False)
    dalo = models.BooleanField("ménage reconnu DALO", default=False)
    prioritaire = models.BooleanField("ménage prioritaire (L.441-1)", default=False)
    relogement_renouvellement = models.BooleanField("relogement NPNRU / ORCOD", default=False)
    saisi_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    saisi_le = models.DateTimeField("saisi le", auto_now=True)

    class Meta:
        verbose_name = "attribution"

    def __str__(self):
        return f"{self.get_decision_display()} ({self.orientation_id})"


class StatutBilan(models.TextChoices):
    BROUILLON = "brouillon", "Calculé"
    PRODUIT = "produit", "Document produit"
    ENVOYE = "envoye", "Envoyé"


class Bilan(models.Model):
    """The annual bilan of one convention (CCH R.441-5-1), due before 28 February of the next year.

    ``donnees`` is the snapshot the document was built from; ``ecart`` (réalisé − objectif) is
    carried to the next year's objective when the convention says so (``report``)."""

    SCOPE_FIELDS = ("convention__bailleur", "convention__reservataire")

    convention = models.ForeignKey("conventions.Convention", on_delete=models.PROTECT, related_name="+")
    annee = models.PositiveSmallIntegerField("année du bilan")
    statut = models.CharField("statut", max_length=10, choices=StatutBilan.choices, default=StatutBilan.BROUILLON)
    objectif = models.IntegerField("objectif de l'année (report inclus)", default=0)
    report_entrant = models.IntegerField("report de l'année précédente", default=0)
    realise = models.IntegerField("logements imputés", default=0)
    ecart = models.IntegerField("écart (réalisé − objectif)", default=0)
    report = models.IntegerField("report sur l'année suivante", default=0)
    donnees = models.JSONField("données du bilan", default=dict, blank=True)
    pdf = models.FileField("document PDF", upload_to="bilans/%Y/", blank=True)
    sha256 = models.CharField("empreinte SHA-256", max_length=64, blank=True)
    calcule_le = models.DateTimeField("calculé le", auto_now=True)
    envoye_le = models.DateTimeField("envoyé le", null=True, blank=True)
    destinataires = models.JSONField("destinataires", default=list, blank=True)
    lock_version = models.PositiveIntegerField(default=1)

    objects = PartyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "bilan annuel"
        verbose_name_plural = "bilans annuels"
        ordering = ["-annee", "convention"]
        constraints = [models.UniqueConstraint(fields=["convention", "annee"], name="bilan_unique")]

    def __str__(self):
        return f"Bilan {self.annee} – {self.convention}"
