from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from flux.services.flux_annuel.regles import Part, arrondir_cellules, prevision_cellule, repartir


def test_prevision_cellule_calculee_a_la_main():
    assert prevision_cellule(1000, "9", mises_en_service=12, exclusions=5) == 97
    assert prevision_cellule(10, "9", exclusions=5) == 0


def test_arrondi_totalise():
    cells = arrondir_cellules({"a": Fraction(5, 2), "b": Fraction(5, 2), "c": Fraction(1)})
    assert sum(cells.values()) == 6


def test_repartition_somme_et_prefet_sans_convention():
    res = repartir({"e1": 60, "e2": 40}, [Part("al", Fraction(25)), Part("commune", Fraction(10), signee=False)])
    assert res["e1"] == {"al": 15, "prefet:commune": 6, "bailleur": 39}
    assert res["e2"] == {"al": 10, "prefet:commune": 4, "bailleur": 26}


def test_plafond_collectivites():
    res = repartir({"e1": 100}, [Part("ville", Fraction(35), collectivite=True)])
    assert res["e1"]["ville"] == 20
    assert sum(res["e1"].values()) == 100


@given(
    flux=st.dictionaries(st.sampled_from("abcdef"), st.integers(0, 500), min_size=1),
    pcts=st.lists(st.integers(0, 40), min_size=1, max_size=3),
    signee=st.lists(st.booleans(), min_size=3, max_size=3),
)
def test_propriete_sommes_et_plafonds(flux, pcts, signee):
    parts = [Part(f"r{i}", Fraction(p), collectivite=i == 0, signee=signee[i]) for i, p in enumerate(pcts)]
    if sum(pcts) > 100:
        return
    res = repartir(flux, parts)
    total = sum(flux.values())
    for cell, n in flux.items():
        assert sum(res[cell].values()) == n
    prefet = sum(v for c in res.values() for k, v in c.items() if k.startswith("prefet"))
    assert prefet <= total * 30 // 100
    if signee[0]:
        assert sum(c.get("r0", 0) for c in res.values()) <= total * 20 // 100


def test_plafond_prefet_tient_apres_arrondi():
    """Two unsigned conventions ask exactly 30 % of 68 = 20.4: whole dwellings stay ≤ floor = 20."""
    flux = {"a": 10, "b": 58}
    parts = [Part("r0", Fraction(13), signee=False), Part("r1", Fraction(17), signee=False), Part("r2", Fraction(21))]
    res = repartir(flux, parts)
    prefet = sum(v for c in res.values() for k, v in c.items() if k.startswith("prefet"))
    assert prefet <= 20
    assert all(sum(res[c].values()) == flux[c] for c in flux)
