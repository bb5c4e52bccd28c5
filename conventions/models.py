"""Conventions de réservation, their immutable versions, the negotiation around them and its journal.

A Convention ties one bailleur, one réservataire and one périmètre (CCH R.441-5: one convention
per bailleur and réservataire at the scale of a département, or the territory of a commune /
EPCI réservataire). Its terms live in versions: a version is a draft (editable by the side that
wrote it) until it is proposed, and immutable from then on. Avenants are later versions of the
same convention. The status is only ever changed by conventions.workflow.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from reservataires.models import Capacite, Organisation
from territoires.models import EPCI, Commune, Departement


class Statut(models.TextChoices):
    BROUILLON = "brouillon", "Brouillon"
    EN_NEGOCIATION = "en_negociation", "En négociation"
    VALIDEE = "validee", "Validée"
    EN_SIGNATURE = "en_signature", "En signature"
    SIGNEE = "signee", "Signée"
    AVENANT_EN_COURS = "avenant_en_cours", "Avenant en cours"
    RESILIEE = "resiliee", "Résiliée"
    EXPIREE = "expiree", "Expirée"
    ABANDONNEE = "abandonnee", "Abandonnée"


# A convention in one of these statuses no longer counts as "the" convention of its triple.
STATUTS_TERMINES = (Statut.RESILIEE, Statut.EXPIREE, Statut.ABANDONNEE)
# Statuses in which a signed version is in force.
STATUTS_EN_VIGUEUR = (Statut.SIGNEE, Statut.AVENANT_EN_COURS)


class Partie(models.TextChoices):
    BAILLEUR = "bailleur", "Bailleur"
    RESERVATAIRE = "reservataire", "Réservataire"


class ModeGestion(models.TextChoices):
    DIRECTE = "directe", "Gestion directe (le réservataire désigne les candidats)"
    DELEGUEE = "deleguee", "Gestion déléguée (le bailleur désigne pour le réservataire)"


class RegleAbsenceCandidat(models.TextChoices):
    IMPUTE = "impute", "Logement imputé au réservataire (compte dans son flux)"
    COMPENSE = "compense", "Logement compensé ultérieurement au réservataire"
    RESTITUE = "restitue", "Logement rendu au bailleur sans imputation ni compensation"


class PeriodiciteBilan(models.TextChoices):
    ANNUEL = "annuel", "Annuel (avant le 28 février)"
    SEMESTRIEL = "semestriel", "Semestriel, et bilan annuel avant le 28 février"
    TRIMESTRIEL = "trimestriel", "Trimestriel, et bilan annuel avant le 28 février"


class ConventionQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = "view"):
        """The single scoping entry point for conventions.

        ``view``: members of either party, readers of the bailleur's federation, and users holding
        the guardian object permission ``conventions.view_convention``.
        ``edit``: members of either party whose role lets them draft (rédiger).
        ``sign``: members of either party holding the signataire role.
        What each may then do depends on the status: see conventions.workflow.
        """
        if not user.is_authenticated or not user.is_active:
            return self.none()
        capacite = {"view": Capacite.LIRE, "edit": Capacite.REDIGER, "sign": Capacite.SIGNER}.get(action)
        if capacite is None:
            raise ValueError(f"action inconnue : {action}")
        # The user's own organisations are read first (a list of one to a few ids): the filter is then
        # an OR of indexed conditions instead of joins through the membership table.
        mine = list(Organisation.objects.acting_for(user, capacite).values_list("pk", flat=True))
        condition = Q(bailleur_id__in=mine) | Q(reservataire_id__in=mine)
        if action == "view":
            from guardian.shortcuts import get_objects_for_user

            adherents = Organisation.objects.filter(federation_id__in=mine).values("pk")
            granted = list(
                get_objects_for_user(
                    user, "conventions.view_convention", klass=Convention, accept_global_perms=False
                ).values_list("pk", flat=True)
            )
            condition |= Q(bailleur_id__in=adherents) | Q(pk__in=granted)
        return self.filter(condition)

    def vivantes(self):
        return self.exclude(statut__in=STATUTS_TERMINES)


class Convention(models.Model):
    numero = models.CharField("numéro", max_length=40, unique=True, null=True, blank=True)
    bailleur = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="conventions_bailleur", verbose_name="bailleur"
    )
    reservataire = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="conventions_reservataire", verbose_name="réservataire"
    )
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, verbose_name="département")
    epci = models.ForeignKey(
        EPCI, on_delete=models.PROTECT, null=True, blank=True, verbose_name="territoire (EPCI réservataire)"
    )
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, null=True, blank=True, verbose_name="territoire (commune réservataire)"
    )
    # "59", "EPCI-200093201" or "COM-59512": one column so the database can enforce R.441-5.
    perimetre_code = models.CharField("périmètre", max_length=20, editable=False)
    statut = models.CharField("statut", max_length=20, choices=Statut.choices, default=Statut.BROUILLON)
    lock_version = models.PositiveIntegerField(default=1, editable=False)
    version_courante = models.ForeignKey(
        "ConventionVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version_en_vigueur = models.ForeignKey(
        "ConventionVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    motif_fin = models.TextField("motif de fin", blank=True)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="conventions_creees"
    )
    cree_le = models.DateTimeField("créée le", auto_now_add=True)
    modifie_le = models.DateTimeField("modifiée le", auto_now=True)
    statut_depuis = models.DateTimeField("statut depuis le", auto_now_add=True)
    # Milestones (first time reached), set by conventions.workflow: the dashboards chart them.
    transmise_le = models.DateTimeField("transmise le", null=True, blank=True)
    validee_le = models.DateTimeField("validée le", null=True, blank=True)
    signee_le = models.DateTimeField("signée le", null=True, blank=True)

    objects = ConventionQuerySet.as_manager()

    class Meta:
        verbose_name = "convention de réservation"
        verbose_name_plural = "conventions de réservation"
        ordering = ["-modifie_le"]
        constraints = [
            # CCH R.441-5: one convention per bailleur, réservataire and périmètre.
            models.UniqueConstraint(
                fields=["bailleur", "reservataire", "perimetre_code"],
                condition=~Q(statut__in=["resiliee", "expiree", "abandonnee"]),
                name="convention_unique_vivante_par_perimetre",
                violation_error_message=(
                    "Une convention est déjà en cours pour ce bailleur, ce réservataire et ce périmètre : "
                    "une seule convention par réservataire et par département est permise (CCH R.441-5)."
                ),
            ),
            models.CheckConstraint(
                name="convention_statut_valide", condition=Q(statut__in=[c for c, _ in Statut.choices])
            ),
            models.CheckConstraint(
                name="convention_parties_distinctes", condition=~Q(bailleur=models.F("reservataire"))
            ),
        ]
        indexes = [
            models.Index(fields=["bailleur", "departement"]),
            models.Index(fields=["reservataire", "statut"]),
            models.Index(fields=["statut"]),
        ]

    def __str__(self):
        return f"{self.numero or 'Convention'} – {self.bailleur} / {self.reservataire}"

    def save(self, *args, **kwargs):
        self.perimetre_code = self.code_perimetre(
            departement_id=self.departement_id, epci_id=self.epci_id, commune_id=self.commune_id
        )
        super().save(*args, **kwargs)

    @staticmethod
    def code_perimetre(*, departement_id: str, epci_id: str | None = None, commune_id: str | None = None) -> str:
        if commune_id:
            return f"COM-{commune_id}"
        if epci_id:
            return f"EPCI-{epci_id}"
        return str(departement_id)

    @property
    def perimetre_libelle(self) -> str:
        if self.commune_id:
            return f"Commune de {self.commune.nom}"
        if self.epci_id:
            return f"Territoire de {self.epci.nom}"
        return f"Département {self.departement}"

    @property
    def est_vivante(self) -> bool:
        return self.statut not in STATUTS_TERMINES

    @property
    def est_en_vigueur(self) -> bool:
        return self.statut in STATUTS_EN_VIGUEUR

    def partie_de(self, organisation) -> str | None:
        if organisation is None:
            return None
        if organisation.pk == self.bailleur_id:
            return Partie.BAILLEUR
        if organisation.pk == self.reservataire_id:
            return Partie.RESERVATAIRE
        return None

    def organisation_de(self, partie: str) -> Organisation:
        return self.bailleur if partie == Partie.BAILLEUR else self.reservataire

    def autre_partie(self, partie: str) -> str:
        return Partie.RESERVATAIRE if partie == Partie.BAILLEUR else Partie.BAILLEUR


class EtatVersion(models.TextChoices):
    BROUILLON = "brouillon", "Brouillon (non transmis)"
    PROPOSEE = "proposee", "Proposée"


class ConventionVersionQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = "view"):
        """Versions of visible conventions; a draft is visible only to the side writing it."""
        conventions = Convention.objects.visible_to(user, "view").values("pk")
        mine = Organisation.objects.acting_for(user).values("pk")
        return self.filter(convention__in=conventions).filter(Q(etat=EtatVersion.PROPOSEE) | Q(organisation__in=mine))


class ConventionVersion(models.Model):
    """One version of the terms. Immutable once proposed (see save())."""

    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="versions")
    numero = models.PositiveIntegerField("version n°")
    avenant_numero = models.PositiveIntegerField("avenant n°", default=0, help_text="0 pour la convention initiale.")
    etat = models.CharField("état", max_length=10, choices=EtatVersion.choices, default=EtatVersion.BROUILLON)
    base = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="derivees", verbose_name="issue de"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name="rédigée par"
    )
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    lock_version = models.PositiveIntegerField(default=1, editable=False)
    cree_le = models.DateTimeField("créée le", auto_now_add=True)
    proposee_le = models.DateTimeField("proposée le", null=True, blank=True)
    proposee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resume = models.CharField("résumé des changements", max_length=500, blank=True)

    # --- Période ----------------------------------------------------------------------------
    date_debut = models.DateField("date d'effet", null=True, blank=True)
    date_fin = models.DateField("date de fin", null=True, blank=True)
    reconduction_tacite = models.BooleanField("reconduction tacite", default=False)
    duree_reconduction_mois = models.PositiveIntegerField("durée de chaque reconduction (mois)", null=True, blank=True)
    # --- Volume des droits --------------------------------------------------------------------
    part_flux_pct = models.DecimalField(
        "part du flux annuel (%)", max_digits=5, decimal_places=2, null=True, blank=True
    )
    part_agents_pct = models.DecimalField(
        "dont agents civils et militaires de l'État (%)", max_digits=5, decimal_places=2, null=True, blank=True
    )
    part_garantie_pct = models.DecimalField(
        "dont droits issus de garanties d'emprunt (%)", max_digits=5, decimal_places=2, null=True, blank=True
    )
    nombre_annuel = models.PositiveIntegerField("nombre annuel de logements", null=True, blank=True)
    part_hors_qpv_pct = models.DecimalField(
        "part des logements hors QPV (%)", max_digits=5, decimal_places=2, null=True, blank=True
    )
    repartition_typologie = models.JSONField("répartition par typologie (%)", default=dict, blank=True)
    repartition_financement = models.JSONField("répartition par financement (%)", default=dict, blank=True)
    # --- Gestion ------------------------------------------------------------------------------
    mode_gestion = models.CharField(
        "mode de gestion", max_length=10, choices=ModeGestion.choices, default=ModeGestion.DIRECTE
    )
    delai_signalement_jours = models.PositiveIntegerField(
        "délai de signalement d'une vacance par le bailleur (jours)", null=True, blank=True
    )
    delai_proposition_jours = models.PositiveIntegerField(
        "délai de proposition de candidats par le réservataire (jours)", null=True, blank=True
    )
    nb_candidats = models.PositiveIntegerField("nombre de candidats à proposer", null=True, blank=True)
    regle_absence_candidat = models.CharField(
        "en l'absence de candidat dans le délai",
        max_length=10,
        choices=RegleAbsenceCandidat.choices,
        default=RegleAbsenceCandidat.IMPUTE,
    )
    periodicite_bilan = models.CharField(
        "bilans", max_length=12, choices=PeriodiciteBilan.choices, default=PeriodiciteBilan.ANNUEL
    )
    report_ecarts = models.BooleanField("report du déficit ou de l'excédent sur l'année suivante", default=True)

    objects = ConventionVersionQuerySet.as_manager()

    class Meta:
        verbose_name = "version de convention"
        verbose_name_plural = "versions de convention"
        ordering = ["convention", "numero"]
        constraints = [
            models.UniqueConstraint(fields=["convention", "numero"], name="version_numero_unique"),
            # Negotiation is turn-based: one draft at a time per convention.
            models.UniqueConstraint(
                fields=["convention"], condition=Q(etat="brouillon"), name="version_un_seul_brouillon"
            ),
        ]

    def __str__(self):
        label = f"version {self.numero}"
        if self.avenant_numero:
            label = f"avenant n° {self.avenant_numero}, {label}"
        return label

    def save(self, *args, **kwargs):
        if self.pk:
            stored = ConventionVersion.objects.filter(pk=self.pk).values_list("etat", flat=True).first()
            if stored == EtatVersion.PROPOSEE:
                raise ValidationError(
                    "Une version proposée est figée : toute modification passe par une nouvelle version."
                )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.etat == EtatVersion.PROPOSEE:
            raise ValidationError("Une version proposée ne peut pas être supprimée.")
        return super().delete(*args, **kwargs)

    @property
    def est_brouillon(self) -> bool:
        return self.etat == EtatVersion.BROUILLON


class Objectif(models.Model):
    """Objective of the réservataire's flux in one EPCI (``commune`` empty) or one of its communes."""

    version = models.ForeignKey(ConventionVersion, on_delete=models.CASCADE, related_name="objectifs")
    epci = models.ForeignKey(EPCI, on_delete=models.PROTECT, verbose_name="EPCI")
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, null=True, blank=True, verbose_name="commune")
    nombre = models.PositiveIntegerField("logements par an")
    nombre_hors_qpv = models.PositiveIntegerField("dont hors QPV", null=True, blank=True)

    class Meta:
        verbose_name = "objectif territorial"
        verbose_name_plural = "objectifs territoriaux"
        ordering = ["epci__nom", "commune__nom"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "epci"], condition=Q(commune__isnull=True), name="objectif_unique_epci"
            ),
            models.UniqueConstraint(
                fields=["version", "commune"], condition=Q(commune__isnull=False), name="objectif_unique_commune"
            ),
        ]

    def __str__(self):
        return f"{self.commune or self.epci} : {self.nombre}"


class Clause(models.Model):
    """A free clause (sanitised rich text) of a version, identified across versions by ``cle``."""

    version = models.ForeignKey(ConventionVersion, on_delete=models.CASCADE, related_name="clauses")
    cle = models.SlugField("identifiant", max_length=60)
    ordre = models.PositiveIntegerField("ordre", default=0)
    titre = models.CharField("titre", max_length=200)
    texte = models.TextField("texte")

    class Meta:
        verbose_name = "clause"
        ordering = ["ordre", "pk"]
        constraints = [models.UniqueConstraint(fields=["version", "cle"], name="clause_cle_unique")]

    def __str__(self):
        return self.titre


def _annexe_path(instance, filename):
    return f"conventions/{instance.version.convention_id}/annexes/{filename}"


class Annexe(models.Model):
    version = models.ForeignKey(ConventionVersion, on_delete=models.CASCADE, related_name="annexes")
    titre = models.CharField("titre", max_length=200)
    fichier = models.FileField("fichier", upload_to=_annexe_path, blank=True)
    sha256 = models.CharField("empreinte SHA-256", max_length=64, blank=True)
    texte = models.TextField("contenu", blank=True, help_text="Annexe rédigée (note de calcul, état des lieux…).")
    ordre = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "annexe"
        ordering = ["ordre", "pk"]

    def __str__(self):
        return self.titre


class Approbation(models.Model):
    version = models.ForeignKey(ConventionVersion, on_delete=models.CASCADE, related_name="approbations")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    le = models.DateTimeField("le", auto_now_add=True)
    retiree_le = models.DateTimeField("retirée le", null=True, blank=True)

    class Meta:
        verbose_name = "approbation"
        constraints = [
            models.UniqueConstraint(fields=["version", "organisation"], name="approbation_unique_par_partie")
        ]

    def __str__(self):
        return f"{self.organisation} approuve {self.version}"


class CommentaireQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = "view"):
        return self.filter(convention__in=Convention.objects.visible_to(user, "view").values("pk"))


class Commentaire(models.Model):
    """A comment on a term (``terme:<champ>``), a clause (``clause:<cle>``) or the whole version."""

    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="commentaires")
    version = models.ForeignKey(ConventionVersion, on_delete=models.CASCADE, related_name="commentaires")
    cible = models.CharField("porte sur", max_length=80, default="general")
    texte = models.TextField("commentaire")
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    cree_le = models.DateTimeField("le", auto_now_add=True)
    resolu_le = models.DateTimeField("résolu le", null=True, blank=True)
    resolu_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = CommentaireQuerySet.as_manager()

    class Meta:
        verbose_name = "commentaire"
        ordering = ["cree_le"]

    def __str__(self):
        return self.texte[:80]

    @property
    def est_resolu(self) -> bool:
        return self.resolu_le is not None


class VersionVue(models.Model):
    """The last proposed version each party has opened: the redline compares against it."""

    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(ConventionVersion, on_delete=models.CASCADE, related_name="+")
    le = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["convention", "organisation"], name="version_vue_unique")]

    def __str__(self):
        return f"{self.organisation} a vu {self.version}"


class TypeEvenement(models.TextChoices):
    CREATION = "creation", "Création"
    MODIFICATION = "modification", "Modification du projet"
    PROPOSITION = "proposition", "Proposition d'une version"
    CONTRE_PROPOSITION = "contre_proposition", "Préparation d'une contre-proposition"
    COMMENTAIRE = "commentaire", "Commentaire"
    RESOLUTION = "resolution", "Commentaire résolu"
    APPROBATION = "approbation", "Approbation"
    TRANSITION = "transition", "Changement de statut"
    DOCUMENT = "document", "Document"
    SIGNATURE = "signature", "Signature"
    RAPPEL = "rappel", "Relance"


class EvenementQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = "view"):
        return self.filter(convention__in=Convention.objects.visible_to(user, "view").values("pk"))


class Evenement(models.Model):
    """Journal: who did what, when, from which organisation. Written in the same transaction."""

    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="evenements")
    type = models.CharField("type", max_length=30, choices=TypeEvenement.choices)
    le = models.DateTimeField("le", auto_now_add=True, db_index=True)
    par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    version = models.ForeignKey(ConventionVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    statut_avant = models.CharField(max_length=20, choices=Statut.choices, blank=True)
    statut_apres = models.CharField(max_length=20, choices=Statut.choices, blank=True)
    message = models.CharField("résumé", max_length=500)
    details = models.JSONField("détails", default=dict, blank=True)

    objects = EvenementQuerySet.as_manager()

    class Meta:
        verbose_name = "événement du journal"
        verbose_name_plural = "journal des conventions"
        ordering = ["le", "pk"]
        indexes = [models.Index(fields=["convention", "le"])]

    def __str__(self):
        return self.message


def _document_path(instance, filename):
    return f"conventions/{instance.convention_id}/documents/{filename}"


class EtatDocument(models.TextChoices):
    A_PRODUIRE = "a_produire", "PDF en cours de production"
    PRET = "pret", "Prêt à signer"
    SIGNE_EN_PARTIE = "signe_en_partie", "Signé par le bailleur, en attente du réservataire"
    SIGNE = "signe", "Signé par les deux parties"
    ECHEC = "echec", "Échec de la production"
    ABANDONNE = "abandonne", "Abandonné (signature refusée ou négociation rouverte)"


class DocumentQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = "view"):
        return self.filter(convention__in=Convention.objects.visible_to(user, "view").values("pk"))


class DocumentConvention(models.Model):
    """The PDF of a validated version, as produced for signature, then as signed.

    Each signature writes a new file (an incremental update of the previous one) and its SHA-256.
    Once both parties have signed, the row and its file are frozen: save() and delete() refuse,
    and on PostgreSQL a trigger refuses any UPDATE or DELETE of a signed document.
    """

    convention = models.ForeignKey(Convention, on_delete=models.PROTECT, related_name="documents")
    version = models.ForeignKey(ConventionVersion, on_delete=models.PROTECT, related_name="documents")
    reference = models.CharField("référence", max_length=64, unique=True)
    etat = models.CharField("état", max_length=20, choices=EtatDocument.choices, default=EtatDocument.A_PRODUIRE)
    fichier = models.FileField("fichier PDF", upload_to=_document_path, blank=True, max_length=300)
    sha256 = models.CharField("empreinte SHA-256", max_length=64, blank=True)
    taille = models.PositiveIntegerField("taille (octets)", default=0)
    job = models.ForeignKey("core.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    erreur = models.TextField("erreur", blank=True)
    cree_le = models.DateTimeField("créé le", auto_now_add=True)
    produit_le = models.DateTimeField("produit le", null=True, blank=True)
    signe_le = models.DateTimeField("signé le", null=True, blank=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = "document de convention"
        verbose_name_plural = "documents de convention"
        ordering = ["-cree_le"]
        constraints = [
            # At most one document being signed per convention.
            models.UniqueConstraint(
                fields=["convention"],
                condition=Q(etat__in=["a_produire", "pret", "signe_en_partie"]),
                name="document_un_seul_en_cours",
            )
        ]

    def __str__(self):
        return self.reference

    def save(self, *args, **kwargs):
        if self.pk and DocumentConvention.objects.filter(pk=self.pk, etat=EtatDocument.SIGNE).exists():
            raise ValidationError("Un document signé ne peut plus être modifié : toute évolution passe par un avenant.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.etat == EtatDocument.SIGNE:
            raise ValidationError("Un document signé ne peut pas être supprimé.")
        return super().delete(*args, **kwargs)

    @property
    def est_signe(self) -> bool:
        return self.etat == EtatDocument.SIGNE


class Signature(models.Model):
    document = models.ForeignKey(DocumentConvention, on_delete=models.PROTECT, related_name="signatures")
    partie = models.CharField("partie", max_length=12, choices=Partie.choices)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    signataire = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    nom = models.CharField("nom du signataire", max_length=200)
    fonction = models.CharField("fonction", max_length=200, blank=True)
    le = models.DateTimeField("signé le")
    sha256 = models.CharField("empreinte du fichier après signature", max_length=64)

    class Meta:
        verbose_name = "signature"
        ordering = ["le"]
        constraints = [models.UniqueConstraint(fields=["document", "partie"], name="signature_une_par_partie")]

    def __str__(self):
        return f"{self.nom} ({self.organisation}) le {self.le:%d/%m/%Y}"


__all__ = [
    "Annexe",
    "Approbation",
    "Clause",
    "Commentaire",
    "Convention",
    "ConventionVersion",
    "DocumentConvention",
    "EtatDocument",
    "EtatVersion",
    "Evenement",
    "ModeGestion",
    "Objectif",
    "Partie",
    "PeriodiciteBilan",
    "RegleAbsenceCandidat",
    "STATUTS_EN_VIGUEUR",
    "STATUTS_TERMINES",
    "Signature",
    "Statut",
    "TypeEvenement",
    "VersionVue",
]
