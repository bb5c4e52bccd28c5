"""API of the orientations: list and read the dwellings oriented (both parties see them)."""

import django_filters
from rest_framework import serializers

from core.scoping import ScopedReadOnlyViewSet
from flux.models import Orientation, StatutOrientation


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
        ]
        read_only_fields = fields


class OrientationFilter(django_filters.FilterSet):
    statut = django_filters.ChoiceFilter(choices=StatutOrientation.choices)

    class Meta:
        model = Orientation
        fields = ["statut", "annee", "bailleur", "reservataire", "epci", "qpv", "typologie"]


class OrientationViewSet(ScopedReadOnlyViewSet):
    """Logements déclarés disponibles et le réservataire auquel ils sont orientés."""

    scoped_model = Orientation
    serializer_class = OrientationSerializer
    filterset_class = OrientationFilter
    ordering = ["-date_disponibilite", "-id"]
    ordering_fields = ["date_disponibilite", "date_limite_candidats"]

    def refine_queryset(self, qs):
        return qs.select_related("logement")
