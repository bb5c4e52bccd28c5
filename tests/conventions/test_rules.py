"""Legal rules on plain terms (no database), including a property test on the portfolio sum."""

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from conventions.rules import ObjectifTerme, Termes, bloquantes, check_portefeuille, check_termes
from reservataires.models import TypeOrganisation

D = Decimal


def termes(type_reservataire=TypeOrganisation.ALS, **kw) -> Termes:
    base = {
        "reservataire_nom": "Réservataire",
        "part_flux_pct": D(20),
        "date_debut": date(2026, 1, 1),
        "delai_signalement_jours": 8,
        "delai_proposition_jours": 30,
        "nb_candidats": 3,
    }
    base.update(kw)
    return Termes(type_reservataire=type_reservataire, **base)


def codes(violations):
    return {v.code for v in violations}


def test_complete_terms_within_the_ceilings_pass():
    assert check_termes(termes()) == []


def test_it_refuses_a_prefet_share_above_30_percent():
    violations = check_termes(termes(TypeOrganisation.PREFET, part_flux_pct=D("30.5")))
    assert codes(violations) == {"plafond_prefet"}
    assert "30 %" in violations[0].message and "R.441-5-2" in violations[0].message
    assert violations[0].bloquant


def test_a_prefet_share_of_exactly_30_percent_with_5_for_agents_is_allowed():
    assert check_termes(termes(TypeOrganisation.PREFET, part_flux_pct=D(30), part_agents_pct=D(5))) == []


def test_it_refuses_more_than_5_percent_for_state_agents():
    violations = check_termes(termes(TypeOrganisation.PREFET, part_flux_pct=D(30), part_agents_pct=D(6)))
    assert codes(violations) == {"plafond_agents_etat"}


def test_the_agents_share_is_included_in_the_prefet_share():
    violations = check_termes(termes(TypeOrganisation.PREFET, part_flux_pct=D(3), part_agents_pct=D(4)))
    assert "agents_superieur_part" in codes(violations)


def test_a_state_agents_share_outside_the_prefet_convention_is_refused():
    assert codes(check_termes(termes(part_agents_pct=D(2)))) == {"agents_hors_prefet"}


def test_less_than_30_percent_outside_qpv_for_the_prefet_is_only_a_warning():
    violations = check_termes(termes(TypeOrganisation.PREFET, part_flux_pct=D(25), part_hors_qpv_pct=D(20)))
    assert codes(violations) == {"prefet_hors_qpv"}
    assert bloquantes(violations) == []


def test_it_refuses_a_guarantee_based_share_above_20_percent_for_a_collectivite():
    violations = check_termes(termes(TypeOrganisation.COMMUNE, part_flux_pct=D(25), part_garantie_pct=D(21)))
    assert codes(violations) == {"plafond_garantie"}
    assert check_termes(termes(TypeOrganisation.EPCI, part_flux_pct=D(25), part_garantie_pct=D(20))) == []


def test_guarantee_rights_belong_to_collectivites_only():
    assert codes(check_termes(termes(TypeOrganisation.ALS, part_garantie_pct=D(5)))) == {"garantie_hors_collectivite"}


def test_epci_objectives_must_add_up_to_the_convention_total():
    objectifs = [ObjectifTerme("200093201", 30, epci_nom="MEL"), ObjectifTerme("245900410", 15, epci_nom="CAPH")]
    violations = check_termes(termes(nombre_annuel=50, objectifs=objectifs))
    assert codes(violations) == {"objectifs_total"}
    assert "45 logements" in violations[0].message and "50 logements" in violations[0].message
    assert check_termes(termes(nombre_annuel=45, objectifs=objectifs)) == []


def test_objectives_without_an_annual_total_are_refused():
    assert "objectifs_sans_total" in codes(check_termes(termes(objectifs=[ObjectifTerme("200093201", 3)])))


def test_commune_objectives_cannot_exceed_their_epci_objective():
    objectifs = [
        ObjectifTerme("200093201", 10, epci_nom="MEL"),
        ObjectifTerme("200093201", 7, commune_id="59512", commune_epci_id="200093201"),
        ObjectifTerme("200093201", 4, commune_id="59350", commune_epci_id="200093201"),
    ]
    assert codes(check_termes(termes(nombre_annuel=10, objectifs=objectifs))) == {"objectifs_communes"}


def test_a_commune_objective_must_sit_in_its_own_epci():
    objectifs = [
        ObjectifTerme("200093201", 10),
        ObjectifTerme("200093201", 2, commune_id="62041", commune_epci_id="200035442", commune_nom="Arras"),
    ]
    assert "objectif_commune_epci" in codes(check_termes(termes(nombre_annuel=10, objectifs=objectifs)))


def test_typology_split_must_total_100_percent_with_known_categories():
    assert codes(check_termes(termes(repartition_typologie={"T1": "10", "T2": "30", "T3": "50"}))) == {
        "repartition_total"
    }
    assert codes(check_termes(termes(repartition_financement={"PLAI": "40", "XX": "60"}))) == {
        "repartition_cle_inconnue"
    }
    assert check_termes(termes(repartition_typologie={"T1": "10", "T2": "30", "T3": "40", "T4": "20"})) == []


def test_incomplete_terms_are_reported_for_approval():
    t = Termes(type_reservataire=TypeOrganisation.ALS)
    assert {"volume_absent", "date_debut_absente", "delai_signalement_absent", "delai_proposition_absent"} <= codes(
        check_termes(t)
    )


def test_the_end_date_must_follow_the_start_date():
    assert "dates" in codes(check_termes(termes(date_fin=date(2025, 12, 31))))


def test_all_reservataires_of_a_departement_cannot_exceed_100_percent():
    prefet = termes(TypeOrganisation.PREFET, part_flux_pct=D(30), convention_id=1, reservataire_nom="Préfet")
    als = termes(part_flux_pct=D(40), convention_id=2, reservataire_nom="ALS")
    candidate = termes(TypeOrganisation.DEPARTEMENT, part_flux_pct=D(31), convention_id=3, reservataire_nom="CD")
    violations = check_portefeuille(candidate, [prefet, als])
    assert codes(violations) == {"total_reservataires"}
    assert "101 %" in violations[0].message
    assert check_portefeuille(termes(part_flux_pct=D(30), convention_id=3), [prefet, als]) == []


def test_territorial_shares_add_up_commune_by_commune():
    dept = [
        termes(TypeOrganisation.PREFET, part_flux_pct=D(30), convention_id=1),
        termes(part_flux_pct=D(40), convention_id=2),
    ]
    epci = termes(TypeOrganisation.EPCI, part_flux_pct=D(20), convention_id=3, epci_id="200093201")
    # A commune of that EPCI taking 15 % more: 30 + 40 + 20 + 15 = 105 % in Roubaix.
    commune = termes(
        TypeOrganisation.COMMUNE,
        part_flux_pct=D(15),
        convention_id=4,
        commune_id="59512",
        commune_epci_id="200093201",
        reservataire_nom="Roubaix",
    )
    violations = check_portefeuille(commune, dept + [epci])
    assert codes(violations) == {"total_reservataires"}
    assert "Roubaix" in violations[0].message
    # A commune elsewhere is not concerned by the EPCI's share: 30 + 40 + 15 = 85 %.
    ailleurs = termes(
        TypeOrganisation.COMMUNE, part_flux_pct=D(15), convention_id=5, commune_id="59350", commune_epci_id="other"
    )
    assert check_portefeuille(ailleurs, dept + [epci]) == []


def test_the_candidate_replaces_its_own_previous_terms_in_the_portfolio():
    old = termes(part_flux_pct=D(90), convention_id=7)
    new = termes(part_flux_pct=D(50), convention_id=7)
    assert check_portefeuille(new, [old, termes(part_flux_pct=D(40), convention_id=8)]) == []


@given(st.lists(st.decimals(min_value=0, max_value=100, places=2), min_size=1, max_size=8))
def test_the_portfolio_rule_fires_exactly_when_the_departement_total_exceeds_100(shares):
    terms = [termes(part_flux_pct=s, convention_id=i) for i, s in enumerate(shares)]
    violations = check_portefeuille(terms[0], terms[1:])
    assert bool(violations) == (sum(shares) > 100)
