from django_filters import rest_framework as filters
from rest_framework import serializers

from core.scoping import ScopedReadOnlyViewSet
from territoires.models import EPCI, Commune, Departement, Region


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "nom"]


class DepartementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Departement
        fields = ["code", "nom", "region"]


class EPCISerializer(serializers.ModelSerializer):
    class Meta:
        model = EPCI
        fields = ["siren", "nom", "type", "lec", "population"]


class CommuneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Commune
        fields = ["code", "nom", "departement", "epci", "ept", "parent", "population"]


class EPCIFilter(filters.FilterSet):
    departement = filters.CharFilter(method="filter_departement", label="code département")

    class Meta:
        model = EPCI
        fields = ["type", "lec"]

    def filter_departement(self, queryset, name, value):
        return queryset.filter(communes__departement_id=value).distinct()


class RegionViewSet(ScopedReadOnlyViewSet):
    lookup_field = "code"
    scoped_model = Region
    serializer_class = RegionSerializer
    pagination_class = None


class DepartementViewSet(ScopedReadOnlyViewSet):
    lookup_field = "code"
    scoped_model = Departement
    serializer_class = DepartementSerializer
    filterset_fields = ["region"]
    pagination_class = None


class EPCIViewSet(ScopedReadOnlyViewSet):
    lookup_field = "siren"
    scoped_model = EPCI
    serializer_class = EPCISerializer
    filterset_class = EPCIFilter


class CommuneViewSet(ScopedReadOnlyViewSet):
    lookup_field = "code"
    scoped_model = Commune
    serializer_class = CommuneSerializer
    filterset_fields = ["departement", "epci", "ept"]
