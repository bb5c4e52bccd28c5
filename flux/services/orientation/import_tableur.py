"""Import of declarations (vacated dwellings, first lettings) from a CSV or XLSX file, all or nothing.

Reuses the machinery of the other imports: streamed reader (flux.services.lecture), line-by-line
report kept on the job (flux.services.rapports), background job (core.jobs). Lines are declared in
file order through the same service as the pages, so each proposal counts the lines before it;
one wrong line and the whole transaction is rolled back.
"""

import re
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse

from core.jobs import job_create, job_enqueue
from core.models import Job
from flux.models import Logement, NatureDisponibilite, SourceDeclaration
from flux.services.etat_des_lieux.import_tableur import AnnuaireReservataires, _date
from flux.services.journal import evenement_log
from flux.services.lecture import (
    Colonne,
    FichierIllisible,
    LigneErreur,
    LigneIllisible,
    normaliser_entete,
    ouvrir_tableau,
)
from flux.services.orientation.actions import PROPOSE, orientation_declarer
from flux.services.patrimoine import fichier_enregistrer, verifier_redacteur
from flux.services.rapports import ImportRefuse, RapportErreurs, import_refuse_en_echec
from reservataires.models import Organisation

KIND_IMPORT_ORIENTATIONS = "flux.import_orientations"
COLONNES = [
    Colonne("rpls_id", "identifiant RPLS", ("rpls", "identifiant_rpls", "logement", "rpls_id_logement"), True),
    Colonne("nature", "nature", ("nature_disponibilite", "type", "motif_disponibilite"), True),
    Colonne("date_disponibilite", "date de disponibilité", ("date", "disponible_le", "date_dispo"), True),
    Colonne("reservataire", "réservataire (dérogation)", ("destinataire", "reservataire_choisi")),
    Colonne("motif", "motif de la dérogation", ("motif_derogation", "justification", "commentaire")),
]
LIBELLES = {c.cle: c.libelle for c in COLONNES}
NATURES = {
    **{normaliser_entete(v): v for v in NatureDisponibilite.values},
    **{normaliser_entete(label): v for v, label in NatureDisponibilite.choices},
    "liberation": NatureDisponibilite.RELOCATION,
    "libere": NatureDisponibilite.RELOCATION,
    "logement_libere": NatureDisponibilite.RELOCATION,
    "vacance": NatureDisponibilite.RELOCATION,
    "premiere_location": NatureDisponibilite.PREMIERE_LOCATION,
    "premiere_mise_en_location": NatureDisponibilite.PREMIERE_LOCATION,
    "mise_en_service": NatureDisponibilite.PREMIERE_LOCATION,
    "livraison": NatureDisponibilite.PREMIERE_LOCATION,
}
PART_PROPRE = {"bailleur", "part_propre", "part_propre_du_bailleur", "part_bailleur", "non_reserve"}


def orientations_import_demander(*, bailleur: Organisation, fichier, by) -> Job:
    from flux import tasks_orientation

    verifier_redacteur(by, bailleur, "déclarer des logements disponibles")
    stocke = fichier_enregistrer(fichier, dossier="orientations")
    job = job_create(
        kind=KIND_IMPORT_ORIENTATIONS,
        label=f"Import de déclarations – {bailleur.nom} ({Path(fichier.name).name})",
        by=by,
        organisation=bailleur,
        params={"bailleur_id": bailleur.pk, "fichier": stocke, "nom": Path(fichier.name).name},
    )
    job_enqueue(job, tasks_orientation.import_orientations)
    return job


def _cellules(cellules, index) -> dict[str, str]:
    return {c.cle: (cellules[i] if (i := index.get(c.cle)) is not None and i < len(cellules) else "") for c in COLONNES}


def orientations_import(*, bailleur: Organisation, path, by, job: Job | None = None) -> dict:
    """Declare every line of the file in one transaction; ImportRefuse (nothing written) on any error."""
    verifier_redacteur(by, bailleur, "déclarer des logements disponibles")
    tableau = ouvrir_tableau(path, COLONNES)
    rapport = RapportErreurs()
    annuaire = AnnuaireReservataires()
    vus: dict[str, int] = {}
    stats = {"lignes": 0, "orientees": 0, "derogations": 0}
    try:
        with transaction.atomic():
            for numero, cellules in tableau.lignes:
                stats["lignes"] += 1
                if isinstance(cellules, LigneIllisible):
                    rapport.ajouter(LigneErreur(numero, "", cellules.valeur, cellules.message))
                    continue
                _ligne(numero, _cellules(cellules, tableau.index), bailleur, by, annuaire, vus, rapport, stats)
                if job is not None and stats["lignes"] % 50 == 0:
                    job.report_progress(stats["lignes"], max(tableau.total_estime, stats["lignes"]))
            if not stats["lignes"]:
                raise FichierIllisible("Le fichier ne contient aucune ligne sous son en-tête.")
            if rapport:
                raise ImportRefuse(rapport, {"Lignes lues": stats["lignes"], "Encodage": tableau.encodage_libelle})
            evenement_log(
                bailleur=bailleur,
                type="orientations_import",
                by=by,
                message=(
                    f"Import de déclarations : {stats['orientees']} logements orientés "
                    f"dont {stats['derogations']} hors proposition."
                ),
                details=stats,
            )
    finally:
        tableau.fermer()
    return stats


def _ligne(numero, v, bailleur, by, annuaire, vus, rapport: RapportErreurs, stats) -> None:
    erreurs: dict[str, str] = {}
    rpls_id = v["rpls_id"]
    rpls_id = rpls_id.zfill(10) if rpls_id.isdigit() and len(rpls_id) < 10 else rpls_id
    logement = None
    if not rpls_id:
        erreurs["rpls_id"] = "Identifiant RPLS manquant."
    elif rpls_id in vus:
        erreurs["rpls_id"] = f"Logement en double dans le fichier : déjà ligne {vus[rpls_id]}."
    else:
        vus[rpls_id] = numero
        logement = Logement.objects.filter(bailleur=bailleur, rpls_id=rpls_id).select_related("bailleur").first()
        if logement is None:
            erreurs["rpls_id"] = f"Logement inconnu du patrimoine de {bailleur.nom}."
    nature = NATURES.get(normaliser_entete(v["nature"]))
    if nature is None:
        erreurs["nature"] = "Nature inconnue : « relocation » (logement libéré) ou « premiere » (première location)."
    date = None
    try:
        date = _date(v["date_disponibilite"]) if v["date_disponibilite"] else None
    except ValueError:
        pass
    if date is None:
        erreurs["date_disponibilite"] = "Date de disponibilité invalide : JJ/MM/AAAA ou AAAA-MM-JJ attendu."
    reservataire = PROPOSE
    if v["reservataire"]:
        if normaliser_entete(v["reservataire"]) in PART_PROPRE:
            reservataire = None
        else:
            reservataire, message = annuaire.trouver(re.sub(r"\s+", " ", v["reservataire"]))
            if reservataire is None:
                erreurs["reservataire"] = message
    for cle, message in erreurs.items():
        rapport.ajouter(LigneErreur(numero, LIBELLES[cle], v[cle], message))
    if erreurs:
        return
    # Declared even after an error elsewhere (rolled back at the end): the report then lists every line refused.
    try:
        o = orientation_declarer(
            logement=logement,
            date_disponibilite=date,
            nature=nature,
            source=SourceDeclaration.IMPORT,
            by=by,
            reservataire=reservataire,
            motif=v["motif"],
        )
    except ValidationError as exc:
        cle = "motif" if hasattr(exc, "error_dict") and "motif" in exc.error_dict else "rpls_id"
        rapport.ajouter(LigneErreur(numero, LIBELLES[cle], v[cle], " ".join(exc.messages)))
        return
    stats["orientees"] += 1
    if o.reservataire_id != o.reservataire_propose_id:
        stats["derogations"] += 1


def orientations_import_job(job: Job) -> dict:
    params = job.params
    bailleur = Organisation.objects.get(pk=params["bailleur_id"])
    with import_refuse_en_echec(job, rien_ecrit="Aucun logement n'a été déclaré"):
        stats = orientations_import(
            bailleur=bailleur, path=default_storage.path(params["fichier"]), by=job.created_by, job=job
        )
    return {
        "result": {
            "resume": {
                "Lignes lues": stats["lignes"],
                "Logements orientés": stats["orientees"],
                "dont hors proposition (motivés)": stats["derogations"],
            }
        },
        "message": f"{stats['orientees']} logements orientés.",
        "url": reverse("flux:orientation_list") + f"?bailleur={bailleur.pk}",
    }
