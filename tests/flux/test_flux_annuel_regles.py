from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from flux.services.flux_annuel.regles import (
    Objectif,
    Part,
    arrondir_cellules,
    prevision_cellule,
    quotas_convention,
    repartir,
    repartir_detail,
)


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


# --- Share of one convention: territory, EPCI objectives, hors-QPV split ---------------------------

SEGMENTS = {"a-h": ("A", False), "a-q": ("A", True), "b-h": ("B", False)}
BASE = {"a-h": Fraction(40), "a-q": Fraction(10), "b-h": Fraction(10)}


def test_sans_objectif_la_part_est_au_prorata_du_flux():
    quotas, alertes = quotas_convention(BASE, SEGMENTS, pct=Fraction(20))
    assert quotas == {"a-h": 8, "a-q": 2, "b-h": 2} and alertes == []


def test_les_objectifs_repartissent_le_total_entre_epci_et_hors_qpv():
    """20 % of 60 = 12; objectives A 3 (1 hors QPV), B 1 → A 9 (3 hors QPV, 6 QPV), B 3."""
    objectifs = {"A": Objectif(3, 1), "B": Objectif(1)}
    quotas, _ = quotas_convention(BASE, SEGMENTS, pct=Fraction(20), objectifs=objectifs)
    assert quotas == {"a-h": 3, "a-q": 6, "b-h": 3}


def test_un_objectif_sur_un_epci_sans_flux_est_reporte_avec_une_alerte():
    quotas, alertes = quotas_convention(
        BASE, SEGMENTS, pct=Fraction(10), objectifs={"B": Objectif(2), "Z": Objectif(5)}
    )
    assert quotas == {"a-h": 0, "a-q": 0, "b-h": 6}
    assert alertes and "Z" in alertes[0] and "reportés" in alertes[0]
    quotas, alertes = quotas_convention(BASE, SEGMENTS, pct=Fraction(10), objectifs={"Z": Objectif(5)})
    assert quotas == {"a-h": 4, "a-q": 1, "b-h": 1} and "prorata" in alertes[0]


def test_sans_pourcentage_le_nombre_annuel_puis_les_objectifs_donnent_le_total():
    assert sum(quotas_convention(BASE, SEGMENTS, nombre=6)[0].values()) == 6
    quotas, _ = quotas_convention(BASE, SEGMENTS, objectifs={"A": Objectif(4), "B": Objectif(2)})
    assert quotas == {"a-h": Fraction(16, 5), "a-q": Fraction(4, 5), "b-h": 2}
    quotas, alertes = quotas_convention(BASE, SEGMENTS, nombre=90)
    assert sum(quotas.values()) == 60 and "ramenés au flux" in alertes[0]


def test_convention_territoriale_plafond_collectivite_sur_son_territoire():
    """A commune réservataire's 35 % of its territory (flux 10 in cell a) is capped at 20 % of 10."""
    base = {"a": Fraction(10)}
    quotas, _ = quotas_convention(base, {"a": ("A", False), "b": ("B", False)}, pct=Fraction(35))
    res = repartir(
        {"a": 50, "b": 50},
        [Part("ville", Fraction(35), collectivite=True, quotas=quotas, base_territoire=Fraction(10))],
    )
    assert res["a"]["ville"] == 2 and res["b"].get("ville", 0) == 0
    assert sum(res["a"].values()) == 50 and sum(res["b"].values()) == 50


def test_les_parts_superieures_au_flux_d_une_cellule_sont_reduites_et_les_quotas_exacts_conserves():
    detail = repartir_detail(
        {"a": 10, "b": 10},
        [
            Part("al", Fraction(30), quotas={"a": Fraction(6)}),
            Part("ville", Fraction(40), quotas={"a": Fraction(6)}, base_territoire=Fraction(10)),
        ],
    )
    assert detail.quotas["a"] == {"al": 5, "ville": 5, "bailleur": 0}
    assert detail.allocations["a"] == {"al": 5, "ville": 5, "bailleur": 0}
    assert detail.allocations["b"]["bailleur"] == 10


@given(
    cells=st.lists(st.tuples(st.integers(0, 300), st.sampled_from("ABC"), st.booleans()), min_size=1, max_size=8),
    conventions=st.lists(
        st.tuples(
            st.integers(0, 45),  # % of its périmètre
            st.sampled_from(["", "A", "B"]),  # territory: "" = département, else an EPCI réservataire
            st.dictionaries(st.sampled_from("ABCZ"), st.tuples(st.integers(0, 50), st.integers(0, 50)), max_size=3),
            st.sampled_from(["convention", "prefet", "collectivite"]),
            st.booleans(),  # signed
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_propriete_territoires_et_objectifs_sommes_et_plafonds(cells, conventions):
    flux = {f"k{i}": n for i, (n, _, _) in enumerate(cells)}
    segments = {f"k{i}": (e, q) for i, (_, e, q) in enumerate(cells)}
    if sum(p for p, territoire, *_ in conventions if not territoire) > 100:
        return
    total = sum(flux.values())
    parts, bases = [], {}
    for i, (pct, territoire, objectifs, genre, signee) in enumerate(conventions):
        base = {k: Fraction(n) for k, n in flux.items() if not territoire or segments[k][0] == territoire}
        objectifs = {e: Objectif(n, min(h, n)) for e, (n, h) in objectifs.items()}
        quotas, _ = quotas_convention(base, segments, pct=Fraction(pct), objectifs=objectifs)
        manque = sum(base.values()) * Fraction(pct, 100) - sum(quotas.values())
        assert 0 <= manque < Fraction(len(base) + 1, 10**12)  # each quota truncated to 10⁻¹²
        bases[f"r{i}"] = sum(base.values())
        parts.append(
            Part(
                f"r{i}",
                Fraction(pct),
                collectivite=genre == "collectivite",
                prefet=genre == "prefet",
                signee=signee,
                quotas=quotas,
                base_territoire=bases[f"r{i}"] if territoire else None,
            )  # fmt: skip
        )
    res = repartir(flux, parts)
    assert res == repartir(flux, parts)  # deterministic
    for cell, n in flux.items():
        assert sum(res[cell].values()) == n and all(v >= 0 for v in res[cell].values())
    recu = {k: sum(c.get(k, 0) for c in res.values()) for k in {k for c in res.values() for k in c}}
    prefets = {f"r{i}" for i, c in enumerate(conventions) if c[3] == "prefet" and c[4]}
    prefet = sum(v for k, v in recu.items() if k.startswith("prefet:") or k in prefets)
    assert prefet <= total * 30 // 100
    for i, (_, _, _, genre, signee) in enumerate(conventions):
        if genre == "collectivite" and signee:
            assert recu.get(f"r{i}", 0) <= int(bases[f"r{i}"] * 20 / 100)
