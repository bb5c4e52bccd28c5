"""Proposal of the réservataire and declaration, on hand-computed cases."""

import datetime
from collections import Counter
from fractions import Fraction

import pytest

from flux.models import Orientation, SourceDeclaration
from flux.services.orientation import OrientationErreur, declarer, proposer
from flux.services.orientation.proposition import BAILLEUR, CELLULE, EPCI
from tests.flux.world_orientation import EPCI_LILLE, allocations, logement

ANNEE = 2026
JOUR = datetime.date(2026, 3, 2)


def _declarer(lgt, **kw):
    return declarer(
        logement=lgt, date_disponibilite=JOUR, nature="relocation", source=SourceDeclaration.NAVIGATEUR, **kw
    )


@pytest.mark.django_db
def test_suite_de_declarations_suit_les_parts(bailleur, als, prefet):
    # ALS 6, préfet 3, part propre 1 (A = 10).
    allocations(bailleur, ANNEE, {als: 6, prefet: 3, None: 1})
    p = proposer(bailleur_id=bailleur.pk, annee=ANNEE, epci_id=EPCI_LILLE, qpv=True, typologie=3)
    # D = 0 : retards 6/10, 3/10, 1/10 → ALS.
    assert p.origine == CELLULE and p.reservataire_id == als.pk
    assert [x["retard"] for x in p.detail] == [Fraction(6, 10), Fraction(3, 10), Fraction(1, 10)]
    choisis = [_declarer(logement(bailleur)).reservataire_id for _ in range(10)]
    # D = 1 : ALS 12/10 − 1 = 0.2, préfet 0.6, bailleur 0.2 → préfet ;
    # D = 2 : ALS 18/10 − 1 = 0.8, préfet 9/10 − 1 = −0.1, bailleur 0.3 → ALS.
    assert choisis[:3] == [als.pk, prefet.pk, als.pk]
    assert Counter(choisis) == {als.pk: 6, prefet.pk: 3, None: 1}
    assert Orientation.objects.filter(bailleur=bailleur, annee=ANNEE).count() == 10


@pytest.mark.django_db
def test_egalite_departagee_par_identifiant(bailleur, als, prefet):
    allocations(bailleur, ANNEE, {als: 2, prefet: 2})
    premier = min(als.pk, prefet.pk)
    assert (
        proposer(bailleur_id=bailleur.pk, annee=ANNEE, epci_id=EPCI_LILLE, qpv=True, typologie=3).reservataire_id
        == premier
    )


@pytest.mark.django_db
def test_repli_sur_l_epci_puis_sur_le_bailleur(bailleur, als, prefet):
    allocations(bailleur, ANNEE, {als: 1, prefet: 4}, typologie=2)
    p = proposer(bailleur_id=bailleur.pk, annee=ANNEE, epci_id=EPCI_LILLE, qpv=True, typologie=5)
    assert (p.origine, p.reservataire_id) == (EPCI, prefet.pk)
    p = proposer(bailleur_id=bailleur.pk, annee=ANNEE, epci_id="200041960", qpv=True, typologie=5)
    assert (p.origine, p.reservataire_id) == (BAILLEUR, None)


@pytest.mark.django_db
def test_derogation_exige_un_motif(bailleur, als, prefet):
    allocations(bailleur, ANNEE, {als: 6, prefet: 3})
    lgt = logement(bailleur)
    with pytest.raises(OrientationErreur, match="doit être motivé"):
        _declarer(lgt, reservataire=prefet)
    o = _declarer(lgt, reservataire=prefet, motif="Candidat DALO du contingent préfectoral")
    assert (o.reservataire_propose_id, o.reservataire_id) == (als.pk, prefet.pk)
    assert o.motif_derogation.startswith("Candidat DALO")


@pytest.mark.django_db
def test_logement_jamais_oriente_deux_fois(bailleur, als):
    allocations(bailleur, ANNEE, {als: 1})
    lgt = logement(bailleur)
    _declarer(lgt)
    with pytest.raises(OrientationErreur, match="déjà orienté"):
        _declarer(lgt)
    assert Orientation.objects.filter(logement=lgt).count() == 1
