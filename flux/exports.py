"""Downloads: the synthesis (XLSX, CSV) and the blank import templates."""

import csv
import io
from decimal import Decimal

from django.http import HttpResponse

from flux.selectors import SYNTHESE_COLONNES

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MODELE_PATRIMOINE = [
    ["RPLS_ID", "DEPCOM", "QPV", "CODE_QPV", "QPV_MILLESIME", "NBPIECE", "FINAN", "CONSTRUCT", "SURFHAB",
     "LOYERPRINC", "CONV", "PROGRAMME"],
    ["0590000001", "59512", "1", "QN05912M", "2024", "3", "13", "1972", "64", "402,50", "1", "Résidence des Tilleuls"],
    ["0590000002", "59350", "2", "", "", "4", "PLAI", "2015", "81", "455,00", "1", "Les Jardins"],
]  # fmt: skip
MODELE_ETAT_DES_LIEUX = [
    ["reference", "reservataire", "fondement", "departement", "nb_logements", "commune", "programmes", "rpls_ids",
     "date_debut", "date_fin", "date_fin_pret", "droit_de_suite", "taux_rotation", "commentaire"],
    ["PREF-59-001", "Préfet du Nord (DDETS du Nord)", "prefet_prioritaires", "59", "420", "", "", "", "", "", "", "oui",
     "", "Contingent historique"],
    ["GAR-ROUBAIX-12", "Ville de Roubaix", "garantie_emprunt", "59", "8", "59512", "Résidence des Tilleuls", "", "",
     "", "31/12/2041", "oui", "7,5", "Garantie du prêt CDC n° 1234"],
]  # fmt: skip


def _valeur(v):
    if isinstance(v, Decimal):
        return float(v)
    return "" if v is None else v


def _csv(lignes: list[list], nom: str) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    for ligne in lignes:
        writer.writerow([str(v).replace(".", ",") if isinstance(v, Decimal | float) else v for v in ligne])
    response = HttpResponse(("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{nom}"'
    return response


def _xlsx(feuilles: list[tuple[str, list[list]]], nom: str) -> HttpResponse:
    import openpyxl
    from openpyxl.styles import Font

    classeur = openpyxl.Workbook(write_only=True)
    for titre, lignes in feuilles:
        feuille = classeur.create_sheet(titre[:31])
        for i, ligne in enumerate(lignes):
            if i == 0:
                cellules = []
                for v in ligne:
                    cellule = openpyxl.cell.WriteOnlyCell(feuille, value=v)
                    cellule.font = Font(bold=True)
                    cellules.append(cellule)
                feuille.append(cellules)
            else:
                feuille.append([_valeur(v) for v in ligne])
    buffer = io.BytesIO()
    classeur.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{nom}"'
    return response


def synthese_tableau(lignes: list[dict], totaux: dict | None) -> list[list]:
    tableau = [[libelle for _, libelle in SYNTHESE_COLONNES]]
    for ligne in lignes:
        tableau.append([_valeur(ligne.get(cle)) for cle, _ in SYNTHESE_COLONNES])
    if totaux and lignes:
        tableau.append(["Total", "", "", "", *[_valeur(totaux.get(cle, "")) for cle, _ in SYNTHESE_COLONNES[4:]]])
    return tableau


def synthese_csv(lignes, totaux, annee: int) -> HttpResponse:
    return _csv(synthese_tableau(lignes, totaux), f"synthese-par-bailleur-{annee}.csv")


def synthese_xlsx(lignes, totaux, annee: int, parametres: list[tuple[str, str]]) -> HttpResponse:
    return _xlsx(
        [
            (f"Synthèse {annee}", synthese_tableau(lignes, totaux)),
            ("Paramètres", [["Paramètre", "Valeur"], *[list(p) for p in parametres]]),
        ],
        f"synthese-par-bailleur-{annee}.xlsx",
    )


def modele(type_: str, format_: str) -> HttpResponse:
    lignes = MODELE_PATRIMOINE if type_ == "patrimoine" else MODELE_ETAT_DES_LIEUX
    nom = "modele-patrimoine-rpls" if type_ == "patrimoine" else "modele-etat-des-lieux"
    if format_ == "xlsx":
        return _xlsx([("Modèle", lignes)], f"{nom}.xlsx")
    return _csv(lignes, f"{nom}.csv")


def reservations_csv(reservations) -> HttpResponse:
    lignes = [[
        "Bailleur", "Réservataire", "Département", "Commune", "Fondement", "Logements réservés", "Programmes",
        "Début des droits", "Fin des droits", "Fin du prêt", "Droit de suite", "Taux de rotation (%)", "Référence",
        "Source", "Commentaire",
    ]]  # fmt: skip
    for r in reservations:
        lignes.append([
            r.bailleur.nom, r.reservataire.nom, r.departement_id, r.commune_id or "", r.get_fondement_display(),
            r.nb_logements, ", ".join(r.programmes), r.date_debut or "", r.date_fin or "", r.date_fin_pret or "",
            "oui" if r.droit_de_suite else "non", r.taux_rotation if r.taux_rotation is not None else "",
            r.reference, r.get_source_display(), r.commentaire,
        ])  # fmt: skip
    return _csv(lignes, "etat-des-lieux.csv")
