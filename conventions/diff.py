"""Redline between two versions of a convention: the terms table and the clause text.

Both sides negotiate by reading what changed since the version they last saw
(selectors.base_de_comparaison). Terms are compared as the French text a reader sees
("25 %", "30 jours", "01/01/2026", choice labels), so a change that does not show is not a change.
Clauses are compared word by word on their text: the stored HTML is sanitised already, but the
diff never re-emits it; it extracts text paragraphs and escapes every piece it writes, so the only
markup in the output is the one produced here (<p>, <del class="diff-del">, <ins class="diff-ins">).
"""

import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from conventions import rules, selectors
from conventions.models import ConventionVersion
from conventions.services import TERM_FIELDS

VIDE = "—"
SPLITS = {
    "repartition_typologie": rules.TYPOLOGIES,
    "repartition_financement": rules.FINANCEMENTS,
}
UNITES = {
    "delai_signalement_jours": ("jour", "jours"),
    "delai_proposition_jours": ("jour", "jours"),
    "duree_reconduction_mois": ("mois", "mois"),
    "nombre_annuel": ("logement", "logements"),
    "nb_candidats": ("candidat", "candidats"),
}
GROUPES = {
    "date_debut": "Période",
    "date_fin": "Période",
    "reconduction_tacite": "Période",
    "duree_reconduction_mois": "Période",
    "part_flux_pct": "Volume des droits",
    "part_agents_pct": "Volume des droits",
    "part_garantie_pct": "Volume des droits",
    "nombre_annuel": "Volume des droits",
    "part_hors_qpv_pct": "Répartition",
    "repartition_typologie": "Répartition",
    "repartition_financement": "Répartition",
    "mode_gestion": "Gestion",
    "delai_signalement_jours": "Gestion",
    "delai_proposition_jours": "Gestion",
    "nb_candidats": "Gestion",
    "regle_absence_candidat": "Gestion",
    "periodicite_bilan": "Suivi",
    "report_ecarts": "Suivi",
}


# --- Formatting the French way ---------------------------------------------------------------


def nombre_fr(value) -> str:
    """12.50 → "12,5"; 25 → "25"; thousands separated by a narrow space."""
    if value is None:
        return VIDE
    d = Decimal(str(value))
    if d == d.to_integral_value():
        text = f"{int(d):,}".replace(",", "\u202f")
    else:
        text = f"{d.normalize():f}".replace(".", ",")
    return text


def pct_fr(value) -> str:
    return VIDE if value in (None, "") else f"{nombre_fr(value)} %"


def _unite(value: int, singulier: str, pluriel: str) -> str:
    return f"{nombre_fr(value)} {singulier if value in (0, 1) else pluriel}"


def formater(version: ConventionVersion, name: str) -> str:
    """The value of term ``name`` as a French reader expects it."""
    value = getattr(version, name)
    field_ = ConventionVersion._meta.get_field(name)
    if value is None or value == "":
        return VIDE
    if field_.choices:
        return str(dict(field_.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if name.endswith("_pct"):
        return pct_fr(value)
    if name in UNITES:
        return _unite(value, *UNITES[name])
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return str(value)


def libelle(name: str) -> str:
    label = str(ConventionVersion._meta.get_field(name).verbose_name)
    return label[:1].upper() + label[1:]


# --- Terms as rows -----------------------------------------------------------------------------


@dataclass
class Terme:
    """One row of the terms table. ``cle`` is the field name, or ``field.category`` for a split."""

    cle: str
    libelle: str
    valeur: str
    groupe: str
    champ: str  # the field a comment on this row attaches to (``terme:<champ>``)


def termes(version: ConventionVersion) -> list[Terme]:
    rows = []
    for name in TERM_FIELDS:
        if name in SPLITS:
            split = getattr(version, name) or {}
            categories = [c for c in SPLITS[name] if c in split] + sorted(c for c in split if c not in SPLITS[name])
            if not categories:
                rows.append(Terme(name, libelle(name), "Non négociée", GROUPES[name], name))
            for cat in categories:
                rows.append(Terme(f"{name}.{cat}", f"{libelle(name)} – {cat}", pct_fr(split[cat]), GROUPES[name], name))
            continue
        rows.append(Terme(name, libelle(name), formater(version, name), GROUPES[name], name))
    return rows


@dataclass
class LigneObjectif:
    cle: str
    territoire: str
    est_commune: bool
    nombre: int
    nombre_hors_qpv: int | None

    @property
    def valeur(self) -> str:
        text = _unite(self.nombre, "logement", "logements")
        if self.nombre_hors_qpv is not None:
            text += f" (dont {nombre_fr(self.nombre_hors_qpv)} hors QPV)"
        return text


def objectifs(version: ConventionVersion) -> list[LigneObjectif]:
    """EPCI rows, each followed by its communes' rows."""
    rows = list(version.objectifs.select_related("epci", "commune"))
    rows.sort(key=lambda o: (o.epci.nom, o.commune_id is not None, o.commune.nom if o.commune_id else ""))
    return [
        LigneObjectif(
            cle=f"{o.epci_id}:{o.commune_id or ''}",
            territoire=o.commune.nom if o.commune_id else o.epci.nom,
            est_commune=o.commune_id is not None,
            nombre=o.nombre,
            nombre_hors_qpv=o.nombre_hors_qpv,
        )
        for o in rows
    ]


def totaux_objectifs(lignes: list[LigneObjectif]) -> dict:
    epci = [ligne for ligne in lignes if not ligne.est_commune]
    hors_qpv = [ligne.nombre_hors_qpv for ligne in epci if ligne.nombre_hors_qpv is not None]
    return {"nombre": sum(ligne.nombre for ligne in epci), "nombre_hors_qpv": sum(hors_qpv) if hors_qpv else None}


# --- Clause text -------------------------------------------------------------------------------

BLOCKS = {"p", "li", "h3", "h4", "blockquote", "ul", "ol", "div", "h1", "h2", "h5", "h6"}


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.current: list[str] = []

    def _flush(self):
        text = re.sub(r"\s+", " ", "".join(self.current)).strip()
        if text:
            self.paragraphs.append(text)
        self.current = []

    def handle_starttag(self, tag, attrs):
        if tag in BLOCKS or tag == "br":
            self._flush()
        if tag == "li":
            self.current.append("• ")

    def handle_endtag(self, tag):
        if tag in BLOCKS:
            self._flush()

    def handle_data(self, data):
        self.current.append(data)


def paragraphes(html: str) -> list[str]:
    """The text paragraphs of a clause (block elements and <br> end a paragraph)."""
    parser = _TextExtractor()
    parser.feed(html or "")
    parser.close()
    parser._flush()
    return parser.paragraphs


PARA = "\n"  # paragraph boundary token
TAGS = {"diff-del": "del", "diff-ins": "ins"}
_TOKEN = re.compile(r"\w+|[^\w\s]|\s+")


def _tokens(paras: list[str]) -> list[str]:
    out: list[str] = []
    for i, p in enumerate(paras):
        if i:
            out.append(PARA)
        out.extend(_TOKEN.findall(p))
    return out


def _render(tokens: list[str], css: str | None) -> str:
    """Escaped text of ``tokens``; a paragraph boundary closes and reopens the marking element."""
    parts, run = [], []

    def flush():
        if run:
            text = escape("".join(run))
            parts.append(f'<{TAGS[css]} class="{css}">{text}</{TAGS[css]}>' if css else text)
            run.clear()

    for tok in tokens:
        if tok == PARA:
            flush()
            parts.append("</p><p>")
        else:
            run.append(tok)
    flush()
    return "".join(parts)


def diff_texte(avant: list[str], apres: list[str]) -> tuple[SafeString, bool]:
    """Word-level redline of two lists of paragraphs, as escaped HTML paragraphs."""
    a, b = _tokens(avant), _tokens(apres)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    parts, changed = [], False
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(_render(a[i1:i2], None))
            continue
        changed = True
        if op in ("delete", "replace"):
            parts.append(_render(a[i1:i2], "diff-del"))
        if op in ("insert", "replace"):
            parts.append(_render(b[j1:j2], "diff-ins"))
    html = f"<p>{''.join(parts)}</p>".replace("<p></p>", "")
    return mark_safe(html), changed  # noqa: S308 - every text piece above went through escape()


@dataclass
class DiffClause:
    cle: str
    titre: str
    etat: str  # ajoutee, supprimee, modifiee, inchangee
    titre_html: SafeString
    html: SafeString

    ETATS = {
        "ajoutee": "Clause ajoutée",
        "supprimee": "Clause supprimée",
        "modifiee": "Clause modifiée",
        "inchangee": "Inchangée",
    }

    @property
    def etat_libelle(self) -> str:
        return self.ETATS[self.etat]

    @property
    def change(self) -> bool:
        return self.etat != "inchangee"


def diff_clauses(base: ConventionVersion | None, version: ConventionVersion) -> list[DiffClause]:
    new = list(version.clauses.all())
    old = list(base.clauses.all()) if base is not None else []
    old_by_key = {c.cle: c for c in old}
    new_keys = {c.cle for c in new}
    out: list[DiffClause] = []
    for clause in new:
        before = old_by_key.get(clause.cle)
        if before is None and base is not None:
            html, _ = diff_texte([], paragraphes(clause.texte))
            titre, _ = diff_texte([], [clause.titre])
            out.append(DiffClause(clause.cle, clause.titre, "ajoutee", titre, html))
            continue
        source = before or clause
        html, body_changed = diff_texte(paragraphes(source.texte), paragraphes(clause.texte))
        titre, title_changed = diff_texte([source.titre], [clause.titre])
        etat = "modifiee" if (body_changed or title_changed) else "inchangee"
        out.append(DiffClause(clause.cle, clause.titre, etat, titre, html))
    # Removed clauses go back where they stood: after the clause that preceded them in the base.
    previous = None
    for clause in old:
        if clause.cle in new_keys:
            previous = clause.cle
            continue
        html, _ = diff_texte(paragraphes(clause.texte), [])
        titre, _ = diff_texte([clause.titre], [])
        item = DiffClause(clause.cle, clause.titre, "supprimee", titre, html)
        index = next((i + 1 for i, d in enumerate(out) if d.cle == previous), 0)
        out.insert(index, item)
        previous = clause.cle
    return out


# --- The redline -------------------------------------------------------------------------------


@dataclass
class Ligne:
    cle: str
    libelle: str
    avant: str
    apres: str
    change: bool
    groupe: str = ""
    champ: str = ""


@dataclass
class Redline:
    version: ConventionVersion
    base: ConventionVersion | None
    termes: list[Ligne] = field(default_factory=list)
    objectifs: list[Ligne] = field(default_factory=list)
    clauses: list[DiffClause] = field(default_factory=list)

    @property
    def nb_changements(self) -> int:
        return (
            sum(ligne.change for ligne in self.termes)
            + sum(ligne.change for ligne in self.objectifs)
            + sum(c.change for c in self.clauses)
        )

    @property
    def termes_changes(self) -> list[Ligne]:
        return [ligne for ligne in self.termes if ligne.change]


def _aligner(avant: list, apres: list) -> list[tuple[str, object, object]]:
    """Pair rows by key, in the new order, removed rows where they stood."""
    old = {r.cle: r for r in avant}
    new_keys = {r.cle for r in apres}
    pairs = [(r.cle, old.get(r.cle), r) for r in apres]
    previous = None
    for r in avant:
        if r.cle in new_keys:
            previous = r.cle
            continue
        index = next((i + 1 for i, p in enumerate(pairs) if p[0] == previous), 0)
        pairs.insert(index, (r.cle, r, None))
        previous = r.cle
    return pairs


def comparer_termes(avant: ConventionVersion, apres: ConventionVersion) -> list[Ligne]:
    """Terms of two versions side by side. Works on unsaved instances too (a conflicting submission)."""
    out = []
    for cle, before, after in _aligner(termes(avant), termes(apres)):
        ref = after or before
        # A split category absent on one side reads "—"; a split not negotiated at all reads "Non négociée".
        a = before.valeur if before else VIDE
        b = after.valeur if after else VIDE
        out.append(Ligne(cle, ref.libelle, a, b, a != b, ref.groupe, ref.champ))
    return out


def redline(version: ConventionVersion, base: ConventionVersion | None) -> Redline:
    """What changed from ``base`` to ``version`` (``base`` None: a first version, nothing to compare)."""
    result = Redline(version=version, base=base)
    if base is None:
        return result
    result.termes = comparer_termes(base, version)
    for cle, before, after in _aligner(objectifs(base), objectifs(version)):
        ref = after or before
        label = ref.territoire if not ref.est_commune else f"{ref.territoire} (commune)"
        avant = before.valeur if before else VIDE
        apres = after.valeur if after else VIDE
        result.objectifs.append(Ligne(cle, label, avant, apres, avant != apres, "Objectifs territoriaux", "objectifs"))
    result.clauses = diff_clauses(base, version)
    return result


def redline_pour(version: ConventionVersion, organisation) -> Redline:
    """The redline a member of ``organisation`` sees: against the version that party last saw."""
    return redline(version, selectors.base_de_comparaison(version, organisation))
