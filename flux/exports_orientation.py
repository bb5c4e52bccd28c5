"""Blank template of the declarations import (CSV or XLSX), built like the other templates."""

from django.http import HttpResponse

from flux.exports import _csv, _xlsx

MODELE_ORIENTATIONS = [
    ["rpls_id", "nature", "date_disponibilite", "reservataire", "motif"],
    ["0590000001", "relocation", "02/03/2026", "", ""],
    ["0590000002", "premiere", "15/03/2026", "Préfet du Nord (DDETS du Nord)", "Ménage DALO à reloger en urgence"],
    ["0590000003", "relocation", "20/03/2026", "bailleur", "Mutation interne prioritaire"],
]


def modele(format_: str) -> HttpResponse:
    if format_ == "xlsx":
        return _xlsx([("Modèle", MODELE_ORIENTATIONS)], "modele-declarations.xlsx")
    return _csv(MODELE_ORIENTATIONS, "modele-declarations.csv")
