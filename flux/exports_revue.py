"""XLSX export of the objectives review (French headers)."""

from flux.exports import _xlsx

ENTETES = [
    "EPCI (SIREN)", "EPCI", "Conventions", "Objectifs des conventions", "Logements attribués (flux)",
    "Objectif du réservataire", "Écart objectifs − objectif propre", "Écart attribués − objectif propre",
]  # fmt: skip


def revue_xlsx(revue, departement: str | None):
    lignes = [ENTETES]
    for ligne in revue.lignes:
        lignes.append([
            ligne.epci_id, ligne.epci_nom, ligne.conventions, ligne.objectifs, ligne.alloues, ligne.cible,
            ligne.ecart_objectifs, ligne.ecart_alloues,
        ])  # fmt: skip
    t = revue.totaux
    lignes.append(
        [
            "",
            "Total",
            t["conventions"],
            t["objectifs"],
            t["alloues"],
            t["cible"],
            t["ecart_objectifs"],
            t["ecart_alloues"],
        ]
    )
    parametres = [
        ["Paramètre", "Valeur"],
        ["Réservataire", str(revue.reservataire)],
        ["Année", revue.annee],
        ["Département", departement or "tous"],
    ]
    return _xlsx(
        [(f"Objectifs {revue.annee}", lignes), ("Paramètres", parametres)],
        f"revue-objectifs-{revue.annee}.xlsx",
    )
