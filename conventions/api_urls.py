from django.urls import path
from rest_framework.routers import SimpleRouter

from conventions import api

router = SimpleRouter()
router.register("conventions", api.ConventionViewSet, basename="convention")
router.register(r"conventions/(?P<convention_pk>[0-9]+)/versions", api.VersionViewSet, basename="convention-version")
router.register(
    r"conventions/(?P<convention_pk>[0-9]+)/commentaires", api.CommentaireViewSet, basename="convention-commentaire"
)
router.register(r"conventions/(?P<convention_pk>[0-9]+)/journal", api.JournalViewSet, basename="convention-journal")

urlpatterns = router.urls + [path("verification/", api.VerificationView.as_view(), name="api-verification")]
