"""Import of the état des lieux from a spreadsheet: by lots, all or nothing, upserted by reference."""

import datetime
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.urls import reverse

from core.jobs import job_create, job_enqueue
from core.models import Job
from flux.models import Fondement, ReservationStock, SourceReservation
from flux.services.etat_des_lieux.lignes import CHAMPS, Contexte, communes_a_charger, valider_reservation
from flux.services.journal import evenement_log
from flux.services.lecture import (
    Colonne,
    FichierIllisible,
    LigneErreur,
    LigneIllisible,
    normaliser_entete,
    ouvrir_tableau,
)
from flux.services.patrimoine import fichier_enregistrer, verifier_redacteur
from flux.services.rapports import ImportRefuse, RapportErreurs, import_refuse_en_echec
from reservataires.models import Organisation

KIND_IMPORT_ETAT_DES_LIEUX = "flux.import_etat_des_lieux"
TAILLE_LOT = 2000


COLONNES = [
    Colonne(
        "reference", "référence", ("ref", "identifiant", "numero", "numero_convention", "reference_convention"), True
    ),
    Colonne("reservataire", "réservataire", ("beneficiaire", "reservataire_siren", "siren_reservataire"), True),
    Colonne("fondement", "fondement", ("base_legale", "fondement_juridique", "type_de_droit", "contrepartie"), True),
    Colonne("departement", "département", ("dep", "code_departement", "dep_code"), True),
    Colonne("nb_logements", "logements réservés", ("nombre", "nb_logements_reserves", "nombre_logements", "nb")),
    Colonne("commune", "commune", ("code_commune", "depcom", "code_insee")),
    Colonne("programmes", "programmes", ("programme", "code_programme", "programmes_concernes")),
    Colonne("rpls_ids", "logements identifiés", ("identifiants_rpls", "rpls", "logements", "liste_rpls")),
    Colonne("date_debut", "début des droits", ("debut", "date_de_debut", "date_effet")),
    Colonne("date_fin", "fin des droits", ("fin", "date_de_fin", "echeance")),
    Colonne("date_fin_pret", "fin du prêt garanti", ("fin_pret", "date_fin_emprunt", "echeance_pret")),
    Colonne("droit_de_suite", "droit de suite", ("suite",)),
    Colonne("taux_rotation", "taux de rotation", ("rotation", "taux_de_rotation")),
    Colonne("commentaire", "commentaire", ("commentaires", "observations", "remarque")),
]
LIBELLES = {c.cle: c.libelle for c in COLONNES}
CHAMPS_MIS_A_JOUR = [
    "reservataire",
    "departement",
    "commune",
    "fondement",
    "nb_logements",
    "programmes",
    "date_debut",
    "date_fin",
    "date_fin_pret",
    "droit_de_suite",
    "taux_rotation",
    "commentaire",
    "source",
]
FONDEMENTS_TEXTE = {
    **{normaliser_entete(v): v for v in Fondement.values},
    **{normaliser_entete(label): v for v, label in Fondement.choices},
    "prefet": Fondement.PREFET_PRIORITAIRES,
    "contingent_prefectoral": Fondement.PREFET_PRIORITAIRES,
    "prioritaires": Fondement.PREFET_PRIORITAIRES,
    "publics_prioritaires": Fondement.PREFET_PRIORITAIRES,
    "agents": Fondement.PREFET_AGENTS,
    "fonctionnaires": Fondement.PREFET_AGENTS,
    "agents_de_l_etat": Fondement.PREFET_AGENTS,
    "action_logement": Fondement.ACTION_LOGEMENT,
    "als": Fondement.ACTION_LOGEMENT,
    "1": Fondement.ACTION_LOGEMENT,
    "peec": Fondement.ACTION_LOGEMENT,
    "garantie": Fondement.GARANTIE_EMPRUNT,
    "garantie_d_emprunt": Fondement.GARANTIE_EMPRUNT,
    "apport": Fondement.APPORT,
    "apport_de_terrain": Fondement.APPORT,
    "apport_de_financement": Fondement.APPORT,
    "financement": Fondement.APPORT,
    "subvention": Fondement.APPORT,
    "terrain": Fondement.APPORT,
    "autre": Fondement.AUTRE,
}
RE_DATE_FR = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
RE_LISTE = re.compile(r"[,;\s|]+")


def _date(valeur: str) -> datetime.date:
    m = RE_DATE_FR.match(valeur)
    if m:
        return datetime.date(int(m[3]), int(m[2]), int(m[1]))
    return datetime.date.fromisoformat(valeur[:10])


class AnnuaireReservataires:
    """Resolve a réservataire written as an id, a SIREN or a name (case and accents ignored)."""

    def __init__(self):
        self.par_id, self.par_siren, self.par_nom = {}, {}, {}
        for org in Organisation.objects.reservataires().filter(actif=True):
            self.par_id[org.pk] = org
            if org.siren:
                self.par_siren.setdefault(org.siren, []).append(org)
            self.par_nom.setdefault(normaliser_entete(org.nom), []).append(org)

    def trouver(self, valeur: str) -> tuple[Organisation | None, str]:
        if re.fullmatch(r"\d{9}", valeur):
            candidats = self.par_siren.get(valeur, [])
        elif valeur.isdigit():
            candidats = [self.par_id[int(valeur)]] if int(valeur) in self.par_id else []
        else:
            candidats = self.par_nom.get(normaliser_entete(valeur), [])
        if len(candidats) == 1:
            return candidats[0], ""
        if not candidats:
            return None, "Réservataire introuvable : indiquez son nom exact, son SIREN ou son numéro dans l'annuaire."
        return None, "Plusieurs réservataires portent ce nom : indiquez plutôt le SIREN ou le numéro."


def _lire_ligne(cellules: list[str], index: dict[str, int], annuaire: AnnuaireReservataires):
    """Parse the cells of one line into ``valider_reservation`` input, with per-column errors."""
    v = {c: (cellules[i] if (i := index.get(c)) is not None and i < len(cellules) else "") for c in CHAMPS}
    erreurs: dict[str, str] = {}
    data: dict = {"reference": v["reference"], "commentaire": v["commentaire"], "commune": v["commune"].upper()}
    if not v["reference"]:
        erreurs["reference"] = "Référence manquante : elle identifie la ligne lors des réimports."
    org, message = annuaire.trouver(v["reservataire"]) if v["reservataire"] else (None, "Réservataire manquant.")
    if org is None:
        erreurs["reservataire"] = message
    data["reservataire"] = org.pk if org else None
    data["fondement"] = FONDEMENTS_TEXTE.get(normaliser_entete(v["fondement"]))
    if data["fondement"] is None:
        erreurs["fondement"] = "Fondement inconnu : " + ", ".join(Fondement.values) + "."
    dep = v["departement"].upper()
    data["departement"] = dep.zfill(2) if dep.isdigit() and len(dep) == 1 else dep
    if v["nb_logements"]:
        try:
            data["nb_logements"] = int(v["nb_logements"])
        except ValueError:
            erreurs["nb_logements"] = "Nombre de logements invalide : entier attendu."
    data["rpls_ids"] = [r.zfill(10) if r.isdigit() and len(r) < 10 else r for r in RE_LISTE.split(v["rpls_ids"]) if r]
    data["programmes"] = [p.strip() for p in v["programmes"].split(",") if p.strip()]
    for cle in ("date_debut", "date_fin", "date_fin_pret"):
        if v[cle]:
            try:
                data[cle] = _date(v[cle])
            except ValueError:
                erreurs[cle] = "Date invalide : JJ/MM/AAAA ou AAAA-MM-JJ attendu."
    if v["droit_de_suite"]:
        choix = v["droit_de_suite"].lower()
        if choix in ("1", "oui", "o", "vrai", "true", "x"):
            data["droit_de_suite"] = True
        elif choix in ("2", "0", "non", "n", "faux", "false"):
            data["droit_de_suite"] = False
        else:
            erreurs["droit_de_suite"] = "Droit de suite : oui ou non attendu."
    if v["taux_rotation"]:
        try:
            data["taux_rotation"] = Decimal(v["taux_rotation"].replace(",", ".").rstrip("%").strip())
        except InvalidOperation:
            erreurs["taux_rotation"] = "Taux de rotation invalide : pourcentage attendu (ex. 8,5)."
    return data, v, erreurs


def etat_des_lieux_import_demander(*, bailleur: Organisation, fichier, by) -> Job:
    from flux import tasks

    verifier_redacteur(by, bailleur, "importer l'état des lieux")
    stocke = fichier_enregistrer(fichier, dossier="etats-des-lieux")
    job = job_create(
        kind=KIND_IMPORT_ETAT_DES_LIEUX,
        label=f"Import de l'état des lieux – {bailleur.nom} ({Path(fichier.name).name})",
        by=by,
        organisation=bailleur,
        params={"bailleur_id": bailleur.pk, "fichier": stocke, "nom": Path(fichier.name).name},
    )
    job_enqueue(job, tasks.import_etat_des_lieux)
    return job


def etat_des_lieux_import(*, bailleur: Organisation, path, by, job: Job | None = None) -> dict:
    """Upsert état des lieux lines by reference, all or nothing."""
    verifier_redacteur(by, bailleur, "importer l'état des lieux")
    tableau = ouvrir_tableau(path, COLONNES)
    rapport = RapportErreurs()
    annuaire = AnnuaireReservataires()
    ctx = Contexte(bailleur, reservataires=annuaire.par_id)
    vues: dict[str, int] = {}
    stats = {"lignes": 0, "crees": 0, "mis_a_jour": 0}
    try:
        with transaction.atomic():
            lot: list[tuple[int, list[str]]] = []
            for numero, cellules in tableau.lignes:
                stats["lignes"] += 1
                if isinstance(cellules, LigneIllisible):
                    rapport.ajouter(LigneErreur(numero, "", cellules.valeur, cellules.message))
                    continue
                lot.append((numero, cellules))
                if len(lot) >= TAILLE_LOT:
                    _traiter_lot(lot, tableau.index, annuaire, ctx, vues, rapport, stats, by)
                    lot = []
                    if job is not None:
                        job.report_progress(stats["lignes"], max(tableau.total_estime, stats["lignes"]))
            if lot:
                _traiter_lot(lot, tableau.index, annuaire, ctx, vues, rapport, stats, by)
            if not stats["lignes"]:
                raise FichierIllisible("Le fichier ne contient aucune ligne sous son en-tête.")
            if rapport:
                raise ImportRefuse(rapport, {"Lignes lues": stats["lignes"], "Encodage": tableau.encodage_libelle})
            evenement_log(
                bailleur=bailleur,
                type="etat_des_lieux_import",
                by=by,
                message=(
                    f"Import de l'état des lieux : {stats['lignes']} lignes, {stats['crees']} créées, "
                    f"{stats['mis_a_jour']} mises à jour."
                ),
                details=stats,
            )
    finally:
        tableau.fermer()
    return stats


def _traiter_lot(lot, index, annuaire, ctx: Contexte, vues, rapport: RapportErreurs, stats, by) -> None:
    lues = [(numero, *_lire_ligne(cellules, index, annuaire)) for numero, cellules in lot]
    ctx.charger(
        communes=[c for _, d, _, _ in lues for c in communes_a_charger(d, ctx)],
        rpls_ids=[r for _, d, _, _ in lues for r in d["rpls_ids"]],
    )
    valides = []
    for numero, data, brut, erreurs in lues:
        propre, autres = valider_reservation(data, ctx)
        for cle, message in {**autres, **erreurs}.items():
            rapport.ajouter(LigneErreur(numero, LIBELLES.get(cle, cle), brut.get(cle, ""), message))
        reference = data["reference"]
        if reference:
            if reference in vues:
                rapport.ajouter(
                    LigneErreur(
                        numero,
                        LIBELLES["reference"],
                        reference,
                        f"Référence en double dans le fichier : déjà ligne {vues[reference]}.",
                    )
                )
                continue
            vues[reference] = numero
        if not erreurs and not autres:
            valides.append(propre)
    if rapport or not valides:
        return  # nothing will be kept: do not write
    existantes = dict(
        ReservationStock.objects.filter(
            bailleur=ctx.bailleur, reference__in=[p["reference"] for p in valides]
        ).values_list("reference", "pk")
    )
    nouvelles, modifiees, liens = [], [], {}
    for propre in valides:
        logement_ids = propre.pop("logement_ids")
        objet = ReservationStock(bailleur=ctx.bailleur, source=SourceReservation.IMPORT, cree_par=by, **propre)
        if propre["reference"] in existantes:
            objet.pk = existantes[propre["reference"]]
            modifiees.append(objet)
        else:
            nouvelles.append(objet)
        liens[propre["reference"]] = logement_ids
    ReservationStock.objects.bulk_create(nouvelles, batch_size=1000)
    ReservationStock.objects.bulk_update(modifiees, CHAMPS_MIS_A_JOUR, batch_size=1000)
    # Editors who loaded one of these lines before the import must reload it (optimistic lock).
    ReservationStock.objects.filter(pk__in=[o.pk for o in modifiees]).update(lock_version=F("lock_version") + 1)
    ids = {o.reference: o.pk for o in (*nouvelles, *modifiees)}
    through = ReservationStock.logements.through
    through.objects.filter(reservationstock_id__in=ids.values()).delete()
    through.objects.bulk_create(
        [through(reservationstock_id=ids[ref], logement_id=lid) for ref, lids in liens.items() for lid in lids],
        batch_size=5000,
    )
    stats["crees"] += len(nouvelles)
    stats["mis_a_jour"] += len(modifiees)


def etat_des_lieux_import_job(job: Job) -> dict:
    params = job.params
    bailleur = Organisation.objects.get(pk=params["bailleur_id"])
    with import_refuse_en_echec(job, rien_ecrit="Aucune ligne n'a été enregistrée", conseil=False):
        stats = etat_des_lieux_import(
            bailleur=bailleur, path=default_storage.path(params["fichier"]), by=job.created_by, job=job
        )
    return {
        "result": {
            "resume": {
                "Lignes lues": stats["lignes"],
                "Lignes créées": stats["crees"],
                "Lignes mises à jour": stats["mis_a_jour"],
            }
        },
        "message": f"{stats['lignes']} lignes importées.",
        "url": reverse("flux:stock_list") + f"?bailleur={bailleur.pk}",
    }
