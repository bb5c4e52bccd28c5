"""API (lecture seule) : résultats du flux annuel en vigueur, par cellule et par allocation."""

from django_filters import rest_framework as filters
from rest_framework import serializers, viewsets

from core.scoping import ScopedViewSetMixin
from flux.models import FluxAllocation, FluxCellule, ModeCalcul, MotifAllocation


class FluxCelluleSerializer(serializers.ModelSerializer):
    bailleur_nom = serializers.CharField(source="bailleur.nom", read_only=True)

    class Meta:
        model = FluxCellule
        fields = [
            "id", "calcul", "annee", "mode", "bailleur", "bailleur_nom", "departement", "epci", "qpv", "typologie",
            "logements", "taux_rotation_pct", "source_rotation", "relocations", "mises_en_service", "exclusions",
            "flux",
        ]  # fmt: skip
        read_only_fields = fields


class FluxAllocationSerializer(serializers.ModelSerializer):
    bailleur_nom = serializers.CharField(source="bailleur.nom", read_only=True)
    reservataire_nom = serializers.CharField(source="reservataire.nom", read_only=True, default=None)

    class Meta:
        model = FluxAllocation
        fields = [
            "id", "cellule", "calcul", "annee", "mode", "bailleur", "bailleur_nom", "epci", "qpv", "typologie",
            "reservataire", "reservataire_nom", "convention", "motif", "quota", "logements",
        ]  # fmt: skip
        read_only_fields = fields


class _ResultatsFilter(filters.FilterSet):
    annee = filters.NumberFilter(field_name="annee", label="année")
    mode = filters.ChoiceFilter(choices=ModeCalcul.choices, label="conventions prises en compte")
    bailleur = filters.NumberFilter(field_name="bailleur_id", label="bailleur (identifiant)")
    epci = filters.CharFilter(field_name="epci_id", max_length=9, label="EPCI (SIREN)")


class FluxCelluleFilter(_ResultatsFilter):
    departement = filters.CharFilter(field_name="departement_id", max_length=3, label="code département")

    class Meta:
        model = FluxCellule
        fields = ["annee", "mode", "bailleur", "epci", "departement", "qpv", "typologie"]


class FluxAllocationFilter(_ResultatsFilter):
    reservataire = filters.NumberFilter(field_name="reservataire_id", label="réservataire (identifiant)")
    part_bailleur = filters.BooleanFilter(field_name="reservataire", lookup_expr="isnull", label="part du bailleur")
    motif = filters.ChoiceFilter(choices=MotifAllocation.choices)

    class Meta:
        model = FluxAllocation
        fields = ["annee", "mode", "bailleur", "epci", "reservataire", "motif", "qpv", "typologie"]


class FluxCelluleViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Cellules du flux annuel (bailleur × département × EPCI × QPV × typologie) : visibles du bailleur et
    de sa fédération."""

    scoped_model = FluxCellule
    serializer_class = FluxCelluleSerializer
    filterset_class = FluxCelluleFilter
    ordering = ["annee", "bailleur_id", "epci_id", "qpv", "typologie", "pk"]
    ordering_fields = ["annee", "flux", "epci"]

    def refine_queryset(self, qs):
        return qs.select_related("bailleur")


class FluxAllocationViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Logements attribués à chaque réservataire (réservataire vide : part du bailleur) : visibles du bailleur,
    de sa fédération et, pour ses propres lignes seulement, du réservataire."""

    scoped_model = FluxAllocation
    serializer_class = FluxAllocationSerializer
    filterset_class = FluxAllocationFilter
    ordering = ["annee", "bailleur_id", "epci_id", "qpv", "typologie", "pk"]
    ordering_fields = ["annee", "logements", "epci"]

    def refine_queryset(self, qs):
        return qs.select_related("bailleur", "reservataire")
