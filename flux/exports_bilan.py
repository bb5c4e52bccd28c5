"""XLSX export of one bilan annuel (French headers): synthèse, one sheet per breakdown, EPCI objectives,
forecast of exclusions."""

from flux.exports import _xlsx
from flux.services.bilan import VENTILATIONS, due_le
from flux.services.bilan_documents import reference_de

COLONNES = ["Logements proposés (imputés)", "Logements attribués (CALEOL)", "Remis à disposition", "dont compensés"]


def bilan_xlsx(bilan):
    convention, donnees = bilan.convention, bilan.donnees or {}
    totaux = donnees.get("totaux", {})
    synthese = [
        ["Rubrique", "Valeur"],
        ["Bailleur", convention.bailleur.nom],
        ["Réservataire", convention.reservataire.nom],
        ["Périmètre", convention.perimetre_libelle],
        ["Convention", convention.numero or ""],
        ["Année du bilan", bilan.annee],
        ["À transmettre avant le", due_le(bilan.annee).strftime("%d/%m/%Y")],
        ["Statut", bilan.get_statut_display()],
        ["Objectif de l'année (hors report)", donnees.get("objectif_annee", 0)],
        ["Origine de l'objectif", donnees.get("source_objectif_libelle", "")],
        ["Report de l'année précédente", bilan.report_entrant],
        ["Objectif report inclus", bilan.objectif],
        ["Logements proposés (imputés)", bilan.realise],
        ["Logements attribués (CALEOL)", totaux.get("attribues", 0)],
        ["Remis à disposition", totaux.get("remis", 0)],
        ["dont compensés", totaux.get("compenses", 0)],
        ["Écart (réalisé − objectif)", bilan.ecart],
        ["Report des écarts prévu par la convention", "oui" if donnees.get("report_ecarts") else "non"],
        ["Report sur l'année suivante", bilan.report],
        ["Référence du document", reference_de(bilan)],
        ["Empreinte SHA-256 du PDF", bilan.sha256],
    ]
    feuilles = [("Synthèse", synthese)]
    for cle, (titre, _champ, _nom) in VENTILATIONS.items():
        lignes = [[titre, *COLONNES]]
        for ligne in donnees.get("ventilations", {}).get(cle, []):
            lignes.append([ligne["valeur"], ligne["proposes"], ligne["attribues"], ligne["remis"], ligne["compenses"]])
        feuilles.append((titre, lignes))
    epci = [["EPCI (SIREN)", "EPCI", "Objectif", "Réalisé", "Écart"]]
    epci += [
        [o["epci_id"], o["epci"], o["objectif"], o["realise"], o["ecart"]] for o in donnees.get("objectifs_epci", [])
    ]
    feuilles.append(("Objectifs par EPCI", epci))
    prevision = [["Catégorie", f"Logements exclus prévus en {donnees.get('annee_prevision', bilan.annee + 1)}"]]
    prevision += [[e["categorie"], e["logements"]] for e in donnees.get("exclusions_prevues", [])]
    feuilles.append(("Prévision des exclusions", prevision))
    return _xlsx(feuilles, f"{reference_de(bilan)}.xlsx")
