"""API of the bilans annuels (read only, scoped like the pages) and of the mixité indicators."""

import datetime

import django_filters
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from core.scoping import ScopedReadOnlyViewSet
from flux.models.orientation import Bilan, StatutBilan
from flux.services import bilan_documents, indicateurs
from flux.services.bilan import due_le, en_retard


class BilanSerializer(serializers.ModelSerializer):
    bailleur = serializers.IntegerField(source="convention.bailleur_id", read_only=True)
    bailleur_nom = serializers.CharField(source="convention.bailleur.nom", read_only=True)
    reservataire = serializers.IntegerField(source="convention.reservataire_id", read_only=True)
    reservataire_nom = serializers.CharField(source="convention.reservataire.nom", read_only=True)
    echeance = serializers.SerializerMethodField()
    en_retard = serializers.SerializerMethodField()

    class Meta:
        model = Bilan
        fields = [
            "id", "convention", "bailleur", "bailleur_nom", "reservataire", "reservataire_nom", "annee", "statut",
            "objectif", "report_entrant", "realise", "ecart", "report", "donnees", "sha256", "calcule_le",
            "envoye_le", "echeance", "en_retard",
        ]  # fmt: skip
        read_only_fields = fields

    def get_echeance(self, bilan) -> datetime.date:
        return due_le(bilan.annee)

    def get_en_retard(self, bilan) -> bool:
        return en_retard(bilan)


class BilanFilter(django_filters.FilterSet):
    annee = django_filters.NumberFilter(field_name="annee", label="année")
    statut = django_filters.ChoiceFilter(choices=StatutBilan.choices)
    bailleur = django_filters.NumberFilter(field_name="convention__bailleur_id", label="bailleur (identifiant)")
    reservataire = django_filters.NumberFilter(
        field_name="convention__reservataire_id", label="réservataire (identifiant)"
    )

    class Meta:
        model = Bilan
        fields = ["annee", "statut", "bailleur", "reservataire", "convention"]


class TacheBilanSerializer(serializers.Serializer):
    tache = serializers.UUIDField(help_text="identifiant de la tâche de fond")
    url = serializers.CharField(help_text="page de suivi de la tâche")


class BilanViewSet(ScopedReadOnlyViewSet):
    """Bilans annuels par convention (CCH R.441-5-1) : visibles des deux parties et de la fédération du bailleur."""

    scoped_model = Bilan
    serializer_class = BilanSerializer
    filterset_class = BilanFilter
    ordering = ["-annee", "id"]
    ordering_fields = ["annee", "ecart"]

    def refine_queryset(self, qs):
        return qs.select_related("convention__bailleur", "convention__reservataire")

    def _tache(self, demander):
        job = demander(bilans=[self.get_object()], by=self.request.user)
        return Response(
            TacheBilanSerializer({"tache": job.pk, "url": reverse("job_detail", args=[job.pk])}).data,
            status=status.HTTP_202_ACCEPTED,
        )

    @extend_schema(
        request=None, responses={202: TacheBilanSerializer}, summary="Produire le PDF du bilan (tâche de fond)"
    )
    @action(detail=True, methods=["post"])
    def produire(self, request, pk=None):
        return self._tache(bilan_documents.bilans_pdf_demander)

    @extend_schema(
        request=None, responses={202: TacheBilanSerializer}, summary="Envoyer le bilan produit (tâche de fond)"
    )
    @action(detail=True, methods=["post"])
    def envoyer(self, request, pk=None):
        return self._tache(bilan_documents.bilans_envoi_demander)


class IndicateurSerializer(serializers.Serializer):
    libelle = serializers.CharField()
    part = serializers.FloatField(allow_null=True, help_text="en %, vide sans attribution")
    seuil = serializers.IntegerField(help_text="en %")
    atteint = serializers.BooleanField()


class MixiteEpciSerializer(serializers.Serializer):
    epci_id = serializers.CharField()
    epci = serializers.CharField()
    attributions = serializers.IntegerField()
    indicateurs = IndicateurSerializer(many=True)


class PrioritairesSerializer(serializers.Serializer):
    reservataire_id = serializers.IntegerField(allow_null=True)
    reservataire = serializers.CharField()
    attributions = serializers.IntegerField()
    dalo = serializers.IntegerField()
    prioritaires = serializers.IntegerField()
    indicateur = IndicateurSerializer()


class IndicateursMixiteSerializer(serializers.Serializer):
    annee = serializers.IntegerField()
    departement = serializers.CharField(allow_null=True)
    epci = MixiteEpciSerializer(many=True)
    reservataires = PrioritairesSerializer(many=True)


class IndicateursRequeteSerializer(serializers.Serializer):
    annee = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    departement = serializers.CharField(max_length=3, required=False)


class IndicateursMixiteView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("annee", int, description="année des orientations (par défaut l'année précédente)"),
            OpenApiParameter("departement", str, description="code département"),
        ],
        responses=IndicateursMixiteSerializer,
        summary="Indicateurs de mixité par EPCI et part DALO / prioritaires par réservataire",
    )
    def get(self, request):
        requete = IndicateursRequeteSerializer(data=request.query_params)
        requete.is_valid(raise_exception=True)
        annee = requete.validated_data.get("annee") or datetime.date.today().year - 1
        departement = requete.validated_data.get("departement") or None
        attributions = indicateurs.attributions_visibles(request.user)
        return Response(
            IndicateursMixiteSerializer(
                {
                    "annee": annee,
                    "departement": departement,
                    "epci": indicateurs.mixite_par_epci(attributions, annee, departement),
                    "reservataires": indicateurs.prioritaires_par_reservataire(attributions, annee, departement),
                }
            ).data
        )
