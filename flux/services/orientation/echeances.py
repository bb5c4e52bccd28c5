"""Candidate deadlines and their expiry.

The deadline is the notice date + the convention's ``delai_proposition_jours`` (version in force);
without convention or term, DELAI_DEFAUT_JOURS. When it passes without a candidate the dwelling is
*remis à disposition* under the convention's RegleAbsenceCandidat (default: imputé):

- imputé: statut REMIS, ``impute`` stays true (counts as delivered);
- compensé: statut REMIS, ``impute`` false: not delivered, so the réservataire's deficit remains and
  the next proposals in the cell favour it (that is the compensation owed);
- restitué: statut REMIS, ``impute`` false, the dwelling is back with the bailleur.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from conventions.models import RegleAbsenceCandidat
from core.concurrency import update_if_unchanged
from flux.models import Orientation, PropositionCandidats, StatutOrientation

DELAI_DEFAUT_JOURS = 30


def verifier_version(orientation: Orientation, expected_version: int | None) -> None:
    """Optimistic lock on an orientation already locked FOR UPDATE: ConflictError (French) if it moved."""
    if expected_version is not None and expected_version != orientation.lock_version:
        update_if_unchanged(Orientation.objects.none(), pk=orientation.pk, expected_version=expected_version)


def _termes(orientation):
    convention = orientation.convention
    return getattr(convention, "version_en_vigueur", None) if convention else None


def notifier(orientation: Orientation, quand: datetime.datetime | None = None) -> Orientation:
    """Record the notice to the réservataire and set the deadline from it."""
    quand = quand or timezone.now()
    termes = _termes(orientation)
    delai = (termes.delai_proposition_jours if termes else None) or DELAI_DEFAUT_JOURS
    orientation.notifie_le = quand
    orientation.date_limite_candidats = timezone.localdate(quand) + datetime.timedelta(days=delai)
    orientation.save(update_fields=["notifie_le", "date_limite_candidats", "modifie_le"])
    return orientation


def proposer_candidats(
    orientation: Orientation, *, nb_candidats: int, references: str = "", by=None, expected_version: int | None = None
):
    """``expected_version``: the ``lock_version`` the user loaded (ConflictError when it changed)."""
    with transaction.atomic():
        o = Orientation.objects.select_for_update().get(pk=orientation.pk)
        verifier_version(o, expected_version)
        if o.statut not in (StatutOrientation.ORIENTE, StatutOrientation.CANDIDATS):
            raise ValueError("Ce logement n'attend plus de candidats.")
        if nb_candidats < 1:
            raise ValueError("Proposez au moins un candidat.")
        PropositionCandidats.objects.create(
            orientation=o,
            reservataire_id=o.reservataire_id,
            nb_candidats=nb_candidats,
            references=references,
            propose_par=by,
        )
        o.statut = StatutOrientation.CANDIDATS
        o.lock_version += 1
        o.save(update_fields=["statut", "lock_version", "modifie_le"])
        return o


def expirer(aujourd_hui: datetime.date | None = None) -> int:
    """Apply the convention's rule to every orientation whose deadline passed without candidate."""
    aujourd_hui = aujourd_hui or timezone.localdate()
    n = 0
    echues = Orientation.objects.filter(statut=StatutOrientation.ORIENTE, date_limite_candidats__lt=aujourd_hui)
    for pk in echues.values_list("pk", flat=True):
        with transaction.atomic():
            o = (
                Orientation.objects.select_for_update(of=("self",))
                .select_related("convention__version_en_vigueur")
                .filter(pk=pk, statut=StatutOrientation.ORIENTE)
                .first()
            )
            if o is None:
                continue
            termes = _termes(o)
            regle = termes.regle_absence_candidat if termes else RegleAbsenceCandidat.IMPUTE
            o.statut = StatutOrientation.REMIS
            o.remis_le = timezone.now()
            o.regle_appliquee = regle
            o.impute = regle == RegleAbsenceCandidat.IMPUTE
            o.lock_version += 1
            o.save(update_fields=["statut", "remis_le", "regle_appliquee", "impute", "lock_version", "modifie_le"])
            n += 1
    return n
