"""Carry-over arithmetic of the bilan annuel, computed by hand over two years."""

import datetime

from flux.services.bilan import due_le, solde


def test_deficit_reporte_sur_deux_ans():
    # Year 1: objective 10, 7 delivered -> écart -3, carried.
    an1 = solde(10, 0, 7)
    assert (an1.objectif, an1.ecart, an1.report) == (10, -3, -3)
    # Year 2: objective 10 + deficit 3 = 13, 14 delivered -> surplus 1.
    an2 = solde(10, an1.report, 14)
    assert (an2.objectif, an2.ecart, an2.report) == (13, 1, 1)


def test_excedent_diminue_objectif_sans_passer_sous_zero():
    assert solde(4, 2, 2).objectif == 2
    assert solde(1, 5, 0).objectif == 0


def test_echeance_28_fevrier():
    assert due_le(2025) == datetime.date(2026, 2, 28)
