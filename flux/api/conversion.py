"""API: conversions and the synthesis."""

from decimal import Decimal

from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from core.scoping import ScopedViewSetMixin
from flux import selectors
from flux.api.commun import BailleurVisibleField, JSONFrancais
from flux.forms import annee_courante
from flux.models import (
    Conversion,
    ConversionLigne,
    Methode,
)
from flux.services import conversion as conversion_services


# --- Conversions ---------------------------------------------------------------------------
class ConversionLigneSerializer(serializers.ModelSerializer):
    reservataire_nom = serializers.CharField(source="reservataire.nom", read_only=True)

    class Meta:
        model = ConversionLigne
        fields = [
            "id", "reservataire", "reservataire_nom", "nb_logements_reserves", "taux_rotation", "poids",
            "part_flux_pct", "logements_par_an", "dont_agents_pct", "perimetre_de_convention", "detail",
        ]  # fmt: skip


class ConversionSerializer(serializers.ModelSerializer):
    lignes = ConversionLigneSerializer(many=True, read_only=True)

    class Meta:
        model = Conversion
        fields = [
            "id", "bailleur", "annee", "methode", "perimetre_type", "perimetre_code", "departement", "epci", "commune",
            "taux_rotation", "taux_rotation_source", "parc_total", "non_conventionnes", "exclusions_stock", "assiette",
            "deductions_flux", "flux_brut", "flux_net", "total_reserve_pct", "part_bailleur_pct", "alertes", "entrees",
            "est_courante", "precedente", "cree_le", "lignes",
        ]  # fmt: skip


class ConversionDemandeSerializer(serializers.Serializer):
    bailleur = BailleurVisibleField()
    perimetre = serializers.CharField(max_length=20, help_text="D:<département>, E:<SIREN de l'EPCI> ou C:<commune>.")
    annee = serializers.IntegerField(min_value=2018, max_value=2100, default=annee_courante)
    methode = serializers.ChoiceField(choices=Methode.choices)
    taux_rotation = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.1"),
        max_value=50,
        required=False,
        allow_null=True,
        help_text="Taux de rotation du périmètre en % (vide : 6,3 % en Île-de-France, 9 % ailleurs).",
    )


class BasculerSerializer(serializers.Serializer):
    methode = serializers.ChoiceField(
        choices=Methode.choices, required=False, help_text="Par défaut : l'autre méthode."
    )


class ConversionFilter(filters.FilterSet):
    bailleur = filters.NumberFilter(field_name="bailleur_id", label="bailleur (identifiant)")
    departement = filters.CharFilter(field_name="departement_id", label="code département")
    methode = filters.ChoiceFilter(choices=Methode.choices)

    class Meta:
        model = Conversion
        fields = ["bailleur", "annee", "departement", "perimetre_code", "methode", "est_courante"]


class ConversionViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Conversions du stock en flux, avec toutes leurs entrées ; un POST calcule une nouvelle conversion, qui
    devient celle en vigueur pour son périmètre et son année.
    """

    parser_classes = [JSONFrancais]

    scoped_model = Conversion
    serializer_class = ConversionSerializer
    filterset_class = ConversionFilter
    ordering = ["-cree_le", "-pk"]
    ordering_fields = ["cree_le", "annee"]

    def refine_queryset(self, qs):
        return qs.prefetch_related("lignes__reservataire")

    @extend_schema(
        request=ConversionDemandeSerializer, responses={201: ConversionSerializer}, summary="Calculer une conversion"
    )
    def create(self, request):
        demande = ConversionDemandeSerializer(data=request.data, context={"request": request})
        demande.is_valid(raise_exception=True)
        conversion = conversion_services.conversion_calculer(by=request.user, **demande.validated_data)
        return Response(ConversionSerializer(conversion).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=BasculerSerializer, responses={201: ConversionSerializer}, summary="Recalculer avec l'autre méthode"
    )
    @action(detail=True, methods=["post"])
    def basculer(self, request, pk=None):
        conversion = self.get_object()
        demande = BasculerSerializer(data=request.data)
        demande.is_valid(raise_exception=True)
        nouvelle = conversion_services.conversion_basculer(
            conversion=conversion, by=request.user, methode=demande.validated_data.get("methode")
        )
        return Response(ConversionSerializer(nouvelle).data, status=status.HTTP_201_CREATED)


# --- Synthèse --------------------------------------------------------------------------------
class SyntheseLigneSerializer(serializers.Serializer):
    bailleur_id = serializers.IntegerField()
    bailleur = serializers.CharField()
    type_bailleur = serializers.CharField()
    departement = serializers.CharField()
    departement_nom = serializers.CharField()
    logements = serializers.IntegerField()
    qpv = serializers.IntegerField()
    qpv_pct = serializers.DecimalField(max_digits=6, decimal_places=1)
    plai = serializers.IntegerField()
    plus = serializers.IntegerField()
    pls = serializers.IntegerField()
    pli = serializers.IntegerField()
    autres_financements = serializers.IntegerField()
    exclusions_stock = serializers.IntegerField()
    assiette = serializers.IntegerField()
    deductions_flux = serializers.IntegerField()
    reserve_prefet = serializers.IntegerField()
    reserve_agents = serializers.IntegerField()
    reserve_als = serializers.IntegerField()
    reserve_collectivites = serializers.IntegerField()
    reserve_autres = serializers.IntegerField()
    reserve_total = serializers.IntegerField()
    reserve_pct = serializers.DecimalField(max_digits=8, decimal_places=1)
    non_reserve = serializers.IntegerField()
    methode = serializers.CharField()
    part_prefet = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    part_als = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    part_collectivites = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    part_autres = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    part_bailleur = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)


class SyntheseRequeteSerializer(serializers.Serializer):
    annee = serializers.IntegerField(min_value=2018, max_value=2100, required=False)
    departement = serializers.CharField(max_length=3, required=False)
    bailleur = serializers.IntegerField(min_value=1, max_value=2**62, required=False)


class SyntheseView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("annee", int, description="année (par défaut l'année en cours)"),
            OpenApiParameter("departement", str, description="code département"),
            OpenApiParameter("bailleur", int, description="identifiant du bailleur"),
        ],
        responses=SyntheseLigneSerializer(many=True),
        summary="Synthèse par bailleur et département",
    )
    def get(self, request):
        requete = SyntheseRequeteSerializer(data=request.query_params)
        requete.is_valid(raise_exception=True)
        p = requete.validated_data
        lignes = selectors.synthese_lignes(
            request.user,
            annee=p.get("annee") or annee_courante(),
            departement=p.get("departement"),
            bailleur=p.get("bailleur"),
        )
        return Response(SyntheseLigneSerializer(lignes, many=True).data)
