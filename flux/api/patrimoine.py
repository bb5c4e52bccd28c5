"""API: dwellings and background imports."""

from django.urls import reverse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from core.models import Job
from core.scoping import ScopedViewSetMixin
from flux.api.commun import BailleurVisibleField, MultiPartFrancais
from flux.models import (
    Financement,
    Logement,
)
from flux.services import etat_des_lieux as etat_services
from flux.services import patrimoine as patrimoine_services


# --- Logements -----------------------------------------------------------------------------
class LogementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Logement
        fields = [
            "id", "bailleur", "rpls_id", "commune", "departement", "epci", "ept", "qpv", "qpv_code", "qpv_millesime",
            "nb_pieces", "typologie", "financement", "code_financement", "annee_construction", "surface", "loyer",
            "conventionne", "programme", "modifie_le",
        ]  # fmt: skip


class LogementFilter(filters.FilterSet):
    bailleur = filters.NumberFilter(field_name="bailleur_id", label="bailleur (identifiant)")
    departement = filters.CharFilter(field_name="departement_id", label="code département")
    epci = filters.CharFilter(field_name="epci_id", label="SIREN de l'EPCI")
    commune = filters.CharFilter(field_name="commune_id", label="code commune")
    financement = filters.ChoiceFilter(choices=Financement.choices)
    typologie = filters.NumberFilter(label="typologie (1 à 6)")
    annee_min = filters.NumberFilter(field_name="annee_construction", lookup_expr="gte", label="construit à partir de")
    annee_max = filters.NumberFilter(field_name="annee_construction", lookup_expr="lte", label="construit jusqu'à")

    class Meta:
        model = Logement
        fields = ["bailleur", "departement", "epci", "commune", "qpv", "financement", "typologie", "programme"]


class LogementViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Logements (RPLS) des bailleurs dont l'utilisateur est membre, ou que suit sa fédération."""

    scoped_model = Logement
    serializer_class = LogementSerializer
    filterset_class = LogementFilter
    ordering_fields = ["rpls_id", "annee_construction", "surface", "loyer"]
    ordering = ["bailleur_id", "rpls_id"]


# --- Imports ---------------------------------------------------------------------------------
TYPES_IMPORT = {
    "patrimoine": patrimoine_services.KIND_IMPORT_PATRIMOINE,
    "etat_des_lieux": etat_services.KIND_IMPORT_ETAT_DES_LIEUX,
}


class TacheSerializer(serializers.ModelSerializer):
    type = serializers.SerializerMethodField()
    etat = serializers.CharField(source="status")
    avancement = serializers.SerializerMethodField()
    page = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "type",
            "label",
            "etat",
            "avancement",
            "message",
            "error",
            "result",
            "created_at",
            "finished_at",
            "page",
        ]

    @extend_schema_field(OpenApiTypes.STR)
    def get_type(self, job) -> str:
        return next((k for k, v in TYPES_IMPORT.items() if v == job.kind), job.kind)

    @extend_schema_field({"type": "object", "properties": {"fait": {"type": "integer"}, "total": {"type": "integer"}}})
    def get_avancement(self, job) -> dict:
        state = job.live_progress()
        return {"fait": state.get("done") or 0, "total": state.get("total") or 0}

    @extend_schema_field(OpenApiTypes.STR)
    def get_page(self, job) -> str:
        return reverse("job_detail", args=[job.pk])


class ImportDemandeSerializer(serializers.Serializer):
    type = serializers.ChoiceField(
        choices=[("patrimoine", "Patrimoine (fichier RPLS)"), ("etat_des_lieux", "État des lieux")]
    )
    bailleur = BailleurVisibleField()
    fichier = serializers.FileField()
    remplacer = serializers.BooleanField(
        default=False, help_text="Patrimoine : retirer les logements absents du fichier (fichier complet)."
    )


class ImportViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Imports de fichiers RPLS et d'états des lieux, exécutés en tâche de fond : suivre la tâche jusqu'à sa fin."""

    scoped_model = Job
    serializer_class = TacheSerializer
    parser_classes = [MultiPartFrancais]
    ordering = ["-created_at"]
    ordering_fields = ["created_at"]

    def refine_queryset(self, qs):
        return qs.filter(kind__in=TYPES_IMPORT.values())

    @extend_schema(request=ImportDemandeSerializer, responses={202: TacheSerializer}, summary="Lancer un import")
    def create(self, request):
        demande = ImportDemandeSerializer(data=request.data, context={"request": request})
        demande.is_valid(raise_exception=True)
        d = demande.validated_data
        if d["type"] == "patrimoine":
            job = patrimoine_services.patrimoine_import_demander(
                bailleur=d["bailleur"], fichier=d["fichier"], by=request.user, remplacer=d["remplacer"]
            )
        else:
            job = etat_services.etat_des_lieux_import_demander(
                bailleur=d["bailleur"], fichier=d["fichier"], by=request.user
            )
        return Response(TacheSerializer(job).data, status=status.HTTP_202_ACCEPTED)
