"""API of the orientations: list and read (both parties see them), declare (bailleur), propose
candidates (réservataire), record the CALEOL outcome (bailleur)."""

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.scoping import ScopedViewSetMixin
from flux.api.commun import JSONFrancais
from flux.models import DecisionCaleol, Logement, NatureDisponibilite, Orientation, SourceDeclaration, StatutOrientation
from flux.services.orientation import actions
from reservataires.models import Organisation


class OrientationSerializer(serializers.ModelSerializer):
    rpls_id = serializers.CharField(source="logement.rpls_id", read_only=True)

    class Meta:
        model = Orientation
        fields = [
            "id",
            "bailleur",
            "logement",
            "rpls_id",
            "nature",
            "date_disponibilite",
            "annee",
            "epci",
            "commune",
            "qpv",
            "typologie",
            "financement",
            "reservataire_propose",
            "reservataire",
            "convention",
            "motif_derogation",
            "statut",
            "date_limite_candidats",
            "notifie_le",
            "remis_le",
            "regle_appliquee",
            "impute",
            "source",
            "declare_le",
            "lock_version",
        ]
        read_only_fields = fields


class OrientationFilter(django_filters.FilterSet):
    statut = django_filters.ChoiceFilter(choices=StatutOrientation.choices)

    class Meta:
        model = Orientation
        fields = ["statut", "annee", "bailleur", "reservataire", "epci", "qpv", "typologie"]


class PartPropositionSerializer(serializers.Serializer):
    reservataire = serializers.IntegerField(allow_null=True, help_text="vide : part propre du bailleur")
    reservataire_nom = serializers.CharField()
    alloues = serializers.IntegerField()
    livres = serializers.IntegerField()
    retard = serializers.FloatField()


class PropositionSerializer(serializers.Serializer):
    reservataire_propose = serializers.IntegerField(allow_null=True, help_text="vide : part propre du bailleur")
    reservataire_propose_nom = serializers.CharField()
    origine = serializers.CharField(help_text="cellule, epci ou bailleur : règle appliquée")
    explication = serializers.CharField()
    parts = PartPropositionSerializer(many=True)


def _proposition_data(proposition) -> dict:
    lignes = actions.proposition_lignes(proposition)
    propose = next((lg for lg in lignes if lg.propose), None)
    return {
        "reservataire_propose": proposition.reservataire_id,
        "reservataire_propose_nom": propose.nom if propose else "Part propre du bailleur",
        "origine": proposition.origine,
        "explication": proposition.explication,
        "parts": [
            {
                "reservataire": lg.reservataire.pk if lg.reservataire else None,
                "reservataire_nom": lg.nom,
                "alloues": lg.alloues,
                "livres": lg.livres,
                "retard": round(lg.retard, 4),
            }
            for lg in lignes
        ],
    }


@extend_schema_field(OpenApiTypes.INT)
class LogementDeclarableField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return Logement.objects.visible_to(self.context["request"].user, "edit").select_related("bailleur")


class DeclarationSerializer(serializers.Serializer):
    logement = LogementDeclarableField(help_text="identifiant du logement (patrimoine du bailleur)")
    nature = serializers.ChoiceField(choices=NatureDisponibilite.choices)
    date_disponibilite = serializers.DateField()
    confirmer = serializers.BooleanField(
        default=False, help_text="faux : renvoie la proposition sans rien enregistrer ; vrai : déclare"
    )
    reservataire = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.reservataires().filter(actif=True),
        allow_null=True,
        required=False,
        help_text="pour ne pas suivre la proposition : autre réservataire (vide : part propre du bailleur)",
    )
    motif = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class DeclarationReponseSerializer(serializers.Serializer):
    orientation = OrientationSerializer()
    proposition = PropositionSerializer()


class CandidatsSerializer(serializers.Serializer):
    nb_candidats = serializers.IntegerField(min_value=1, max_value=50)
    references = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    lock_version = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)


class AttributionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=DecisionCaleol.choices)
    date_caleol = serializers.DateField()
    bail_signe_le = serializers.DateField(required=False, allow_null=True)
    premier_quartile = serializers.BooleanField(default=False)
    dalo = serializers.BooleanField(default=False)
    prioritaire = serializers.BooleanField(default=False)
    relogement_renouvellement = serializers.BooleanField(default=False)
    lock_version = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1, write_only=True)


class OrientationViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Logements déclarés disponibles et le réservataire auquel ils sont orientés. Un POST déclare un
    logement (rédacteurs du bailleur) : sans `confirmer`, renvoie seulement la proposition."""

    parser_classes = [JSONFrancais]
    scoped_model = Orientation
    serializer_class = OrientationSerializer
    filterset_class = OrientationFilter
    ordering = ["-date_disponibilite", "-id"]
    ordering_fields = ["date_disponibilite", "date_limite_candidats"]

    def refine_queryset(self, qs):
        return qs.select_related("logement")

    @extend_schema(
        request=DeclarationSerializer,
        responses={200: PropositionSerializer, 201: DeclarationReponseSerializer},
        summary="Déclarer un logement disponible (ou voir la proposition)",
    )
    def create(self, request):
        demande = DeclarationSerializer(data=request.data, context={"request": request})
        demande.is_valid(raise_exception=True)
        d = demande.validated_data
        proposition = actions.orientation_proposition(
            logement=d["logement"], date_disponibilite=d["date_disponibilite"], by=request.user
        )
        if not d["confirmer"]:
            return Response(_proposition_data(proposition))
        orientation = actions.orientation_declarer(
            logement=d["logement"],
            date_disponibilite=d["date_disponibilite"],
            nature=d["nature"],
            source=SourceDeclaration.API,
            by=request.user,
            reservataire=d["reservataire"] if "reservataire" in d else actions.PROPOSE,
            motif=d.get("motif", ""),
        )
        return Response(
            {"orientation": OrientationSerializer(orientation).data, "proposition": _proposition_data(proposition)},
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=CandidatsSerializer, responses={200: OrientationSerializer}, summary="Proposer des candidats"
    )
    @action(detail=True, methods=["post"])
    def candidats(self, request, pk=None):
        orientation = self.get_object()
        demande = CandidatsSerializer(data=request.data)
        demande.is_valid(raise_exception=True)
        d = demande.validated_data
        o = actions.orientation_candidats(
            orientation=orientation,
            nb_candidats=d["nb_candidats"],
            references=d.get("references", ""),
            by=request.user,
            expected_version=d.get("lock_version"),
        )
        return Response(OrientationSerializer(o).data)

    @extend_schema(
        request=AttributionSerializer, responses={200: AttributionSerializer}, summary="Enregistrer la CALEOL"
    )
    @action(detail=True, methods=["post"])
    def attribution(self, request, pk=None):
        orientation = self.get_object()
        demande = AttributionSerializer(data=request.data)
        demande.is_valid(raise_exception=True)
        d = dict(demande.validated_data)
        version = d.pop("lock_version", None)
        attribution = actions.orientation_attribuer(
            orientation=orientation, by=request.user, expected_version=version, **d
        )
        return Response(AttributionSerializer(attribution).data)
