"""API: runs of the annual flux (list, detail, launch)."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from core.scoping import ScopedViewSetMixin
from flux.api.commun import BailleurVisibleField, JSONFrancais
from flux.models import CalculFlux, ModeCalcul
from flux.services.flux_annuel.calcul import calcul_lancer


class CalculFluxSerializer(serializers.ModelSerializer):
    bailleur_nom = serializers.CharField(source="bailleur.nom", read_only=True, default=None)
    etat = serializers.CharField(source="job.status", read_only=True, default=None)
    erreur = serializers.CharField(source="job.error", read_only=True, default="")

    class Meta:
        model = CalculFlux
        fields = [
            "id", "annee", "mode", "bailleur", "bailleur_nom", "job", "etat", "erreur", "cree_le", "termine_le",
            "duree_s", "resume",
        ]  # fmt: skip
        read_only_fields = fields


class CalculDemandeSerializer(serializers.Serializer):
    annee = serializers.IntegerField(min_value=2018, max_value=2100, label="année")
    mode = serializers.ChoiceField(choices=ModeCalcul.choices, default=ModeCalcul.SIGNEES)
    bailleur = BailleurVisibleField(required=False, allow_null=True, help_text="Vide : calcul national (équipe).")


class CalculFluxViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Calculs du flux annuel : visibles du bailleur et de sa fédération ; lancer un calcul (tâche de fond)."""

    scoped_model = CalculFlux
    parser_classes = [JSONFrancais]
    serializer_class = CalculFluxSerializer
    ordering = ["-cree_le"]
    ordering_fields = ["cree_le", "annee"]

    def refine_queryset(self, qs):
        return qs.select_related("bailleur", "job")

    @extend_schema(request=CalculDemandeSerializer, responses={202: CalculFluxSerializer}, summary="Lancer un calcul")
    def create(self, request):
        demande = CalculDemandeSerializer(data=request.data, context={"request": request})
        demande.is_valid(raise_exception=True)
        d = demande.validated_data
        calcul = calcul_lancer(user=request.user, annee=d["annee"], mode=d["mode"], bailleur=d.get("bailleur"))
        return Response(CalculFluxSerializer(calcul).data, status=status.HTTP_202_ACCEPTED)
