from django.urls import path

from flux import urls_bilan, urls_calcul, urls_orientation, urls_revue
from flux.views import conversion, etat_des_lieux, patrimoine

app_name = "flux"
urlpatterns = [
    path("patrimoine/", patrimoine.patrimoine_list, name="patrimoine_list"),
    path("patrimoine/<int:pk>/", patrimoine.patrimoine_detail, name="patrimoine_detail"),
    path("patrimoine/<int:pk>/logements/", patrimoine.logement_list, name="logement_list"),
    path("patrimoine/<int:pk>/import/", patrimoine.patrimoine_import, name="patrimoine_import"),
    path("patrimoine/<int:pk>/etat-des-lieux/nouveau/", etat_des_lieux.stock_create, name="stock_create"),
    path("patrimoine/<int:pk>/etat-des-lieux/import/", etat_des_lieux.stock_import, name="stock_import"),
    path("patrimoine/<int:pk>/exclusions/", conversion.exclusion_list, name="exclusion_list"),
    path("patrimoine/<int:pk>/conversions/", conversion.conversion_list, name="conversion_list"),
    path(
        "modeles/patrimoine.csv",
        patrimoine.modele,
        {"type_": "patrimoine", "format_": "csv"},
        name="modele_patrimoine_csv",
    ),
    path(
        "modeles/patrimoine.xlsx",
        patrimoine.modele,
        {"type_": "patrimoine", "format_": "xlsx"},
        name="modele_patrimoine_xlsx",
    ),
    path("modeles/etat-des-lieux.csv", patrimoine.modele, {"type_": "etat", "format_": "csv"}, name="modele_stock_csv"),
    path(
        "modeles/etat-des-lieux.xlsx", patrimoine.modele, {"type_": "etat", "format_": "xlsx"}, name="modele_stock_xlsx"
    ),
    path("imports/<uuid:pk>/rapport.csv", patrimoine.import_rapport, name="import_rapport"),
    path("etat-des-lieux/", etat_des_lieux.stock_list, name="stock_list"),
    path("etat-des-lieux/export.csv", etat_des_lieux.stock_export, name="stock_export"),
    path("etat-des-lieux/<int:pk>/", etat_des_lieux.stock_edit, name="stock_edit"),
    path("etat-des-lieux/<int:pk>/supprimer/", etat_des_lieux.stock_delete, name="stock_delete"),
    path("exclusions/<int:pk>/", conversion.exclusion_edit, name="exclusion_edit"),
    path("exclusions/<int:pk>/supprimer/", conversion.exclusion_delete, name="exclusion_delete"),
    path("conversions/<int:pk>/", conversion.conversion_detail, name="conversion_detail"),
    path("conversions/<int:pk>/basculer/", conversion.conversion_basculer, name="conversion_basculer"),
    path(
        "conversions/<int:pk>/lignes/<int:conversionligne_pk>/convention/",
        conversion.conversion_convention,
        name="conversion_convention",
    ),
    path("synthese/", conversion.synthese, name="synthese"),
    path("synthese.csv", conversion.synthese_csv, name="synthese_csv"),
    path("synthese.xlsx", conversion.synthese_xlsx, name="synthese_xlsx"),
]
urlpatterns += urls_revue.urlpatterns
urlpatterns += urls_calcul.urlpatterns
urlpatterns += urls_bilan.urlpatterns
urlpatterns += urls_orientation.urlpatterns
