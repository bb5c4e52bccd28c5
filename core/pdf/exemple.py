"""A realistic (fictitious) convention de réservation, to exercise the PDF layer before the models exist.

Used by the tests, the benchmark and anyone who wants to see the layout
(``python manage.py pdf_exemple``). The territorial breakdown uses the 50 most populated EPCI
of Hauts-de-France from the committed official referential, so names and SIREN are real;
the parties, figures and terms are invented.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from core.pdf.render import DocumentKind, DocumentPdf
from core.pdf.slots import signature_blocks

TEMPLATE = "pdf/exemple_convention.html"
HAUTS_DE_FRANCE = ("02", "59", "60", "62", "80")
FLUX_ANNUEL_ESTIME = 1840  # logements libérés ou mis en service par an sur le patrimoine
TAUX_RESERVATAIRE = 22.5  # % du flux annuel
MODALITES = [
    ("Mode de gestion", "Gestion directe : le réservataire désigne les candidats pour chaque logement proposé."),
    (
        "Signalement des logements",
        "Au plus tard 1 mois avant la date de libération prévue ; 3 mois avant une première mise en service.",
    ),
    ("Délai de proposition", "15 jours calendaires à compter de la notification de la vacance."),
    ("Candidats par logement", "3 candidats, sauf insuffisance de candidats (CCH R.441-3)."),
    ("Absence de candidat", "Logement remis au bailleur pour ce tour, imputé sur le flux du réservataire."),
    (
        "Échanges d'information",
        "Notification via la plateforme ; relevé mensuel des mises à disposition et des attributions.",
    ),
    ("Bilan annuel", "Transmis avant le 28 février de l'année suivante (CCH R.441-5-1)."),
    ("Comité de suivi", "Réuni deux fois par an, à l'initiative du bailleur."),
]


@lru_cache(maxsize=1)
def epci_hauts_de_france(limit: int = 50) -> tuple[tuple[str, str, int], ...]:
    """(SIREN, nom, population) of the most populated EPCI with communes in Hauts-de-France."""
    from territoires.geodata import read_file  # the referential file, no database needed

    data = read_file()
    in_region = {row[3] for row in data["communes"] if row[2] in HAUTS_DE_FRANCE and row[3]}
    rows = [(siren, nom, population or 0) for siren, nom, _type, population in data["epci"] if siren in in_region]
    rows.sort(key=lambda row: (-row[2], row[1]))
    return tuple(rows[:limit])


def _objectifs(rows: tuple[tuple[str, str, int], ...]) -> list[dict[str, Any]]:
    total_population = sum(population for _, _, population in rows) or 1
    volume = round(FLUX_ANNUEL_ESTIME * TAUX_RESERVATAIRE / 100)
    lignes = []
    for index, (siren, nom, population) in enumerate(rows, start=1):
        objectif = max(1, round(volume * population / total_population))
        lignes.append(
            {
                "rang": index,
                "siren": siren,
                "nom": nom,
                "population": population,
                "objectif": objectif,
                "dont_qpv": round(objectif * (0.18 + (index % 7) * 0.03)),
                "dont_premiere_mise_en_service": round(objectif * 0.12),
            }
        )
    return lignes


def exemple_convention_context(*, version: int = 3, epci: int = 50) -> dict[str, Any]:
    """Context for templates/pdf/exemple_convention.html (a convention bailleur / Action Logement)."""
    reference = f"FR-CONV-59-0001-v{version}"
    bailleur = {
        "nom": "Nord Habitat Solidaire",
        "forme": "office public de l'habitat",
        "siren": "272 900 014",
        "adresse": "12, rue de l'Hôtel de Ville, 59000 Lille",
        "representant": "Hélène Martin",
        "fonction": "directrice générale",
    }
    reservataire = {
        "nom": "Action Logement Services",
        "forme": "société par actions simplifiée",
        "siren": "824 541 148",
        "adresse": "19-21, quai d'Austerlitz, 75013 Paris",
        "representant": "Jean-François Lefèvre",
        "fonction": "directeur régional Hauts-de-France",
    }
    objectifs = _objectifs(epci_hauts_de_france(epci))
    return {
        "document": DocumentPdf(
            reference=reference,
            kind=DocumentKind.CONVENTION,
            title="Convention de réservation de logements locatifs sociaux en flux",
            subject=f"Convention entre {bailleur['nom']} et {reservataire['nom']} — département du Nord",
        ),
        "version": version,
        "date_version": dt.date(2026, 11, 23),
        "date_effet": dt.date(2027, 1, 1),
        "bailleur": bailleur,
        "reservataire": reservataire,
        "perimetre": "Département du Nord (59) — patrimoine du bailleur situé sur le territoire départemental",
        "duree": "3 ans à compter du 1er janvier 2027, renouvelable par tacite reconduction pour 3 ans",
        "flux_estime": FLUX_ANNUEL_ESTIME,
        "taux": TAUX_RESERVATAIRE,
        "volume": sum(ligne["objectif"] for ligne in objectifs),
        "total_qpv": sum(ligne["dont_qpv"] for ligne in objectifs),
        "total_premiere_mise_en_service": sum(ligne["dont_premiere_mise_en_service"] for ligne in objectifs),
        "modalites": MODALITES,
        "etat_des_lieux": [
            {"financement": "PLAI", "logements": 2140, "reserves": 512, "part": 23.9},
            {"financement": "PLUS", "logements": 9870, "reserves": 2231, "part": 22.6},
            {"financement": "PLS", "logements": 1315, "reserves": 298, "part": 22.7},
            {"financement": "PLI et autres", "logements": 402, "reserves": 71, "part": 17.7},
        ],
        "objectifs": objectifs,
        "contacts": [
            ("Nord Habitat Solidaire", "Service des attributions", "attributions@nord-habitat.example"),
            ("Action Logement Services", "Direction régionale Hauts-de-France", "hdf.flux@actionlogement.example"),
        ],
        "signatures": signature_blocks(
            bailleur=(bailleur["nom"], f"{bailleur['representant']}, {bailleur['fonction']}"),
            reservataire=(reservataire["nom"], f"{reservataire['representant']}, {reservataire['fonction']}"),
        ),
        "verification_url": "https://flux.example.fr/verification/",
    }
