"""Bilan figures computed from orientations written directly, with carry-over from the previous year."""

import pytest
from django.core.exceptions import ValidationError

from flux.models.orientation import Bilan, StatutBilan
from flux.services.bilan import calculer_bilan
from tests.conventions import factories as conv
from tests.flux import world_bilan as wb


@pytest.fixture
def convention(bailleur, als, alice):
    return conv.brouillon(bailleur, als, alice)


def test_realise_ventilations_et_report(convention, prefet):
    # Previous year: a deficit of 2 carried over.
    Bilan.objects.create(convention=convention, annee=2024, report=-2)
    b = convention.bailleur
    wb.orientation(convention, wb.logement(b, "0590000101", qpv=True, typologie=2), 2025)
    wb.orientation(convention, wb.logement(b, "0590000102", qpv=False, typologie=3), 2025)
    wb.orientation(convention, wb.logement(b, "0590000103", qpv=False, typologie=3), 2025)
    # proposed, not imputed
    wb.orientation(convention, wb.logement(b, "0590000104", qpv=True, typologie=2), 2025, impute=False)
    # other year
    wb.orientation(convention, wb.logement(b, "0590000105", qpv=True, typologie=2), 2024)
    bilan = calculer_bilan(convention, 2025)
    # No allocation en vigueur: objective = 0 + deficit 2 = 2; 3 imputed -> surplus 1 carried.
    assert (bilan.objectif, bilan.report_entrant, bilan.realise, bilan.ecart, bilan.report) == (2, -2, 3, 1, 1)
    typo = {
        ligne["valeur"]: (ligne["proposes"], ligne["attribues"]) for ligne in bilan.donnees["ventilations"]["typologie"]
    }
    assert typo == {"2": (2, 1), "3": (2, 2)}
    qpv = {ligne["valeur"]: ligne["attribues"] for ligne in bilan.donnees["ventilations"]["qpv"]}
    assert qpv == {"True": 1, "False": 2}


def test_bilan_envoye_non_recalcule(convention):
    Bilan.objects.create(convention=convention, annee=2025, statut=StatutBilan.ENVOYE)
    with pytest.raises(ValidationError, match="déjà été envoyé"):
        calculer_bilan(convention, 2025)


def test_indicateurs_mixite_seuils(convention):
    import datetime

    from flux.models.orientation import Attribution, DecisionCaleol
    from flux.services.indicateurs import mixite_par_epci

    b = convention.bailleur

    def attribuer(rpls, qpv, q1, dalo=False, decision=DecisionCaleol.ATTRIBUTION):
        o = wb.orientation(convention, wb.logement(b, rpls, qpv=qpv), 2025)
        Attribution.objects.create(
            orientation=o, decision=decision, date_caleol=datetime.date(2025, 5, 1), premier_quartile=q1, dalo=dalo
        )

    attribuer("0590000201", False, True, dalo=True)  # hors QPV, Q1
    attribuer("0590000202", False, False)
    attribuer("0590000203", False, False)
    attribuer("0590000204", True, False)  # QPV, other quartile
    attribuer("0590000205", True, True)
    attribuer("0590000206", False, True, decision=DecisionCaleol.NON_ATTRIBUTION)  # not counted
    (epci,) = mixite_par_epci(Attribution.objects.all(), 2025)
    assert epci["attributions"] == 5
    q1, autres, prio = epci["indicateurs"]
    assert (q1["part"], q1["seuil"], q1["atteint"]) == (33.3, 25, True)
    assert (autres["part"], autres["seuil"], autres["atteint"]) == (50.0, 50, True)
    assert (prio["part"], prio["seuil"], prio["atteint"]) == (20.0, 25, False)
