"""The apportionment arithmetic on hand-computed cases, and its properties (hypothesis)."""

from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flux.allocation import BAILLEUR, Claim, allocate, apportion_total, cell_claims, largest_remainder


def test_largest_remainder_on_a_hand_computed_case():
    # 10 dwellings: préfet 30 % = 3, ALS 25 % = 2.5, commune 12 % = 1.2, bailleur 3.3
    claims = [Claim("prefet", F(3)), Claim("als", F(5, 2)), Claim("commune", F(6, 5)), Claim(BAILLEUR, F(33, 10))]
    assert largest_remainder(10, claims) == {"prefet": 3, "als": 3, "commune": 1, BAILLEUR: 3}


def test_ties_are_broken_by_rank_then_key_deterministically():
    claims = [Claim("b", F(1, 2)), Claim("a", F(1, 2))]
    assert largest_remainder(1, claims) == {"a": 1, "b": 0}
    assert largest_remainder(1, [Claim("b", F(1, 2), rank=0), Claim("a", F(1, 2), rank=1)]) == {"a": 0, "b": 1}


def test_quotas_must_add_up_to_the_cell():
    with pytest.raises(ValueError):
        largest_remainder(3, [Claim("a", F(1))])


def test_the_bailleur_gets_the_remainder_of_the_cell():
    claims = cell_claims(7, {"prefet": F(21, 10), "als": F(7, 4)})
    assert {c.key: c.quota for c in claims} == {"als": F(7, 4), "prefet": F(21, 10), BAILLEUR: F(63, 20)}


def test_oversubscribed_objectives_are_scaled_down_in_the_cell():
    claims = {c.key: c.quota for c in cell_claims(4, {"als": F(3), "commune": F(3)})}
    assert claims == {"als": F(2), "commune": F(2), BAILLEUR: F(0)}


def test_many_small_cells_do_not_take_the_prefet_over_its_ceiling():
    # 10 cells of 1 dwelling, préfet 30 % of each: 0.3 per cell, 3 in all. ALS 35 % (0.35 per cell).
    flux = {f"epci{i}": 1 for i in range(10)}
    quotas = {cell: {"prefet": F(3, 10), "als": F(35, 100)} for cell in flux}
    result = allocate(flux, quotas, ceilings={"prefet": 3})
    totals = {k: sum(a[k] for a in result.allocations.values()) for k in ("prefet", "als", BAILLEUR)}
    assert sum(totals.values()) == 10
    assert totals["prefet"] <= 3


def test_the_ceiling_repair_moves_units_rounded_up():
    # Two cells of 5, préfet asks 1.6 in each (3.2 in all) with a ceiling of 3: rounding gives 2 + 2.
    flux = {"a": 5, "b": 5}
    quotas = {"a": {"prefet": F(8, 5), "als": F(6, 5)}, "b": {"prefet": F(8, 5), "als": F(6, 5)}}
    result = allocate(flux, quotas, ceilings={"prefet": 3})
    assert sum(a["prefet"] for a in result.allocations.values()) == 3
    assert all(sum(a.values()) == 5 for a in result.allocations.values())


def test_a_share_above_the_ceiling_is_capped_before_rounding():
    flux = {"a": 10}
    result = allocate(flux, {"a": {"prefet": F(4)}}, ceilings={"prefet": 3})
    assert result.allocations["a"] == {"prefet": 3, BAILLEUR: 7}


def test_cell_fluxes_are_rounded_to_integers_adding_up_to_the_rounded_total():
    assert apportion_total({"a": F(5, 2), "b": F(5, 2), "c": F(1, 5)}) == {"a": 3, "b": 2, "c": 0}


cells = st.dictionaries(st.sampled_from([f"c{i}" for i in range(8)]), st.integers(0, 40), min_size=1)
shares = st.dictionaries(st.sampled_from(["prefet", "als", "commune", "epci"]), st.integers(0, 40), min_size=1)


@settings(max_examples=300, deadline=None)
@given(cells, shares, st.integers(0, 30))
def test_allocations_always_add_up_and_never_break_a_ceiling(flux, pct, ceiling_pct):
    quotas = {cell: {k: F(n * p, 100) for k, p in pct.items()} for cell, n in flux.items()}
    total = sum(flux.values())
    ceilings = {"prefet": total * ceiling_pct // 100}
    result = allocate(flux, quotas, ceilings=ceilings)
    for cell, n in flux.items():
        a = result.allocations[cell]
        assert sum(a.values()) == n
        assert all(v >= 0 for v in a.values())
        for key, q in result.quotas[cell].items():
            assert int(q) <= a.get(key, 0) <= int(q) + (0 if q == int(q) else 1)
    assert sum(a.get("prefet", 0) for a in result.allocations.values()) <= ceilings["prefet"]
    assert allocate(flux, quotas, ceilings=ceilings).allocations == result.allocations
