"""Import of a bailleur's dwellings from an RPLS file (CSV or XLSX), atomic and streamed."""

import uuid
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from core.jobs import job_create, job_enqueue
from core.models import Job
from flux.services.journal import evenement_log
from flux.services.lecture import FichierIllisible, LigneErreur, LigneIllisible, ouvrir_tableau
from flux.services.rapports import ImportRefuse, RapportErreurs, import_refuse_en_echec
from flux.services.rpls import COLONNES, LIBELLES, ValidateurLogement
from flux.services.staging import StagingLogements
from reservataires.models import Capacite, Organisation
from reservataires.selectors import user_can
from territoires.models import Referentiel

KIND_IMPORT_PATRIMOINE = "flux.import_patrimoine"
TAILLE_LOT = 10_000
EXTENSIONS = (".csv", ".txt", ".xlsx")
TAILLE_MAX = 2 * 1024 * 1024 * 1024


def verifier_redacteur(user, bailleur: Organisation, quoi: str) -> None:
    if not bailleur.est_bailleur:
        raise ValidationError({"bailleur": "L'organisation choisie n'est pas un bailleur."})
    if not user_can(user, bailleur, Capacite.REDIGER):
        raise PermissionDenied(f"Seuls les rédacteurs et administrateurs du bailleur peuvent {quoi}.")


def fichier_enregistrer(fichier, *, dossier: str) -> str:
    """Store an upload (streamed to disk by Django) where the worker can read it."""
    nom = Path(getattr(fichier, "name", "") or "fichier").name
    if not nom.lower().endswith(EXTENSIONS):
        raise ValidationError({"fichier": "Format non pris en charge : fichier CSV ou XLSX attendu."})
    if not fichier.size:
        raise ValidationError({"fichier": "Le fichier est vide."})
    if fichier.size > TAILLE_MAX:
        raise ValidationError({"fichier": "Fichier trop volumineux (2 Go au plus)."})
    return default_storage.save(f"flux/{dossier}/{uuid.uuid4().hex}-{nom[-80:]}", fichier)


def patrimoine_import_demander(*, bailleur: Organisation, fichier, by, remplacer: bool = False) -> Job:
    """Store the file and start the import in the background; returns the job to follow."""
    from flux import tasks

    verifier_redacteur(by, bailleur, "importer le patrimoine")
    stocke = fichier_enregistrer(fichier, dossier="imports")
    job = job_create(
        kind=KIND_IMPORT_PATRIMOINE,
        label=f"Import du patrimoine – {bailleur.nom} ({Path(fichier.name).name})",
        by=by,
        organisation=bailleur,
        params={"bailleur_id": bailleur.pk, "fichier": stocke, "nom": Path(fichier.name).name, "remplacer": remplacer},
    )
    job_enqueue(job, tasks.import_patrimoine)
    return job


def patrimoine_import(
    *, bailleur: Organisation, path: str | Path, by, job: Job | None = None, remplacer: bool = False
) -> dict:
    """Read, check and upsert every dwelling of the file in one transaction.

    Raises FichierIllisible (whole file unusable) or ImportRefuse (line errors): in both
    cases nothing is written. Returns the counts of created / updated / unchanged rows.
    """
    verifier_redacteur(by, bailleur, "importer le patrimoine")
    tableau = ouvrir_tableau(path, COLONNES)
    rapport = RapportErreurs()
    valider = ValidateurLogement(tableau.index, bailleur.pk)
    total = tableau.total_estime

    def progression(fait: int, message: str) -> None:
        if job is not None:
            job.report_progress(fait, max(total, fait), message)

    progression(0, "Lecture et contrôle des lignes")
    try:
        with transaction.atomic():
            staging = StagingLogements()
            staging.create()
            lignes = 0
            lot: list[tuple] = []
            for numero, cellules in tableau.lignes:
                lignes += 1
                if isinstance(cellules, LigneIllisible):
                    rapport.ajouter(LigneErreur(numero, "", cellules.valeur, cellules.message))
                    continue
                row, erreurs = valider(numero, cellules)
                if erreurs:
                    rapport.etendre(erreurs)
                if row is not None:
                    lot.append(row)
                if len(lot) >= TAILLE_LOT:
                    staging.write(lot)
                    lot = []
                    progression(lignes, f"Lecture et contrôle des lignes ({rapport.total} erreur(s) à ce stade)")
            if lot:
                staging.write(lot)
            total = lignes
            if not lignes:
                raise FichierIllisible("Le fichier ne contient aucune ligne de logement sous son en-tête.")
            progression(lignes, "Contrôle des communes et des identifiants en double")
            staging.seal()
            _controles_globaux(staging, rapport)
            resume = {"Lignes lues": lignes, "Encodage": tableau.encodage_libelle}
            if rapport:
                raise ImportRefuse(rapport, resume)
            progression(lignes, "Enregistrement des logements")
            stats = staging.upsert(timezone.now())
            stats["anciens_codes"] = staging.anciens_codes()
            stats["supprimes"] = staging.supprimer_absents(bailleur.pk) if remplacer else 0
            stats["lignes"] = lignes
            staging.drop()
            evenement_log(
                bailleur=bailleur,
                type="patrimoine_import",
                message=(
                    f"Import du patrimoine : {lignes} lignes, {stats['crees']} logements créés, "
                    f"{stats['mis_a_jour']} mis à jour, {stats['inchanges']} inchangés"
                    + (f", {stats['supprimes']} retirés" if remplacer else "")
                    + "."
                ),
                by=by,
                details={**stats, "encodage": tableau.encodage_libelle, "format": tableau.format},
            )
    finally:
        tableau.fermer()
    stats["encodage"] = tableau.encodage_libelle
    stats["format"] = tableau.format
    return stats


def _controles_globaux(staging: StagingLogements, rapport: RapportErreurs) -> None:
    referentiel = Referentiel.objects.first()
    millesime = f" {referentiel.millesime}" if referentiel else ""
    restant = max(0, 50_000 - len(rapport.erreurs))
    nb_inconnues, inconnues = staging.communes_inconnues(limit=restant or 1)
    rapport.total += nb_inconnues - len(inconnues)
    for ligne, code in inconnues:
        rapport.ajouter(
            LigneErreur(
                ligne,
                LIBELLES["code_commune"],
                code,
                f"Commune inconnue du code officiel géographique{millesime} (ni commune actuelle, ni ancien code).",
            )
        )
    nb_doublons, doublons = staging.doublons(limit=restant or 1)
    rapport.total += nb_doublons - len(doublons)
    groupes: dict[str, list[int]] = {}
    for rpls_id, ligne in doublons:
        groupes.setdefault(rpls_id, []).append(ligne)
    for rpls_id, lignes in groupes.items():
        for ligne in lignes:
            autres = ", ".join(str(n) for n in lignes if n != ligne)
            rapport.ajouter(
                LigneErreur(
                    ligne,
                    LIBELLES["rpls_id"],
                    rpls_id,
                    f"Identifiant RPLS en double dans le fichier : aussi ligne {autres}.",
                )
            )


def patrimoine_import_job(job: Job) -> dict:
    """The background job: run the import and turn failures into the job's report."""
    params = job.params
    bailleur = Organisation.objects.get(pk=params["bailleur_id"])
    path = default_storage.path(params["fichier"])
    with import_refuse_en_echec(job, rien_ecrit="Aucun logement n'a été enregistré"):
        stats = patrimoine_import(
            bailleur=bailleur, path=path, by=job.created_by, job=job, remplacer=params.get("remplacer", False)
        )
    resume = {
        "Lignes lues": stats["lignes"],
        "Logements créés": stats["crees"],
        "Logements mis à jour": stats["mis_a_jour"],
        "Logements inchangés": stats["inchanges"],
        "Anciens codes commune convertis": stats["anciens_codes"],
        "Format": stats["format"].upper(),
        "Encodage": stats["encodage"],
    }
    if params.get("remplacer"):
        resume["Logements absents du fichier retirés"] = stats["supprimes"]
    return {
        "result": {"resume": resume, "stats": {k: v for k, v in stats.items() if isinstance(v, int)}},
        "message": f"{stats['lignes']} lignes importées.",
        "url": reverse("flux:patrimoine_detail", args=[bailleur.pk]),
    }


def fichier_supprimer(nom: str) -> None:
    if nom and default_storage.exists(nom):
        default_storage.delete(nom)


def patrimoine_resync_geo(*, bailleur: Organisation | None = None) -> int:
    """Re-derive département / EPCI / EPT from the commune after a new COG vintage."""
    distinct = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    filtre, params = ("AND flux_logement.bailleur_id = %s", [bailleur.pk]) if bailleur else ("", [])
    sql = f"""
        UPDATE flux_logement SET departement_id = c.departement_id, epci_id = c.epci_id, ept_id = c.ept_id
        FROM territoires_commune c
        WHERE c.code = flux_logement.commune_id {filtre}
          AND (flux_logement.departement_id {distinct} c.departement_id OR flux_logement.epci_id {distinct} c.epci_id
               OR flux_logement.ept_id {distinct} c.ept_id)
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
