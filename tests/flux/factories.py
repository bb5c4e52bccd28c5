"""Helpers for the flux tests: RPLS files and small patrimonies built through the real services."""

import csv
import io
from pathlib import Path

import openpyxl

from flux.services.patrimoine import patrimoine_import

ENTETES = ["RPLS_ID", "DEPCOM", "QPV", "NBPIECE", "FINAN", "CONSTRUCT", "SURFHAB", "LOYERPRINC", "PROGRAMME"]


def ligne(rpls_id="0000000001", depcom="59512", qpv="1", pieces="3", finan="13", annee="1972", surface="64",
          loyer="402,50", programme="Les Tilleuls") -> list[str]:  # fmt: skip
    return [rpls_id, depcom, qpv, pieces, finan, annee, surface, loyer, programme]


def lignes(n: int, *, depcom="59512", programme="Les Tilleuls", debut=1, **kw) -> list[list[str]]:
    return [ligne(rpls_id=f"{i:010d}", depcom=depcom, programme=programme, **kw) for i in range(debut, debut + n)]


def texte_csv(rows, entetes=ENTETES, delimiter=";") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(entetes)
    writer.writerows(rows)
    return buffer.getvalue()


def fichier_csv(path: Path, rows, *, encoding="utf-8", entetes=ENTETES, delimiter=";") -> Path:
    path.write_bytes(texte_csv(rows, entetes, delimiter).encode(encoding))
    return path


def fichier_xlsx(path: Path, rows, *, entetes=ENTETES) -> Path:
    classeur = openpyxl.Workbook()
    feuille = classeur.active
    feuille.append(entetes)
    for row in rows:
        feuille.append(row)
    classeur.save(path)
    return path


def patrimoine(bailleur, by, tmp_path: Path, rows, nom="patrimoine.csv") -> dict:
    """Import ``rows`` for ``bailleur`` with the real service."""
    return patrimoine_import(bailleur=bailleur, path=fichier_csv(tmp_path / nom, rows), by=by)
