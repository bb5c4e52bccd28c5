from django.urls import path
from rest_framework.routers import SimpleRouter

from reservataires import api

router = SimpleRouter()
router.register("organisations", api.OrganisationViewSet, basename="organisation")
router.register("annuaire", api.AnnuaireViewSet, basename="annuaire")

urlpatterns = [path("moi/", api.MeView.as_view(), name="me"), *router.urls]
