"""XLSX and CSV exports of the dashboard matrix and of the convention list (French headers)."""

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from conventions.models import Statut
from pilotage.selectors import Matrice

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def matrice_rows(m: Matrice) -> Iterable[list]:
    yield ["Bailleur"] + [c["libelle"] for c in m.colonnes] + ["Conventions", "En vigueur", "Avancement (%)"]
    for ligne in m.lignes:
        cells = []
        for colonne, cellule in ligne["cellules"]:
            if cellule.total:
                cells.append(", ".join(f"{libelle} : {n}" for _, libelle, n in cellule.statuts()))
            else:
                cells.append("aucune convention" if colonne["attendu"] else "")
        yield [ligne["bailleur"]["nom"], *cells, ligne["total"], ligne["signees"], ligne["avancement"]]


CONVENTION_HEADERS = [
    "Numéro",
    "Bailleur",
    "Réservataire",
    "Type de réservataire",
    "Département",
    "Périmètre",
    "Statut",
    "Statut depuis le",
    "Version sur la table",
    "Part du flux (%)",
    "Nombre annuel de logements",
    "Dont agents de l'État (%)",
    "Part hors QPV (%)",
    "Date d'effet",
    "Date de fin",
    "Reconduction tacite",
    "Mode de gestion",
    "Délai de signalement (jours)",
    "Délai de proposition (jours)",
    "Candidats à proposer",
    "Absence de candidat",
    "Signée le",
]


def _date(value):
    return value.strftime("%d/%m/%Y") if value else ""


def convention_rows(conventions) -> Iterable[list]:
    yield CONVENTION_HEADERS
    for c in conventions.iterator(chunk_size=2000):
        v = c.version_courante
        yield [
            c.numero,
            c.bailleur.nom,
            c.reservataire.nom,
            c.reservataire.get_type_display(),
            c.departement_id,
            c.perimetre_libelle,
            Statut(c.statut).label,
            _date(c.statut_depuis),
            v.numero if v else "",
            v.part_flux_pct if v and v.part_flux_pct is not None else "",
            v.nombre_annuel if v and v.nombre_annuel is not None else "",
            v.part_agents_pct if v and v.part_agents_pct is not None else "",
            v.part_hors_qpv_pct if v and v.part_hors_qpv_pct is not None else "",
            _date(v.date_debut) if v else "",
            _date(v.date_fin) if v else "",
            ("oui" if v.reconduction_tacite else "non") if v else "",
            v.get_mode_gestion_display() if v else "",
            v.delai_signalement_jours if v else "",
            v.delai_proposition_jours if v else "",
            v.nb_candidats if v else "",
            v.get_regle_absence_candidat_display() if v else "",
            _date(c.signee_le),
        ]


class _Echo:
    def write(self, value):
        return value


def csv_response(rows: Iterable[list], filename: str) -> StreamingHttpResponse:
    """Semicolon-separated UTF-8 with BOM: what French spreadsheet users open without a wizard."""
    writer = csv.writer(_Echo(), delimiter=";")

    def stream():
        yield "\ufeff"
        for row in rows:
            yield writer.writerow(["" if v is None else str(v).replace(".", ",") if _is_number(v) else v for v in row])

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _is_number(value) -> bool:
    return isinstance(value, float | Decimal)


def xlsx_response(rows: Iterable[list], filename: str, title: str) -> HttpResponse:
    """A one-sheet workbook, bold header, columns sized to their content (rows are few: ≤ 10⁵)."""
    rows = list(rows)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    for col in range(1, len(rows[0]) + 1):
        width = max(len(str(row[col - 1])) for row in rows) + 2
        sheet.column_dimensions[get_column_letter(col)].width = min(60, max(8, width))
    header = []
    for value in rows[0]:
        cell = WriteOnlyCell(sheet, value=value)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in rows[1:]:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
