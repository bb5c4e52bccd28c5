from django.urls import path

from flux.views import revue

urlpatterns = [
    path("revue-objectifs/", revue.revue_objectifs, name="revue_objectifs"),
    path("revue-objectifs.xlsx", revue.revue_objectifs_xlsx, name="revue_objectifs_xlsx"),
    path("revue-objectifs/cible/", revue.revue_cible, name="revue_cible"),
    path("resultats/", revue.flux_resultats, name="flux_resultats"),
]
