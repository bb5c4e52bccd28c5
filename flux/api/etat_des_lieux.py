"""API: état des lieux lines and exclusions."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from core.scoping import ScopedViewSetMixin
from flux.api.commun import BailleurVisibleField, JSONFrancais
from flux.models import (
    CategorieExclusion,
    Exclusion,
    Fondement,
    ReservationStock,
)
from flux.services import etat_des_lieux as etat_services
from flux.services import exclusions as exclusion_services
from reservataires.models import Organisation
from territoires.models import Departement


# --- État des lieux -------------------------------------------------------------------------
class ReservationStockSerializer(serializers.ModelSerializer):
    bailleur = BailleurVisibleField()
    reservataire = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.reservataires().filter(actif=True))
    reservataire_nom = serializers.CharField(source="reservataire.nom", read_only=True)
    departement = serializers.PrimaryKeyRelatedField(queryset=Departement.objects.all())
    commune = serializers.CharField(
        source="commune_id", max_length=5, required=False, allow_blank=True, allow_null=True
    )
    rpls_ids = serializers.ListField(
        child=serializers.CharField(max_length=20),
        required=False,
        max_length=10_000,
        help_text="Identifiants RPLS des logements réservés (patrimoine du bailleur).",
    )
    programmes = serializers.ListField(child=serializers.CharField(max_length=100), required=False, max_length=500)
    nb_logements = serializers.IntegerField(min_value=1, max_value=1_000_000, required=False)
    taux_rotation = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False, allow_null=True
    )

    class Meta:
        model = ReservationStock
        fields = [
            "id", "bailleur", "reservataire", "reservataire_nom", "departement", "commune", "fondement", "nb_logements",
            "rpls_ids", "programmes", "date_debut", "date_fin", "date_fin_pret", "droit_de_suite", "taux_rotation",
            "reference", "source", "commentaire", "lock_version", "cree_le", "modifie_le",
        ]  # fmt: skip
        read_only_fields = ["source", "cree_le", "modifie_le"]
        extra_kwargs = {"lock_version": {"required": False}}
        validators = []

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list):
            fields["bailleur"].read_only = True
        return fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["rpls_ids"] = list(instance.logements.values_list("rpls_id", flat=True))
        return data


class ReservationStockFilter(filters.FilterSet):
    bailleur = filters.NumberFilter(field_name="bailleur_id", label="bailleur (identifiant)")
    reservataire = filters.NumberFilter(field_name="reservataire_id", label="réservataire (identifiant)")
    departement = filters.CharFilter(field_name="departement_id", label="code département")
    fondement = filters.ChoiceFilter(choices=Fondement.choices)
    vivantes_en = filters.NumberFilter(method="filtrer_vivantes", label="encore actives durant cette année")

    class Meta:
        model = ReservationStock
        fields = ["bailleur", "reservataire", "departement", "fondement", "reference"]

    def filtrer_vivantes(self, queryset, name, value):
        if not 1900 <= value <= 2200:
            return queryset.none()
        return queryset.vivantes(int(value))


def _donnees(validated: dict) -> dict:
    d = dict(validated)
    d.pop("bailleur", None)
    d.pop("lock_version", None)
    if "commune_id" in d:
        d["commune"] = (d.pop("commune_id") or "").upper()
    return d


class ReservationStockViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """État des lieux des réservations : visible du bailleur, du réservataire concerné et de la fédération du
    bailleur ; modifiable par les rédacteurs du bailleur.
    """

    parser_classes = [JSONFrancais]

    scoped_model = ReservationStock
    serializer_class = ReservationStockSerializer
    filterset_class = ReservationStockFilter
    ordering_fields = ["nb_logements", "date_fin", "modifie_le"]
    ordering = ["bailleur_id", "departement_id", "pk"]

    def refine_queryset(self, qs):
        return qs.select_related("reservataire").prefetch_related("logements")

    def perform_create(self, serializer):
        d = serializer.validated_data
        serializer.instance = etat_services.reservation_create(
            bailleur=d["bailleur"], by=self.request.user, **_donnees(d)
        )

    def perform_update(self, serializer):
        d = serializer.validated_data
        serializer.instance = etat_services.reservation_update(
            reservation=serializer.instance, by=self.request.user, expected_version=d.get("lock_version"), **_donnees(d)
        )

    def perform_destroy(self, instance):
        etat_services.reservation_delete(reservation=instance, by=self.request.user)


# --- Exclusions ---------------------------------------------------------------------------
class ExclusionSerializer(serializers.ModelSerializer):
    bailleur = BailleurVisibleField()
    departement = serializers.PrimaryKeyRelatedField(queryset=Departement.objects.all())
    annee = serializers.IntegerField(min_value=2018, max_value=2100)
    nb_logements = serializers.IntegerField(min_value=0, max_value=1_000_000)
    porte_sur = serializers.SerializerMethodField()

    class Meta:
        model = Exclusion
        fields = [
            "id",
            "bailleur",
            "departement",
            "annee",
            "categorie",
            "nb_logements",
            "porte_sur",
            "commentaire",
            "modifie_le",
        ]
        read_only_fields = ["modifie_le"]
        validators = []

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list):
            fields["bailleur"].read_only = True
        return fields

    @extend_schema_field({"type": "string", "enum": ["stock", "flux"]})
    def get_porte_sur(self, exclusion) -> str:
        return "stock" if exclusion.porte_sur_le_stock else "flux"


class ExclusionFilter(filters.FilterSet):
    bailleur = filters.NumberFilter(field_name="bailleur_id", label="bailleur (identifiant)")
    departement = filters.CharFilter(field_name="departement_id", label="code département")
    categorie = filters.ChoiceFilter(choices=CategorieExclusion.choices)

    class Meta:
        model = Exclusion
        fields = ["bailleur", "departement", "annee", "categorie"]


class ExclusionViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Prévisions de logements sortis de l'assiette ou du flux ; un POST remplace la valeur d'une catégorie déjà
    renseignée.
    """

    parser_classes = [JSONFrancais]

    scoped_model = Exclusion
    serializer_class = ExclusionSerializer
    filterset_class = ExclusionFilter
    ordering = ["annee", "departement_id", "categorie"]
    ordering_fields = ["annee", "nb_logements"]

    def perform_create(self, serializer):
        d = dict(serializer.validated_data)
        serializer.instance = exclusion_services.exclusion_save(by=self.request.user, **d)

    def perform_update(self, serializer):
        d = dict(serializer.validated_data)
        d.pop("bailleur", None)
        serializer.instance = exclusion_services.exclusion_update(
            exclusion=serializer.instance, by=self.request.user, **d
        )

    def perform_destroy(self, instance):
        exclusion_services.exclusion_delete(exclusion=instance, by=self.request.user)
