"""Deadlines: set from the notice, expiry applying the rule, candidates stop the clock."""

import datetime

import pytest

from conventions.models import RegleAbsenceCandidat
from flux.models import SourceDeclaration, StatutOrientation
from flux.services.orientation import declarer, proposer
from flux.services.orientation.echeances import DELAI_DEFAUT_JOURS, expirer, notifier, proposer_candidats
from tests.flux.world_orientation import EPCI_LILLE, allocations, logement

JOUR = datetime.date(2026, 3, 2)


def _oriente(bailleur):
    o = declarer(
        logement=logement(bailleur), date_disponibilite=JOUR, nature="relocation", source=SourceDeclaration.API
    )
    return notifier(o, datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC))


@pytest.mark.django_db
def test_expiration_sans_convention_impute_et_compense_la_suite(bailleur, als, prefet):
    allocations(bailleur, 2026, {als: 1, prefet: 1})
    o = _oriente(bailleur)
    assert o.date_limite_candidats == JOUR + datetime.timedelta(days=DELAI_DEFAUT_JOURS)
    autre = _oriente(bailleur)
    proposer_candidats(autre, nb_candidats=3, references="0591234567890")
    assert expirer(o.date_limite_candidats) == 0  # the deadline day itself is still open
    assert expirer(o.date_limite_candidats + datetime.timedelta(days=1)) == 1
    o.refresh_from_db()
    autre.refresh_from_db()
    assert (o.statut, o.regle_appliquee, o.impute) == (StatutOrientation.REMIS, RegleAbsenceCandidat.IMPUTE, True)
    assert autre.statut == StatutOrientation.CANDIDATS


@pytest.mark.django_db
def test_compense_n_est_pas_impute_donc_reste_du(bailleur, als, prefet):
    allocations(bailleur, 2026, {als: 1, prefet: 1})
    o = _oriente(bailleur)
    # The state expirer leaves under the rule "compensé": remis, not imputed.
    o.impute = False
    o.statut = StatutOrientation.REMIS
    o.regle_appliquee = RegleAbsenceCandidat.COMPENSE
    o.save()
    p = proposer(bailleur_id=bailleur.pk, annee=2026, epci_id=EPCI_LILLE, qpv=True, typologie=3)
    assert p.reservataire_id == o.reservataire_id  # still owed, proposed again
