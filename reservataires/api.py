from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.scoping import ScopedReadOnlyViewSet
from reservataires.models import Famille, Membership, Organisation, TypeOrganisation


class OrganisationSerializer(serializers.ModelSerializer):
    famille = serializers.CharField(read_only=True)
    type_libelle = serializers.CharField(source="get_type_display", read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "nom",
            "type",
            "type_libelle",
            "famille",
            "siren",
            "actif",
            "region",
            "departement",
            "epci",
            "commune",
            "federation",
        ]


class AnnuaireSerializer(serializers.ModelSerializer):
    famille = serializers.CharField(read_only=True)

    class Meta:
        model = Organisation
        fields = ["id", "nom", "type", "famille", "departement", "epci", "commune"]


class OrganisationFilter(filters.FilterSet):
    famille = filters.ChoiceFilter(choices=Famille.choices, method="filter_famille", label="famille")
    type = filters.ChoiceFilter(choices=TypeOrganisation.choices)
    departement = filters.CharFilter(field_name="departement_id")

    class Meta:
        model = Organisation
        fields = ["type", "departement"]

    def filter_famille(self, queryset, name, value):
        return {
            Famille.BAILLEUR: queryset.bailleurs,
            Famille.RESERVATAIRE: queryset.reservataires,
            Famille.FEDERATION: queryset.federations,
        }[value]()


class OrganisationViewSet(ScopedReadOnlyViewSet):
    """Organisations the user belongs to, and for a federation its adherent bailleurs."""

    scoped_model = Organisation
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter
    ordering_fields = ["nom"]
    ordering = ["nom"]


class AnnuaireViewSet(ScopedReadOnlyViewSet):
    """Public directory of bailleurs and réservataires, to choose the other party of a convention."""

    scoped_model = Organisation
    scope_action = "annuaire"
    serializer_class = AnnuaireSerializer
    filterset_class = OrganisationFilter
    ordering = ["nom"]


class MembershipSerializer(serializers.ModelSerializer):
    organisation = OrganisationSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["organisation", "role", "fonction"]


class MeSerializer(serializers.Serializer):
    email = serializers.EmailField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    memberships = MembershipSerializer(many=True)


class MeView(APIView):
    @extend_schema(responses=MeSerializer, summary="L'utilisateur connecté et ses organisations")
    def get(self, request):
        memberships = Membership.objects.filter(user=request.user).select_related("organisation")
        data = {
            "email": request.user.email,
            "first_name": request.user.first_name,
            "last_name": request.user.last_name,
            "memberships": memberships,
        }
        return Response(MeSerializer(data).data)
