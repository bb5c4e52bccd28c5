"""Redline between versions: terms formatted the French way, clauses word by word, nothing unescaped."""

from datetime import date
from decimal import Decimal

import pytest

from conventions import diff, selectors, services
from tests.conventions import factories as conv

pytestmark = pytest.mark.django_db


def test_paragraphs_come_from_block_elements_and_list_items():
    html = (
        "<h3>Titre</h3><p>Un <strong>mot</strong> gras<br>puis une ligne</p><ul><li>point A</li><li>point B</li></ul>"
    )
    assert diff.paragraphes(html) == ["Titre", "Un mot gras", "puis une ligne", "• point A", "• point B"]


def test_a_word_level_diff_marks_only_the_changed_words():
    html, changed = diff.diff_texte(
        ["Le bailleur signale la vacance sous huit jours."], ["Le bailleur signale la vacance sous quinze jours."]
    )
    assert changed
    assert '<del class="diff-del">huit</del><ins class="diff-ins">quinze</ins>' in html
    assert html.startswith("<p>Le bailleur signale la vacance sous ")
    same, changed = diff.diff_texte(["Identique."], ["Identique."])
    assert (str(same), changed) == ("<p>Identique.</p>", False)


def test_the_diff_escapes_everything_it_did_not_write_itself():
    html, _ = diff.diff_texte(["a &lt;b&gt;"], ['<script>alert("x")</script> & co'])
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<b>" not in html and " &amp;" in html
    # Text recovered from stored HTML is escaped again, tags included as text are never revived.
    assert diff.paragraphes("<p>1 &lt; 2 &amp; <em>3</em></p>") == ["1 < 2 & 3"]


def test_a_paragraph_break_inside_a_change_closes_the_marking_element():
    html, _ = diff.diff_texte(["Un."], ["Un.", "Deux nouveaux mots."])
    assert html.count("<p>") == html.count("</p>") == 2
    assert '<ins class="diff-ins">Deux nouveaux mots.</ins>' in html


def test_terms_are_formatted_the_french_way(alice, bailleur, als):
    convention = conv.brouillon(
        bailleur,
        als,
        alice,
        terms={
            "part_flux_pct": Decimal("22.50"),
            "nombre_annuel": 1200,
            "repartition_typologie": {"T2": "40", "T1": "60"},
            "reconduction_tacite": False,
        },
    )
    rows = {t.cle: t for t in diff.termes(selectors.brouillon_de(convention))}
    assert rows["part_flux_pct"].valeur == "22,5 %"
    assert rows["part_flux_pct"].libelle == "Part du flux annuel (%)"
    assert rows["date_debut"].valeur == "01/01/2026"
    assert rows["delai_proposition_jours"].valeur == "30 jours"
    assert rows["nombre_annuel"].valeur == "1\u202f200 logements"
    assert rows["reconduction_tacite"].valeur == "Non"
    assert rows["mode_gestion"].valeur.startswith("Gestion directe")
    assert rows["part_agents_pct"].valeur == "—"
    # Splits are one row per category, in the regulatory order.
    assert [k for k in rows if k.startswith("repartition_typologie")] == [
        "repartition_typologie.T1",
        "repartition_typologie.T2",
    ]
    assert rows["repartition_typologie.T2"].valeur == "40 %"
    assert rows["repartition_financement"].valeur == "Non négociée"


def test_the_redline_shows_changed_terms_objectives_and_clause_words(alice, bob, bailleur, als):
    convention = conv.transmise(
        bailleur,
        als,
        alice,
        terms={"nombre_annuel": 10},
        objectifs=[{"epci": "200093201", "nombre": 10}],
    )
    v1 = convention.version_courante
    draft = services.version_draft_start(convention=convention, by=bob)
    clauses = [{"cle": c.cle, "titre": c.titre, "texte": c.texte} for c in draft.clauses.all()]
    clauses[0]["texte"] = clauses[0]["texte"].replace("fixe", "détermine")
    removed = clauses.pop(1)
    clauses.append({"titre": "Comité de suivi", "texte": "<p>Un comité se réunit chaque semestre.</p>"})
    services.version_update(
        version=draft,
        by=bob,
        expected_lock_version=draft.lock_version,
        terms={"part_flux_pct": Decimal(21), "date_fin": date(2029, 12, 31), "nombre_annuel": 12},
        objectifs=[{"epci": "200093201", "nombre": 8, "nombre_hors_qpv": 5}, {"epci": "245900428", "nombre": 4}],
        clauses=clauses,
    )
    v2 = services.version_propose(convention=convention, by=bob)

    red = diff.redline(v2, v1)
    changed = {ligne.cle: (ligne.avant, ligne.apres) for ligne in red.termes_changes}
    assert changed == {
        "part_flux_pct": ("25 %", "21 %"),
        "date_fin": ("31/12/2028", "31/12/2029"),
        "nombre_annuel": ("10 logements", "12 logements"),
    }
    objectifs = {ligne.libelle: (ligne.avant, ligne.apres, ligne.change) for ligne in red.objectifs}
    assert objectifs["Métropole Européenne de Lille"] == ("10 logements", "8 logements (dont 5 hors QPV)", True)
    assert len(objectifs) == 2 and all(v[0] == "—" for k, v in objectifs.items() if "Lille" not in k)

    by_key = {c.cle: c for c in red.clauses}
    assert by_key["objet"].etat == "modifiee"
    assert '<del class="diff-del">fixe</del><ins class="diff-ins">détermine</ins>' in by_key["objet"].html
    assert by_key[removed["cle"]].etat == "supprimee"
    assert [c.cle for c in red.clauses][:2] == ["objet", removed["cle"]]  # removed clause stays where it stood
    assert by_key["comite-de-suivi"].etat == "ajoutee"
    assert by_key["resiliation"].etat == "inchangee"
    assert red.nb_changements == 3 + 2 + 3


def test_the_base_is_the_version_the_reader_last_saw(alice, bob, bailleur, als):
    convention = conv.transmise(bailleur, als, alice)
    services.convention_mark_seen(convention=convention, by=bob)
    v2 = conv.contre_proposition(convention, bob, part_flux_pct=Decimal(21))
    red = diff.redline_pour(v2, bailleur)
    assert red.base.numero == 1
    assert [ligne.cle for ligne in red.termes_changes] == ["part_flux_pct"]


def test_a_first_version_has_nothing_to_compare(alice, bailleur, als):
    convention = conv.transmise(bailleur, als, alice)
    red = diff.redline_pour(convention.version_courante, als)
    assert red.base is None and red.nb_changements == 0
