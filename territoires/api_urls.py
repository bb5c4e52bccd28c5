from rest_framework.routers import SimpleRouter

from territoires import api

router = SimpleRouter()
router.register("territoires/regions", api.RegionViewSet, basename="region")
router.register("territoires/departements", api.DepartementViewSet, basename="departement")
router.register("territoires/epci", api.EPCIViewSet, basename="epci")
router.register("territoires/communes", api.CommuneViewSet, basename="commune")
urlpatterns = router.urls
