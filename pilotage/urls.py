from django.urls import path

from pilotage import views

app_name = "pilotage"


def _export(quoi: str, format: str):
    return path(
        f"export/{quoi}.{format}", views.export, {"quoi": quoi, "format": format}, name=f"export_{quoi}_{format}"
    )


urlpatterns = [
    path("", views.tableau_de_bord, name="tableau_de_bord"),
    path("conventions/", views.liste, name="liste"),
    _export("matrice", "xlsx"),
    _export("matrice", "csv"),
    _export("conventions", "xlsx"),
    _export("conventions", "csv"),
    path("relances/", views.preferences, name="preferences"),
]
