"""Declaring a vacated dwelling (or a first letting) and orienting it.

Concurrency: the dwelling row is locked (SELECT … FOR UPDATE) and, in PostgreSQL, a transaction
advisory lock keyed on the cell serialises declarations of the same cell, so the proposal reads
counts no other transaction is changing. The unique constraints on Orientation remain the last
guard (one open orientation per dwelling, one per vacancy date)."""

import datetime
import zlib

from django.db import IntegrityError, connection, transaction

from flux.models import Logement, NatureDisponibilite, Orientation, StatutOrientation
from flux.models.orientation import STATUTS_OUVERTS
from flux.services.orientation.proposition import proposer
from reservataires.models import Organisation


class OrientationErreur(Exception):
    """A declaration refused, with a French message for the user."""


def _verrou_cellule(bailleur_id, annee, epci_id, qpv, typologie) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite serialises writers itself.
    cle = zlib.crc32(f"orientation:{bailleur_id}:{annee}:{epci_id}:{int(qpv)}:{typologie}".encode())
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", [7007, cle - 2**31])


def _notifier_apres_commit(orientation_id: int) -> None:
    from flux.tasks_orientation import orientation_notifier

    transaction.on_commit(lambda: orientation_notifier.delay(orientation_id))


def declarer(
    *,
    logement: Logement,
    date_disponibilite: datetime.date,
    nature: str,
    source: str,
    by=None,
    reservataire: Organisation | None | str = "propose",
    motif: str = "",
    propose_attendu: int | None | str = "",
    notifier_apres_commit: bool = True,
) -> Orientation:
    """Orient ``logement``: to the proposed réservataire (default) or, with a ``motif``, to another
    (``reservataire`` an Organisation, or None for the bailleur's own share).

    ``propose_attendu`` (id, or None for the own share) is the proposal the user was shown: when another
    declaration changed it meanwhile, the declaration is refused rather than oriented to a share the
    user did not see. After commit the réservataire is notified (task ``flux.orientation_notifier``)."""
    if nature not in NatureDisponibilite.values:
        raise OrientationErreur("Nature de disponibilité inconnue.")
    annee = date_disponibilite.year
    try:
        with transaction.atomic():
            logement = Logement.objects.select_for_update().get(pk=logement.pk)
            if logement.epci_id is None:
                raise OrientationErreur(f"Le logement {logement.rpls_id} n'est rattaché à aucun EPCI.")
            _verrou_cellule(logement.bailleur_id, annee, logement.epci_id, logement.qpv, logement.typologie)
            if Orientation.objects.filter(logement=logement, statut__in=STATUTS_OUVERTS).exists():
                raise OrientationErreur(f"Le logement {logement.rpls_id} est déjà orienté et en cours d'attribution.")
            if Orientation.objects.filter(logement=logement, date_disponibilite=date_disponibilite).exists():
                raise OrientationErreur(
                    f"Le logement {logement.rpls_id} a déjà été déclaré disponible au {date_disponibilite:%d/%m/%Y}."
                )
            proposition = proposer(
                bailleur_id=logement.bailleur_id,
                annee=annee,
                epci_id=logement.epci_id,
                qpv=logement.qpv,
                typologie=logement.typologie,
            )
            if propose_attendu != "" and propose_attendu != proposition.reservataire_id:
                raise OrientationErreur(
                    "La proposition a changé entre-temps (une autre déclaration vient d'être enregistrée) : "
                    "vérifiez la nouvelle proposition puis confirmez à nouveau."
                )
            choisi_id = proposition.reservataire_id
            if reservataire != "propose":
                choisi_id = reservataire.pk if reservataire is not None else None
                if choisi_id != proposition.reservataire_id and not motif.strip():
                    raise OrientationErreur("Le choix d'un autre réservataire que celui proposé doit être motivé.")
            orientation = Orientation.objects.create(
                bailleur_id=logement.bailleur_id,
                logement=logement,
                nature=nature,
                date_disponibilite=date_disponibilite,
                annee=annee,
                departement_id=logement.departement_id,
                epci_id=logement.epci_id,
                commune_id=logement.commune_id,
                qpv=logement.qpv,
                typologie=logement.typologie,
                financement=logement.financement,
                annee_construction=logement.annee_construction,
                reservataire_propose_id=proposition.reservataire_id,
                reservataire_id=choisi_id,
                convention_id=proposition.convention_id if choisi_id == proposition.reservataire_id else None,
                motif_derogation=motif.strip() if choisi_id != proposition.reservataire_id else "",
                statut=StatutOrientation.ORIENTE,
                source=source,
                declare_par=by,
            )
            if choisi_id is not None and notifier_apres_commit:
                _notifier_apres_commit(orientation.pk)
            return orientation
    except IntegrityError as exc:
        raise OrientationErreur(f"Le logement {logement.rpls_id} est déjà orienté.") from exc
