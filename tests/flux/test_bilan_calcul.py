"""Bilan figures computed from orientations written directly, checked against hand-computed numbers."""

import pytest
from django.core.exceptions import ValidationError

from conventions.models import Objectif
from flux.models import CategorieExclusion, Exclusion
from flux.models.orientation import Bilan, StatutBilan
from flux.services.bilan import bilans_calculer, calculer_bilan, version_de
from tests.conventions import factories as conv
from tests.flux import world_bilan as wb


@pytest.fixture
def convention(bailleur, als, alice):
    return conv.brouillon(bailleur, als, alice)


def _version(convention, **termes):
    version = version_de(convention)
    for cle, valeur in termes.items():
        setattr(version, cle, valeur)
    version.save()
    return version


def _par(bilan, cle, champ="proposes", par="valeur"):
    return {ligne[par]: ligne[champ] for ligne in bilan.donnees["ventilations"][cle]}


def test_realise_ventilations_et_report(convention):
    _version(convention, report_ecarts=True)
    # Previous year: a deficit of 2 carried over.
    Bilan.objects.create(convention=convention, annee=2024, report=-2)
    b = convention.bailleur
    o1 = wb.orientation(convention, wb.logement(b, "0590000101", qpv=True, typologie=2), 2025, annee_construction=1960)
    o2 = wb.orientation(convention, wb.logement(b, "0590000102", qpv=False, typologie=3), 2025, annee_construction=2010)
    wb.orientation(convention, wb.logement(b, "0590000103", qpv=False, typologie=3), 2025, annee_construction=1949)
    # Returned after the deadline, to be compensated: proposed to nobody, not imputed.
    wb.orientation(
        convention,
        wb.logement(b, "0590000104", qpv=True, typologie=2),
        2025,
        impute=False,
        remis_le="2025-05-01T10:00:00Z",
        regle_appliquee="compense",
        statut="remis",
    )
    wb.orientation(convention, wb.logement(b, "0590000105", qpv=True, typologie=2), 2024)  # other year
    wb.attribuer(o1)
    wb.attribuer(o2, "sous_condition")
    bilan = calculer_bilan(convention, 2025)
    # No allocation, no nombre annuel, no objectives: objective = 0 + deficit 2 = 2; 3 imputed -> surplus 1.
    assert (bilan.objectif, bilan.report_entrant, bilan.realise, bilan.ecart, bilan.report) == (2, -2, 3, 1, 1)
    assert bilan.donnees["totaux"] == {"total": 4, "proposes": 3, "attribues": 2, "remis": 1, "compenses": 1}
    assert _par(bilan, "typologie") == {"T2": 1, "T3": 2}
    assert _par(bilan, "typologie", "attribues") == {"T2": 1, "T3": 1}
    assert _par(bilan, "typologie", "compenses") == {"T2": 1, "T3": 0}
    assert _par(bilan, "qpv", "proposes", "code") == {"True": 1, "False": 2}
    assert _par(bilan, "periode") == {"1949–1974": 2, "2005 et après": 1, "Non renseignée": 0}
    assert [ligne["valeur"] for ligne in bilan.donnees["ventilations"]["periode"]][-1] == "Non renseignée"
    assert _par(bilan, "commune") == {"Roubaix": 3}


def test_objectif_des_allocations_en_vigueur(convention):
    _version(convention, nombre_annuel=40, report_ecarts=True)
    wb.allocation(convention, 2025, 4, typologie=2)
    wb.allocation(convention, 2025, 3, typologie=3)
    wb.allocation(convention, 2024, 9)  # other year
    b = convention.bailleur
    for i in range(5):
        wb.orientation(convention, wb.logement(b, f"059000020{i}"), 2025)
    bilan = calculer_bilan(convention, 2025)
    assert (bilan.objectif, bilan.realise, bilan.ecart, bilan.report) == (7, 5, -2, -2)
    assert bilan.donnees["source_objectif"] == "allocations"
    (epci,) = bilan.donnees["objectifs_epci"]
    assert (epci["epci_id"], epci["objectif"], epci["realise"], epci["ecart"]) == ("200093201", 7, 5, -2)


def test_objectif_repli_sur_le_nombre_annuel_puis_les_objectifs_epci(convention):
    version = _version(convention)
    Objectif.objects.create(version=version, epci_id="200093201", nombre=6)
    bilan = calculer_bilan(convention, 2025)
    assert (bilan.objectif, bilan.donnees["source_objectif"]) == (6, "objectifs_epci")
    assert bilan.donnees["objectifs_epci"][0]["objectif"] == 6
    _version(convention, nombre_annuel=10)
    bilan = calculer_bilan(convention, 2025)
    assert (bilan.objectif, bilan.donnees["source_objectif"], bilan.ecart) == (10, "nombre_annuel", -10)


def test_ecart_reporte_seulement_si_la_convention_le_prevoit(convention):
    _version(convention, nombre_annuel=4, report_ecarts=False)
    b = convention.bailleur
    wb.orientation(convention, wb.logement(b, "0590000301"), 2025)
    bilan = calculer_bilan(convention, 2025)
    assert (bilan.objectif, bilan.realise, bilan.ecart, bilan.report) == (4, 1, -3, 0)
    assert bilan.donnees["report_ecarts"] is False
    # Next year: nothing comes in.
    assert calculer_bilan(convention, 2026).objectif == 4
    _version(convention, report_ecarts=True)
    bilan = calculer_bilan(convention, 2025)
    assert bilan.report == -3
    # Year 2026: objective 4 + deficit 3.
    suivant = calculer_bilan(convention, 2026)
    assert (suivant.report_entrant, suivant.objectif, suivant.ecart, suivant.report) == (-3, 7, -7, -7)


def test_prevision_des_exclusions_de_l_annee_en_cours(convention):
    b = convention.bailleur
    Exclusion.objects.create(
        bailleur=b, departement_id="59", annee=2026, categorie=CategorieExclusion.MUTATION, nb_logements=12
    )
    Exclusion.objects.create(
        bailleur=b, departement_id="59", annee=2025, categorie=CategorieExclusion.VENTE_HLM, nb_logements=99
    )
    bilan = calculer_bilan(convention, 2025)
    assert bilan.donnees["annee_prevision"] == 2026
    assert bilan.donnees["exclusions_prevues"] == [{"categorie": CategorieExclusion.MUTATION.label, "logements": 12}]


def test_bilan_envoye_non_recalcule(convention):
    Bilan.objects.create(convention=convention, annee=2025, statut=StatutBilan.ENVOYE)
    with pytest.raises(ValidationError, match="déjà été envoyé"):
        calculer_bilan(convention, 2025)


def test_calcul_de_l_annee_laisse_les_bilans_envoyes(convention, alice, prefet):
    autre = conv.brouillon(convention.bailleur, prefet, alice)
    b = convention.bailleur
    wb.orientation(convention, wb.logement(b, "0590000401"), 2025)
    wb.orientation(autre, wb.logement(b, "0590000402"), 2025)
    Bilan.objects.create(convention=autre, annee=2025, statut=StatutBilan.ENVOYE, realise=42)
    assert bilans_calculer(bailleur=b, annee=2025, by=alice) == {"calcules": 1, "envoyes": 1}
    assert Bilan.objects.get(convention=autre, annee=2025).realise == 42
    assert Bilan.objects.get(convention=convention, annee=2025).realise == 1


def test_calcul_de_l_annee_refuse_a_un_lecteur(convention, bob):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        bilans_calculer(bailleur=convention.bailleur, annee=2025, by=bob)


def test_indicateurs_mixite_seuils(convention):
    from flux.models.orientation import Attribution, DecisionCaleol
    from flux.services.indicateurs import mixite_par_epci

    b = convention.bailleur

    def attribuer(rpls, qpv, q1, dalo=False, decision=DecisionCaleol.ATTRIBUTION):
        wb.attribuer(wb.orientation(convention, wb.logement(b, rpls, qpv=qpv), 2025), decision, q1=q1, dalo=dalo)

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
