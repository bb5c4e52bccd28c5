"""REST serializers of conventions. Input serializers only parse; writes go through conventions.services."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from conventions import rules, services, workflow
from conventions.models import (
    Annexe,
    Clause,
    Commentaire,
    Convention,
    ConventionVersion,
    DocumentConvention,
    Evenement,
    Objectif,
    Signature,
)
from conventions.services import TERM_FIELDS
from reservataires.models import Capacite, Organisation
from territoires.models import Departement


class PartieSerializer(serializers.ModelSerializer):
    type_libelle = serializers.CharField(source="get_type_display", read_only=True)

    class Meta:
        model = Organisation
        fields = ["id", "nom", "type", "type_libelle"]


class ConventionSerializer(serializers.ModelSerializer):
    statut_libelle = serializers.CharField(source="get_statut_display", read_only=True)
    bailleur = PartieSerializer(read_only=True)
    reservataire = PartieSerializer(read_only=True)
    perimetre_libelle = serializers.CharField(read_only=True)
    actions = serializers.SerializerMethodField(
        help_text="Actions que l'utilisateur peut déclencher maintenant (codes de la table des transitions)."
    )

    class Meta:
        model = Convention
        fields = [
            "id",
            "numero",
            "statut",
            "statut_libelle",
            "bailleur",
            "reservataire",
            "departement",
            "epci",
            "commune",
            "perimetre_code",
            "perimetre_libelle",
            "version_courante",
            "version_en_vigueur",
            "lock_version",
            "motif_fin",
            "cree_le",
            "modifie_le",
            "statut_depuis",
            "signee_le",
            "actions",
        ]
        read_only_fields = fields

    def get_actions(self, obj) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        return [t.action for t in workflow.actions_for(obj, request.user)]


class ConventionCreateSerializer(serializers.Serializer):
    bailleur = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.none(), help_text="Bailleur pour lequel vous rédigez."
    )
    reservataire = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.none(), help_text="Réservataire de l'annuaire (/api/v1/annuaire/)."
    )
    departement = serializers.PrimaryKeyRelatedField(
        queryset=Departement.objects.all(),
        required=False,
        allow_null=True,
        help_text="Code du département couvert (sans objet pour une commune ou un EPCI réservataire).",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            user = request.user
            self.fields["bailleur"].queryset = Organisation.objects.acting_for(user, Capacite.REDIGER).bailleurs()
            self.fields["reservataire"].queryset = Organisation.objects.visible_to(user, "annuaire").reservataires()


class ObjectifSerializer(serializers.ModelSerializer):
    epci_nom = serializers.CharField(source="epci.nom", read_only=True)
    commune_nom = serializers.CharField(source="commune.nom", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Objectif
        fields = ["epci", "epci_nom", "commune", "commune_nom", "nombre", "nombre_hors_qpv"]


class ClauseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Clause
        fields = ["cle", "ordre", "titre", "texte"]


class AnnexeSerializer(serializers.ModelSerializer):
    a_un_fichier = serializers.SerializerMethodField()

    class Meta:
        model = Annexe
        fields = ["id", "titre", "texte", "ordre", "sha256", "a_un_fichier"]

    def get_a_un_fichier(self, obj) -> bool:
        return bool(obj.fichier)


class ApprobationSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(source="organisation_id")
    par = serializers.CharField(allow_null=True)
    le = serializers.DateTimeField()


@extend_schema_field({"type": "object", "additionalProperties": {"type": "string"}, "example": {"T2": "40"}})
class RepartitionField(serializers.DictField):
    child = serializers.CharField()


class VersionSerializer(serializers.ModelSerializer):
    organisation = PartieSerializer(read_only=True)
    auteur = serializers.SerializerMethodField()
    repartition_typologie = RepartitionField(read_only=True)
    repartition_financement = RepartitionField(read_only=True)
    objectifs = ObjectifSerializer(many=True, read_only=True)
    clauses = ClauseSerializer(many=True, read_only=True)
    annexes = AnnexeSerializer(many=True, read_only=True)
    approbations = serializers.SerializerMethodField()

    class Meta:
        model = ConventionVersion
        fields = [
            "id",
            "convention",
            "numero",
            "avenant_numero",
            "etat",
            "base",
            "organisation",
            "auteur",
            "lock_version",
            "cree_le",
            "proposee_le",
            "resume",
            *TERM_FIELDS,
            "objectifs",
            "clauses",
            "annexes",
            "approbations",
        ]
        read_only_fields = fields

    def get_auteur(self, obj) -> str | None:
        return str(obj.auteur) if obj.auteur_id else None

    @extend_schema_field(ApprobationSerializer(many=True))
    def get_approbations(self, obj):
        rows = obj.approbations.filter(retiree_le__isnull=True).select_related("par")
        return [{"organisation": a.organisation_id, "par": str(a.par) if a.par else None, "le": a.le} for a in rows]


class VersionResumeSerializer(serializers.ModelSerializer):
    organisation = PartieSerializer(read_only=True)

    class Meta:
        model = ConventionVersion
        fields = ["id", "numero", "avenant_numero", "etat", "base", "organisation", "proposee_le", "resume"]
        read_only_fields = fields


# --- Draft update ----------------------------------------------------------------------------------


class ObjectifInputSerializer(serializers.Serializer):
    epci = serializers.CharField(max_length=9, help_text="SIREN de l'EPCI.")
    commune = serializers.CharField(max_length=5, required=False, allow_null=True, allow_blank=True)
    nombre = serializers.IntegerField(min_value=0, max_value=1_000_000)
    nombre_hors_qpv = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False, allow_null=True)


class ClauseInputSerializer(serializers.Serializer):
    cle = serializers.SlugField(max_length=60, required=False, allow_blank=True)
    titre = serializers.CharField(max_length=200)
    texte = serializers.CharField(allow_blank=True, max_length=100_000, help_text="HTML simple (nettoyé).")


class AnnexeInputSerializer(serializers.Serializer):
    id = serializers.IntegerField(required=False, allow_null=True, help_text="Annexe existante (garde son fichier).")
    titre = serializers.CharField(max_length=200)
    texte = serializers.CharField(allow_blank=True, required=False, max_length=100_000)


class RepartitionInputField(serializers.DictField):
    child = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100)


class VersionUpdateSerializer(serializers.ModelSerializer):
    lock_version = serializers.IntegerField(
        min_value=1, help_text="Numéro de verrou de la version lue : un numéro périmé donne un conflit (409)."
    )
    repartition_typologie = RepartitionInputField(
        required=False, help_text=f"Parts en % par typologie ({', '.join(rules.TYPOLOGIES)})."
    )
    repartition_financement = RepartitionInputField(
        required=False, help_text=f"Parts en % par financement ({', '.join(rules.FINANCEMENTS)})."
    )
    objectifs = ObjectifInputSerializer(many=True, required=False, help_text="Remplace tous les objectifs.")
    clauses = ClauseInputSerializer(many=True, required=False, help_text="Remplace toutes les clauses, dans l'ordre.")
    annexes = AnnexeInputSerializer(many=True, required=False, help_text="Remplace toutes les annexes.")

    class Meta:
        model = ConventionVersion
        fields = ["lock_version", *TERM_FIELDS, "objectifs", "clauses", "annexes"]
        extra_kwargs = {name: {"required": False} for name in TERM_FIELDS}

    def validate(self, attrs):
        return attrs


# --- Actions ---------------------------------------------------------------------------------------


class TransmettreSerializer(serializers.Serializer):
    resume = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class ApprouverSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="La version approuvée : 409 si une autre a été transmise depuis.")


class MotifSerializer(serializers.Serializer):
    motif = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ResilierSerializer(serializers.Serializer):
    motif = serializers.CharField(max_length=2000)
    date_effet = serializers.DateField(required=False, allow_null=True)


# --- Comments, journal, rules, redline -------------------------------------------------------------


class CommentaireSerializer(serializers.ModelSerializer):
    organisation = PartieSerializer(read_only=True)
    auteur = serializers.SerializerMethodField()
    version_numero = serializers.IntegerField(source="version.numero", read_only=True)
    cible_libelle = serializers.SerializerMethodField()
    est_resolu = serializers.BooleanField(read_only=True)

    class Meta:
        model = Commentaire
        fields = [
            "id",
            "version",
            "version_numero",
            "cible",
            "cible_libelle",
            "texte",
            "auteur",
            "organisation",
            "cree_le",
            "est_resolu",
            "resolu_le",
        ]
        read_only_fields = fields

    def get_auteur(self, obj) -> str | None:
        return str(obj.auteur) if obj.auteur_id else None

    def get_cible_libelle(self, obj) -> str:
        return services.cible_libelle(obj.version, obj.cible)


class CommentaireCreateSerializer(serializers.Serializer):
    texte = serializers.CharField(max_length=5000)
    cible = serializers.CharField(
        max_length=80,
        required=False,
        default="general",
        help_text="« general », « terme:<champ> » (ou « terme:objectifs ») ou « clause:<clé> ».",
    )
    version = serializers.IntegerField(
        required=False, allow_null=True, help_text="Par défaut : la version sur la table."
    )


class EvenementSerializer(serializers.ModelSerializer):
    type_evenement = serializers.CharField(source="type", read_only=True)
    type_libelle = serializers.CharField(source="get_type_display", read_only=True)
    par = serializers.SerializerMethodField()
    organisation = serializers.SerializerMethodField()
    statut_avant = serializers.CharField(read_only=True)
    statut_apres = serializers.CharField(read_only=True)

    class Meta:
        model = Evenement
        fields = [
            "id",
            "le",
            "type_evenement",
            "type_libelle",
            "par",
            "organisation",
            "version",
            "statut_avant",
            "statut_apres",
            "message",
        ]
        read_only_fields = fields

    def get_par(self, obj) -> str | None:
        return str(obj.par) if obj.par_id else None

    def get_organisation(self, obj) -> str | None:
        return obj.organisation.nom if obj.organisation_id else None


class ViolationSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    champ = serializers.CharField(allow_blank=True)
    bloquant = serializers.BooleanField()


class ControlesSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    approbation_possible = serializers.BooleanField()
    violations = ViolationSerializer(many=True)


class LigneRedlineSerializer(serializers.Serializer):
    cle = serializers.CharField()
    libelle = serializers.CharField()
    avant = serializers.CharField()
    apres = serializers.CharField()
    change = serializers.BooleanField()


class ClauseRedlineSerializer(serializers.Serializer):
    cle = serializers.CharField()
    titre = serializers.CharField()
    etat = serializers.ChoiceField(
        choices=[
            ("ajoutee", "ajoutée"),
            ("supprimee", "supprimée"),
            ("modifiee", "modifiée"),
            ("inchangee", "inchangée"),
        ]
    )
    titre_html = serializers.CharField()
    html = serializers.CharField(
        help_text='Texte de la clause en HTML échappé, avec <del class="diff-del"> et <ins class="diff-ins">.'
    )


class RedlineSerializer(serializers.Serializer):
    version = serializers.IntegerField(source="version.pk")
    base = serializers.IntegerField(source="base.pk", allow_null=True)
    nb_changements = serializers.IntegerField()
    termes = LigneRedlineSerializer(many=True)
    objectifs = LigneRedlineSerializer(many=True)
    clauses = ClauseRedlineSerializer(many=True)


class PortefeuilleQuerySerializer(serializers.Serializer):
    bailleur = serializers.IntegerField(help_text="Bailleur dont vous êtes membre.")
    departement = serializers.CharField(max_length=3, help_text="Code du département.")


class LignePortefeuilleSerializer(serializers.Serializer):
    convention = serializers.IntegerField(source="convention.pk")
    numero = serializers.CharField(source="convention.numero")
    reservataire = serializers.CharField(source="convention.reservataire.nom")
    perimetre_libelle = serializers.CharField(source="convention.perimetre_libelle")
    statut = serializers.CharField(source="convention.statut")
    version = serializers.IntegerField(source="version.pk", allow_null=True)
    part_flux_pct = serializers.DecimalField(
        source="version.part_flux_pct", max_digits=5, decimal_places=2, allow_null=True
    )
    nombre_annuel = serializers.IntegerField(source="version.nombre_annuel", allow_null=True)
    bloquantes = ViolationSerializer(many=True)
    avertissements = ViolationSerializer(many=True)


class PortefeuilleSerializer(serializers.Serializer):
    bailleur = serializers.IntegerField()
    departement = serializers.CharField()
    approbation_possible_partout = serializers.BooleanField()
    conventions = LignePortefeuilleSerializer(many=True)


class SignatureSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.nom", read_only=True)

    class Meta:
        model = Signature
        fields = ["partie", "organisation", "nom", "fonction", "le", "sha256"]


class DocumentSerializer(serializers.ModelSerializer):
    etat_libelle = serializers.CharField(source="get_etat_display", read_only=True)
    version = serializers.IntegerField(source="version.numero", read_only=True)
    signatures = SignatureSerializer(many=True, read_only=True)
    partie_attendue = serializers.SerializerMethodField()

    class Meta:
        model = DocumentConvention
        fields = [
            "id",
            "reference",
            "version",
            "etat",
            "etat_libelle",
            "sha256",
            "taille",
            "produit_le",
            "signe_le",
            "signatures",
            "partie_attendue",
        ]

    def get_partie_attendue(self, document) -> str | None:
        from conventions.signature import partie_attendue

        return partie_attendue(document)


class DocumentsSerializer(serializers.Serializer):
    documents = DocumentSerializer(many=True)


class SignerSerializer(serializers.Serializer):
    mot_de_passe = serializers.CharField(
        write_only=True, help_text="Mot de passe du signataire : la signature exige une ré-authentification."
    )


class VerificationInputSerializer(serializers.Serializer):
    fichier = serializers.FileField(help_text="Le fichier PDF à vérifier (20 Mo au plus).")


class SignatureVerifieeSerializer(serializers.Serializer):
    signataire = serializers.CharField()
    organisation = serializers.CharField()
    partie = serializers.CharField()
    signe_le = serializers.DateTimeField(allow_null=True)
    certificat_de_la_plateforme = serializers.BooleanField()
    intacte = serializers.BooleanField()
    modifiee_apres = serializers.BooleanField()
    couverture = serializers.CharField()


class VerificationSerializer(serializers.Serializer):
    verdict = serializers.CharField()
    message = serializers.CharField()
    document_de_la_plateforme = serializers.BooleanField()
    message_plateforme = serializers.CharField()
    conforme_a_l_original = serializers.BooleanField()
    reference = serializers.CharField()
    sha256 = serializers.CharField()
    signatures = SignatureVerifieeSerializer(many=True)
