from django.urls import path
from rest_framework.routers import SimpleRouter

from flux import api
from flux.api import flux_annuel_resultats as resultats
from flux.api.bilan import BilanViewSet, IndicateursMixiteView
from flux.api.flux_annuel_calculs import CalculFluxViewSet
from flux.api.orientation import OrientationViewSet

router = SimpleRouter()
router.register("patrimoine/logements", api.LogementViewSet, basename="logement")
router.register("patrimoine/imports", api.ImportViewSet, basename="import")
router.register("etat-des-lieux", api.ReservationStockViewSet, basename="reservationstock")
router.register("exclusions", api.ExclusionViewSet, basename="exclusion")
router.register("conversions", api.ConversionViewSet, basename="conversion")
router.register("flux-annuel/cellules", resultats.FluxCelluleViewSet, basename="fluxcellule")
router.register("flux-annuel/allocations", resultats.FluxAllocationViewSet, basename="fluxallocation")
router.register("flux-annuel/calculs", CalculFluxViewSet, basename="calculflux")
router.register("orientations", OrientationViewSet, basename="orientation")
router.register("bilans", BilanViewSet, basename="bilan")

urlpatterns = [path("synthese/", api.SyntheseView.as_view(), name="flux-synthese"), *router.urls]
urlpatterns += [path("indicateurs-mixite/", IndicateursMixiteView.as_view(), name="flux-indicateurs-mixite")]
