from django.urls import path

from flux.views import orientation

urlpatterns = [
    path("orientations/", orientation.orientation_list, name="orientation_list"),
    path("orientations/declarer/", orientation.orientation_declarer, name="orientation_declarer"),
    path("orientations/a-pourvoir/", orientation.orientation_a_pourvoir, name="orientation_a_pourvoir"),
    path("orientations/import/", orientation.orientation_import, name="orientation_import"),
    path("orientations/<int:pk>/", orientation.orientation_detail, name="orientation_detail"),
    path("orientations/<int:pk>/candidats/", orientation.orientation_candidats, name="orientation_candidats"),
    path("orientations/<int:pk>/attribution/", orientation.orientation_attribution, name="orientation_attribution"),
    path(
        "modeles/declarations.csv", orientation.orientation_modele, {"format_": "csv"}, name="modele_orientations_csv"
    ),
    path(
        "modeles/declarations.xlsx",
        orientation.orientation_modele,
        {"format_": "xlsx"},
        name="modele_orientations_xlsx",
    ),
]
