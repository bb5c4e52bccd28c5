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


def _convention(bailleur, reservataire, *, regle, delai):
    """A convention in force whose terms set the candidate deadline and the rule without candidate."""
    from conventions.models import Convention, ConventionVersion, EtatVersion, Statut

    conv = Convention.objects.create(
        bailleur=bailleur, reservataire=reservataire, departement_id="59", statut=Statut.SIGNEE
    )
    version = ConventionVersion.objects.create(
        convention=conv,
        numero=1,
        etat=EtatVersion.PROPOSEE,
        organisation=bailleur,
        delai_proposition_jours=delai,
        regle_absence_candidat=regle,
    )
    conv.version_courante = conv.version_en_vigueur = version
    conv.save()
    return conv


@pytest.mark.django_db
@pytest.mark.parametrize(
    "regle,impute",
    [
        (RegleAbsenceCandidat.COMPENSE, False),
        (RegleAbsenceCandidat.RESTITUE, False),
        (RegleAbsenceCandidat.IMPUTE, True),
    ],
)
def test_expiration_suit_la_regle_et_le_delai_de_la_convention(bailleur, als, prefet, regle, impute):
    from flux.models import FluxAllocation

    conv = _convention(bailleur, als, regle=regle, delai=15)
    allocations(bailleur, 2026, {als: 2, prefet: 1})
    FluxAllocation.objects.filter(reservataire=als).update(convention=conv)
    o = _oriente(bailleur)
    assert (o.reservataire_id, o.convention_id) == (als.pk, conv.pk)
    assert o.date_limite_candidats == datetime.date(2026, 3, 17)  # notice 2 March + 15 days of the convention
    assert expirer(datetime.date(2026, 3, 18)) == 1
    o.refresh_from_db()
    assert (o.statut, o.regle_appliquee, o.impute) == (StatutOrientation.REMIS, regle, impute)
    # D counts imputed dwellings only: after a compensated or returned one, ALS (2/3 of the cell) is still owed.
    p = proposer(bailleur_id=bailleur.pk, annee=2026, epci_id=EPCI_LILLE, qpv=True, typologie=3)
    assert p.reservataire_id == (prefet.pk if impute else als.pk)


@pytest.mark.django_db
def test_la_declaration_confirmee_met_la_notification_en_file_apres_commit(
    bailleur, als, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    from flux import tasks_orientation
    from reservataires.models import Role
    from tests import factories

    factories.member(als, Role.REDACTEUR, email="bob@als.fr")
    allocations(bailleur, 2026, {als: 1})
    envoyes = []
    monkeypatch.setattr(tasks_orientation.orientation_notifier, "delay", lambda pk: envoyes.append(pk))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        o = declarer(
            logement=logement(bailleur), date_disponibilite=JOUR, nature="relocation", source=SourceDeclaration.API
        )
    assert envoyes == [] and len(callbacks) == 1  # nothing sent before the commit
    callbacks[0]()
    assert envoyes == [o.pk]
    # What the worker then does: the e-mail and the deadline.
    assert tasks_orientation.orientation_notifier.apply(args=[o.pk]).get() == 1
    assert mailoutbox[0].to == ["bob@als.fr"]
    o.refresh_from_db()
    assert o.date_limite_candidats is not None


@pytest.mark.django_db
def test_rien_n_est_mis_en_file_pour_la_part_propre_du_bailleur(bailleur, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        o = declarer(
            logement=logement(bailleur), date_disponibilite=JOUR, nature="relocation", source=SourceDeclaration.API
        )
        assert o.reservataire_id is None  # no allocation: the bailleur's own share
    assert callbacks == []
