"""What users do with orientations (pages, API, import): rights checked here, French ValidationError.

The bailleur's drafters declare dwellings and record the CALEOL outcome; the réservataire's drafters
propose candidates. The underlying services (declaration, echeances, attribution) hold the rules
and the locks; this layer answers "may this user do it" and speaks the views' language.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError

from flux.models import Attribution, Logement, Orientation
from flux.services.orientation.attribution import enregistrer_attribution
from flux.services.orientation.declaration import OrientationErreur, declarer
from flux.services.orientation.echeances import proposer_candidats
from flux.services.orientation.proposition import Proposition, proposer
from reservataires.models import Capacite, Organisation
from reservataires.selectors import user_can

PROPOSE = "propose"


@dataclass
class LignePart:
    """One share of the proposal, ready to show: who, allocated, delivered, deficit."""

    reservataire: Organisation | None
    alloues: int
    livres: int
    retard: float
    propose: bool

    @property
    def nom(self) -> str:
        return self.reservataire.nom if self.reservataire else "Part propre du bailleur"


def _verifier_bailleur(user, bailleur: Organisation) -> None:
    if not bailleur.est_bailleur or not user_can(user, bailleur, Capacite.REDIGER):
        raise PermissionDenied(
            "Seuls les rédacteurs et administrateurs du bailleur déclarent et suivent ses logements."
        )


def orientation_proposition(*, logement: Logement, date_disponibilite: datetime.date, by) -> Proposition:
    """The share the dwelling should go to, without writing anything (the declaration page's preview)."""
    _verifier_bailleur(by, logement.bailleur)
    if logement.epci_id is None:
        raise ValidationError({"logement": f"Le logement {logement.rpls_id} n'est rattaché à aucun EPCI."})
    return proposer(
        bailleur_id=logement.bailleur_id,
        annee=date_disponibilite.year,
        epci_id=logement.epci_id,
        qpv=logement.qpv,
        typologie=logement.typologie,
    )


def proposition_lignes(proposition: Proposition) -> list[LignePart]:
    ids = [x["reservataire_id"] for x in proposition.detail if x["reservataire_id"]]
    orgs = Organisation.objects.in_bulk(ids)
    return [
        LignePart(
            reservataire=orgs.get(x["reservataire_id"]),
            alloues=x["alloues"],
            livres=x["livres"],
            retard=float(x["retard"]),
            propose=x["reservataire_id"] == proposition.reservataire_id,
        )
        for x in proposition.detail
    ]


def orientation_declarer(
    *,
    logement: Logement,
    date_disponibilite: datetime.date,
    nature: str,
    source: str,
    by,
    reservataire: Organisation | None | str = PROPOSE,
    motif: str = "",
    propose_attendu: int | None | str = "",
) -> Orientation:
    """Declare and orient: to the proposal (``reservataire`` = PROPOSE) or to another share with a motif
    (an Organisation, None for the bailleur's own share)."""
    _verifier_bailleur(by, logement.bailleur)
    if reservataire not in (PROPOSE, None) and not reservataire.est_reservataire:
        raise ValidationError({"reservataire": "Choisissez une organisation réservataire."})
    try:
        return declarer(
            logement=logement,
            date_disponibilite=date_disponibilite,
            nature=nature,
            source=source,
            by=by,
            reservataire=reservataire,
            motif=motif,
            propose_attendu=propose_attendu,
        )
    except OrientationErreur as exc:
        champ = "motif" if "motivé" in str(exc) else None
        raise ValidationError({champ: str(exc)} if champ else str(exc)) from None


def peut_proposer_candidats(user, orientation: Orientation) -> bool:
    return orientation.reservataire_id is not None and user_can(user, orientation.reservataire, Capacite.REDIGER)


def orientation_candidats(
    *, orientation: Orientation, nb_candidats: int, references: str = "", by, expected_version: int | None = None
) -> Orientation:
    if not peut_proposer_candidats(by, orientation):
        raise PermissionDenied("Seuls les rédacteurs du réservataire destinataire proposent des candidats.")
    try:
        return proposer_candidats(
            orientation,
            nb_candidats=nb_candidats,
            references=references.strip(),
            by=by,
            expected_version=expected_version,
        )
    except ValueError as exc:
        raise ValidationError(str(exc)) from None


def peut_suivre(user, orientation: Orientation) -> bool:
    return user_can(user, orientation.bailleur, Capacite.REDIGER)


def orientation_attribuer(
    *, orientation: Orientation, by, expected_version: int | None = None, **donnees
) -> Attribution:
    """Record the CALEOL outcome (``donnees``: decision, date_caleol, bail_signe_le, flags)."""
    if not peut_suivre(by, orientation):
        raise PermissionDenied("Seuls les rédacteurs et administrateurs du bailleur enregistrent l'attribution.")
    try:
        return enregistrer_attribution(orientation, by=by, expected_version=expected_version, **donnees)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
