"""État des lieux des réservations: entered line by line, or imported from a spreadsheet.

One validation (``valider_reservation``) serves the form, the API and the import; it works
on pre-loaded lookups so an import validates thousands of lines with a few queries per lot.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from core.concurrency import update_if_unchanged
from flux.models import Fondement, Logement, ReservationStock, SourceReservation
from flux.models.etat_des_lieux import FONDEMENTS_PREFET, fin_des_droits_garantie
from flux.services.journal import evenement_log
from flux.services.patrimoine import verifier_redacteur
from reservataires.models import Organisation, TypeOrganisation
from territoires.models import Commune, Departement

CHAMPS = (
    "reservataire",
    "departement",
    "commune",
    "fondement",
    "nb_logements",
    "rpls_ids",
    "programmes",
    "date_debut",
    "date_fin",
    "date_fin_pret",
    "droit_de_suite",
    "taux_rotation",
    "reference",
    "commentaire",
)


@dataclass
class Contexte:
    """What validation needs to know, loaded once for a lot of lines."""

    bailleur: Organisation
    reservataires: dict[int, Organisation] = field(default_factory=dict)
    departements: set[str] = field(default_factory=set)
    communes: dict[str, Commune] = field(default_factory=dict)
    logements: dict[str, tuple[int, str]] = field(default_factory=dict)  # rpls_id -> (id, département)

    def charger(self, *, reservataires=(), communes=(), rpls_ids=()) -> "Contexte":
        manquants = {pk for pk in reservataires if pk not in self.reservataires}
        if manquants:
            for org in Organisation.objects.filter(pk__in=manquants):
                self.reservataires[org.pk] = org
        if not self.departements:
            self.departements = set(Departement.objects.values_list("code", flat=True))
        codes = {c for c in communes if c and c not in self.communes}
        if codes:
            for commune in Commune.objects.filter(code__in=codes):
                self.communes[commune.code] = commune
        ids = {r for r in rpls_ids if r not in self.logements}
        if ids:
            for pk, rpls_id, dep in Logement.objects.filter(bailleur=self.bailleur, rpls_id__in=ids).values_list(
                "pk", "rpls_id", "departement_id"
            ):
                self.logements[rpls_id] = (pk, dep)
        return self


def valider_reservation(data: dict, ctx: Contexte) -> tuple[dict, dict[str, str]]:
    """Check one line. ``data`` holds ids and Python values; returns (model fields, errors)."""
    erreurs: dict[str, str] = {}
    propre: dict = {}
    reservataire = ctx.reservataires.get(data.get("reservataire"))
    if reservataire is None or not reservataire.est_reservataire or not reservataire.actif:
        erreurs["reservataire"] = "Réservataire inconnu ou inactif (choisissez une organisation réservataire)."
    fondement = data.get("fondement")
    if fondement not in Fondement.values:
        erreurs["fondement"] = "Fondement inconnu."
    elif reservataire is not None and "reservataire" not in erreurs:
        est_prefet = reservataire.type == TypeOrganisation.PREFET
        if (fondement in FONDEMENTS_PREFET) != est_prefet:
            erreurs["fondement"] = (
                "Le contingent préfectoral est réservé au préfet, et le préfet ne réserve qu'à ce titre."
                if est_prefet or fondement in FONDEMENTS_PREFET
                else "Fondement incompatible avec ce réservataire."
            )
        elif fondement == Fondement.ACTION_LOGEMENT and reservataire.type != TypeOrganisation.ALS:
            erreurs["fondement"] = "Le fondement « Action Logement » est réservé à Action Logement Services."

    departement = data.get("departement")
    if departement not in ctx.departements:
        erreurs["departement"] = "Département inconnu."
    elif (
        reservataire is not None
        and reservataire.type in (TypeOrganisation.PREFET, TypeOrganisation.DEPARTEMENT)
        and reservataire.departement_id
        and reservataire.departement_id != departement
    ):
        erreurs["departement"] = (
            f"{reservataire.nom} ne réserve que dans son département ({reservataire.departement_id})."
        )

    commune = None
    code_commune = data.get("commune") or ""
    if not code_commune and reservataire is not None and reservataire.type == TypeOrganisation.COMMUNE:
        code_commune = reservataire.commune_id or ""
    if code_commune:
        commune = ctx.communes.get(code_commune)
        if commune is None:
            erreurs["commune"] = "Commune inconnue."
        elif commune.departement_id != departement and "departement" not in erreurs:
            erreurs["commune"] = "Cette commune n'est pas dans le département de la réservation."
        elif reservataire is not None and not _dans_le_territoire(reservataire, commune):
            erreurs["commune"] = f"Cette commune est hors du territoire de {reservataire.nom}."

    logement_ids = []
    inconnus, hors_departement = [], []
    for rpls_id in data.get("rpls_ids") or ():
        trouve = ctx.logements.get(rpls_id)
        if trouve is None:
            inconnus.append(rpls_id)
        elif trouve[1] != departement:
            hors_departement.append(rpls_id)
        else:
            logement_ids.append(trouve[0])
    if inconnus:
        erreurs["rpls_ids"] = "Logements absents du patrimoine du bailleur : " + ", ".join(inconnus[:10]) + "."
    elif hors_departement:
        erreurs["rpls_ids"] = "Logements hors du département : " + ", ".join(hors_departement[:10]) + "."
    logement_ids = sorted(set(logement_ids))

    nb = data.get("nb_logements")
    if nb in (None, ""):
        nb = len(logement_ids)
    if not isinstance(nb, int) or nb < 1:
        erreurs.setdefault("nb_logements", "Nombre de logements réservés manquant (au moins 1).")
    elif nb > 1_000_000:
        erreurs["nb_logements"] = "Nombre de logements réservés invraisemblable."
    elif len(logement_ids) > nb:
        erreurs["nb_logements"] = f"{len(logement_ids)} logements identifiés pour {nb} réservés : corrigez le nombre."

    date_debut, date_fin, date_fin_pret = data.get("date_debut"), data.get("date_fin"), data.get("date_fin_pret")
    if date_fin_pret and not date_fin and fondement == Fondement.GARANTIE_EMPRUNT:
        date_fin = fin_des_droits_garantie(date_fin_pret)
    if date_debut and date_fin and date_fin < date_debut:
        erreurs["date_fin"] = "La fin des droits précède leur début."
    if date_fin_pret and fondement not in (Fondement.GARANTIE_EMPRUNT, None) and "fondement" not in erreurs:
        erreurs["date_fin_pret"] = (
            "La fin de prêt ne concerne que les réservations en contrepartie d'une garantie d'emprunt."
        )

    taux = data.get("taux_rotation")
    if taux is not None and not Decimal("0") < taux <= Decimal("100"):
        erreurs["taux_rotation"] = "Taux de rotation en pourcentage, entre 0 et 100."
    programmes = [p.strip() for p in data.get("programmes") or () if p and p.strip()]
    if any(len(p) > 100 for p in programmes):
        erreurs["programmes"] = "Référence de programme trop longue (100 caractères au plus)."
    reference = (data.get("reference") or "").strip()
    if len(reference) > 100:
        erreurs["reference"] = "Référence trop longue (100 caractères au plus)."

    propre.update(
        reservataire=reservataire,
        departement_id=departement,
        commune=commune,
        fondement=fondement,
        nb_logements=nb,
        programmes=sorted(set(programmes)),
        date_debut=date_debut,
        date_fin=date_fin,
        date_fin_pret=date_fin_pret,
        droit_de_suite=bool(data.get("droit_de_suite", True)),
        taux_rotation=taux,
        reference=reference,
        commentaire=(data.get("commentaire") or "").strip(),
        logement_ids=logement_ids,
    )
    return propre, erreurs


def _dans_le_territoire(reservataire: Organisation, commune: Commune) -> bool:
    if reservataire.type == TypeOrganisation.COMMUNE:
        return commune.code == reservataire.commune_id or commune.parent_id == reservataire.commune_id
    if reservataire.type == TypeOrganisation.EPCI:
        return reservataire.epci_id in (commune.epci_id, commune.ept_id)
    return True


def _reference_prise(bailleur, reference: str, sauf: int | None = None) -> bool:
    if not reference:
        return False
    return ReservationStock.objects.filter(bailleur=bailleur, reference=reference).exclude(pk=sauf).exists()


def _contexte_pour(bailleur, data: dict) -> Contexte:
    ctx = Contexte(bailleur).charger(reservataires=[data.get("reservataire")] if data.get("reservataire") else [])
    return ctx.charger(communes=communes_a_charger(data, ctx), rpls_ids=data.get("rpls_ids") or ())


def communes_a_charger(data: dict, ctx: Contexte) -> list[str]:
    """The line's commune, and the réservataire's own (the default for a commune réservataire)."""
    reservataire = ctx.reservataires.get(data.get("reservataire"))
    return [data.get("commune") or "", (reservataire.commune_id if reservataire else None) or ""]


def _donnees(data: dict) -> dict:
    data = dict(data)
    for cle in ("reservataire", "departement", "commune"):
        valeur = data.get(cle)
        if isinstance(valeur, Organisation | Departement | Commune):
            data[cle] = valeur.pk
    if data.get("commune") is None:
        data["commune"] = ""
    return data


@transaction.atomic
def reservation_create(
    *, bailleur: Organisation, by, source: str = SourceReservation.SAISIE, **data
) -> ReservationStock:
    verifier_redacteur(by, bailleur, "modifier l'état des lieux")
    data = _donnees(data)
    propre, erreurs = valider_reservation(data, _contexte_pour(bailleur, data))
    if _reference_prise(bailleur, propre["reference"]):
        erreurs["reference"] = "Cette référence est déjà utilisée par une autre ligne de l'état des lieux."
    if erreurs:
        raise ValidationError(erreurs)
    logement_ids = propre.pop("logement_ids")
    reservation = ReservationStock.objects.create(bailleur=bailleur, source=source, cree_par=by, **propre)
    reservation.logements.set(logement_ids)
    evenement_log(
        bailleur=bailleur,
        type="etat_des_lieux_ajout",
        by=by,
        message=f"État des lieux : ajout de « {reservation} ».",
        details={"reservation": reservation.pk},
    )
    return reservation


@transaction.atomic
def reservation_update(
    *, reservation: ReservationStock, by, expected_version: int | None = None, **data
) -> ReservationStock:
    bailleur = reservation.bailleur
    verifier_redacteur(by, bailleur, "modifier l'état des lieux")
    actuel = {
        "reservataire": reservation.reservataire_id,
        "departement": reservation.departement_id,
        "commune": reservation.commune_id or "",
        "fondement": reservation.fondement,
        "nb_logements": reservation.nb_logements,
        "rpls_ids": list(reservation.logements.values_list("rpls_id", flat=True)),
        "programmes": reservation.programmes,
        "date_debut": reservation.date_debut,
        "date_fin": reservation.date_fin,
        "date_fin_pret": reservation.date_fin_pret,
        "droit_de_suite": reservation.droit_de_suite,
        "taux_rotation": reservation.taux_rotation,
        "reference": reservation.reference,
        "commentaire": reservation.commentaire,
    }
    actuel.update(_donnees(data))
    propre, erreurs = valider_reservation(actuel, _contexte_pour(bailleur, actuel))
    if _reference_prise(bailleur, propre["reference"], sauf=reservation.pk):
        erreurs["reference"] = "Cette référence est déjà utilisée par une autre ligne de l'état des lieux."
    if erreurs:
        raise ValidationError(erreurs)
    logement_ids = propre.pop("logement_ids")
    propre["reservataire_id"] = propre.pop("reservataire").pk
    commune = propre.pop("commune")
    propre["commune_id"] = commune.pk if commune else None
    version = reservation.lock_version if expected_version is None else expected_version
    reservation.lock_version = update_if_unchanged(
        ReservationStock.objects.all(), pk=reservation.pk, expected_version=version, **propre
    )
    reservation.logements.set(logement_ids)
    reservation.refresh_from_db()
    evenement_log(
        bailleur=bailleur,
        type="etat_des_lieux_modification",
        by=by,
        message=f"État des lieux : modification de « {reservation} ».",
        details={"reservation": reservation.pk},
    )
    return reservation


@transaction.atomic
def reservation_delete(*, reservation: ReservationStock, by) -> None:
    verifier_redacteur(by, reservation.bailleur, "modifier l'état des lieux")
    libelle, pk = str(reservation), reservation.pk
    reservation.delete()
    evenement_log(
        bailleur=reservation.bailleur,
        type="etat_des_lieux_suppression",
        by=by,
        message=f"État des lieux : suppression de « {libelle} ».",
        details={"reservation": pk},
    )
