from django.urls import path

from flux.views import bilan

urlpatterns = [
    path("bilans/", bilan.bilan_list, name="bilan_list"),
    path("bilans/calculer/", bilan.bilan_calculer_annee, name="bilan_calculer_annee"),
    path("bilans/produire/", bilan.bilans_produire, name="bilans_produire"),
    path("bilans/envoyer/", bilan.bilans_envoyer, name="bilans_envoyer"),
    path("bilans/<int:pk>/", bilan.bilan_detail, name="bilan_detail"),
    path("bilans/<int:pk>/recalculer/", bilan.bilan_recalculer, name="bilan_recalculer"),
    path("bilans/<int:pk>/produire/", bilan.bilan_produire, name="bilan_produire"),
    path("bilans/<int:pk>/envoyer/", bilan.bilan_envoyer, name="bilan_envoyer"),
    path("bilans/<int:pk>/bilan.pdf", bilan.bilan_pdf, name="bilan_pdf"),
    path("bilans/<int:pk>/bilan.xlsx", bilan.bilan_export_xlsx, name="bilan_xlsx"),
    path("indicateurs-mixite/", bilan.indicateurs_mixite, name="indicateurs_mixite"),
]
