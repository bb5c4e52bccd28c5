"""Legal rule checks on the terms of a convention, and on all conventions of a bailleur in a département.

Pure functions over plain data (``Termes``), so they are tested without a database and reused by
the flux engine. A blocking violation prevents approval (not drafting); a warning is shown.

Sources (../shared/DOMAIN.md, "checked" section first):
- CCH R.441-5-2 I: the préfet's share is at most 30 % of the bailleur's annual flux, of which at
  most 5 % for civil and military State agents.
- R.441-5-2 II: unless the convention says otherwise, at least 30 % of the préfet's share lies
  outside QPV. The convention may stipulate otherwise, so this is a warning only.
- Collectivités' rights in return for a loan guarantee: at most 20 % (pre-2020 R.441-5 text; the
  base is applied here to the convention's flux share, see docs/statuts-conventions.md).
- The shares of all réservataires cannot exceed 100 % of the flux. Territorial conventions
  (commune / EPCI) are shares of their territory's flux; département-wide shares apply uniformly
  in every commune (R.441-5-2 II), so the sums are taken commune by commune.
- The EPCI objectives add up to the convention's annual total.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from reservataires.models import TYPES_COLLECTIVITE, TypeOrganisation

PLAFOND_PREFET = Decimal(30)
PLAFOND_AGENTS_ETAT = Decimal(5)
PLAFOND_GARANTIE_COLLECTIVITES = Decimal(20)
PLANCHER_PREFET_HORS_QPV = Decimal(30)
TOTAL_MAX = Decimal(100)
TYPOLOGIES = ("T1", "T2", "T3", "T4", "T5", "T6+")
FINANCEMENTS = ("PLAI", "PLUS", "PLS", "PLI", "autre")
TOLERANCE = Decimal("0.01")


@dataclass(frozen=True)
class Violation:
    code: str
    message: str
    champ: str = ""
    bloquant: bool = True


@dataclass(frozen=True)
class ObjectifTerme:
    epci_id: str
    nombre: int
    commune_id: str | None = None
    nombre_hors_qpv: int | None = None
    epci_nom: str = ""
    commune_nom: str = ""
    commune_epci_id: str | None = None  # the commune's own EPCI, to check the row is consistent


@dataclass
class Termes:
    """What the rules need to know of one version of one convention."""

    type_reservataire: str
    reservataire_nom: str = ""
    perimetre_code: str = ""
    departement_id: str = ""
    epci_id: str | None = None  # territorial périmètre
    commune_id: str | None = None
    commune_epci_id: str | None = None  # for a commune périmètre: its EPCI
    convention_id: int | None = None
    part_flux_pct: Decimal | None = None
    part_agents_pct: Decimal | None = None
    part_garantie_pct: Decimal | None = None
    nombre_annuel: int | None = None
    part_hors_qpv_pct: Decimal | None = None
    repartition_typologie: dict = field(default_factory=dict)
    repartition_financement: dict = field(default_factory=dict)
    objectifs: list[ObjectifTerme] = field(default_factory=list)
    epci_hors_perimetre: list[str] = field(default_factory=list)  # names of objective EPCI outside the périmètre
    date_debut: date | None = None
    date_fin: date | None = None
    delai_signalement_jours: int | None = None
    delai_proposition_jours: int | None = None
    nb_candidats: int | None = None


def _pct(value: Decimal | None) -> str:
    return f"{value:.2f}".replace(".", ",").replace(",00", "") + " %"


def _check_percentages(t: Termes) -> list[Violation]:
    out = []
    for champ, label in (
        ("part_flux_pct", "La part du flux"),
        ("part_agents_pct", "La part réservée aux agents de l'État"),
        ("part_garantie_pct", "La part issue de garanties d'emprunt"),
        ("part_hors_qpv_pct", "La part hors QPV"),
    ):
        value = getattr(t, champ)
        if value is not None and not (Decimal(0) <= value <= TOTAL_MAX):
            out.append(Violation("pourcentage_invalide", f"{label} doit être comprise entre 0 et 100 %.", champ))
    return out


def _check_prefet(t: Termes) -> list[Violation]:
    out = []
    if t.type_reservataire != TypeOrganisation.PREFET:
        if t.part_agents_pct:
            out.append(
                Violation(
                    "agents_hors_prefet",
                    "La part réservée aux agents civils et militaires de l'État ne concerne que la convention "
                    "du préfet.",
                    "part_agents_pct",
                )
            )
        return out
    if t.part_flux_pct is not None and t.part_flux_pct > PLAFOND_PREFET:
        out.append(
            Violation(
                "plafond_prefet",
                f"La part du préfet ({_pct(t.part_flux_pct)}) dépasse le plafond de 30 % du flux annuel du "
                "bailleur (CCH R.441-5-2 I).",
                "part_flux_pct",
            )
        )
    if t.part_agents_pct is not None and t.part_agents_pct > PLAFOND_AGENTS_ETAT:
        out.append(
            Violation(
                "plafond_agents_etat",
                f"La part réservée aux agents de l'État ({_pct(t.part_agents_pct)}) dépasse le plafond de 5 % du "
                "flux annuel (CCH R.441-5-2 I).",
                "part_agents_pct",
            )
        )
    if t.part_agents_pct is not None and t.part_flux_pct is not None and t.part_agents_pct > t.part_flux_pct:
        out.append(
            Violation(
                "agents_superieur_part",
                "La part des agents de l'État est comprise dans la part du préfet : elle ne peut pas la dépasser.",
                "part_agents_pct",
            )
        )
    if t.part_hors_qpv_pct is not None and t.part_hors_qpv_pct < PLANCHER_PREFET_HORS_QPV:
        out.append(
            Violation(
                "prefet_hors_qpv",
                f"Sauf stipulation contraire, au moins 30 % du flux du préfet doit se situer hors QPV "
                f"(CCH R.441-5-2 II) : la version prévoit {_pct(t.part_hors_qpv_pct)}. Vérifiez que la "
                "convention le stipule expressément.",
                "part_hors_qpv_pct",
                bloquant=False,
            )
        )
    return out


def _check_garantie(t: Termes) -> list[Violation]:
    if t.part_garantie_pct is None:
        return []
    if t.type_reservataire not in TYPES_COLLECTIVITE:
        return [
            Violation(
                "garantie_hors_collectivite",
                "Les droits issus de garanties d'emprunt ne concernent que les collectivités (commune, EPCI, "
                "département).",
                "part_garantie_pct",
            )
        ]
    out = []
    if t.part_garantie_pct > PLAFOND_GARANTIE_COLLECTIVITES:
        out.append(
            Violation(
                "plafond_garantie",
                f"La part issue des garanties d'emprunt ({_pct(t.part_garantie_pct)}) dépasse le plafond de 20 % "
                "applicable aux collectivités.",
                "part_garantie_pct",
            )
        )
    if t.part_flux_pct is not None and t.part_garantie_pct > t.part_flux_pct:
        out.append(
            Violation(
                "garantie_superieure_part",
                "La part issue des garanties d'emprunt est comprise dans la part du flux : elle ne peut pas la "
                "dépasser.",
                "part_garantie_pct",
            )
        )
    return out


def _check_repartition(values: dict, allowed: tuple[str, ...], champ: str, label: str) -> list[Violation]:
    if not values:
        return []
    out = []
    unknown = [k for k in values if k not in allowed]
    if unknown:
        out.append(
            Violation(
                "repartition_cle_inconnue",
                f"{label} : catégorie(s) inconnue(s) {', '.join(unknown)} (attendu : {', '.join(allowed)}).",
                champ,
            )
        )
    try:
        total = sum(Decimal(str(v)) for v in values.values())
    except ArithmeticError:
        return out + [Violation("repartition_invalide", f"{label} : chaque part doit être un nombre.", champ)]
    if abs(total - TOTAL_MAX) > TOLERANCE:
        out.append(
            Violation(
                "repartition_total",
                f"{label} : les parts totalisent {_pct(total)} au lieu de 100 %.",
                champ,
            )
        )
    return out


def _check_objectifs(t: Termes) -> list[Violation]:
    if not t.objectifs:
        return []
    out = []
    epci_rows = [o for o in t.objectifs if o.commune_id is None]
    commune_rows = [o for o in t.objectifs if o.commune_id is not None]
    total_epci = sum(o.nombre for o in epci_rows)
    if t.nombre_annuel is None:
        out.append(
            Violation(
                "objectifs_sans_total",
                "Des objectifs par EPCI sont saisis : indiquez le nombre annuel de logements de la convention.",
                "nombre_annuel",
            )
        )
    elif total_epci != t.nombre_annuel:
        out.append(
            Violation(
                "objectifs_total",
                f"La somme des objectifs par EPCI ({total_epci} logements) doit être égale au total de la "
                f"convention ({t.nombre_annuel} logements).",
                "objectifs",
            )
        )
    by_epci = {o.epci_id: o for o in epci_rows}
    for o in commune_rows:
        if o.commune_epci_id and o.commune_epci_id != o.epci_id:
            out.append(
                Violation(
                    "objectif_commune_epci",
                    f"La commune {o.commune_nom or o.commune_id} n'appartient pas à l'EPCI {o.epci_nom or o.epci_id}.",
                    "objectifs",
                )
            )
    for epci_id, row in by_epci.items():
        communes = sum(o.nombre for o in commune_rows if o.epci_id == epci_id)
        if communes > row.nombre:
            out.append(
                Violation(
                    "objectifs_communes",
                    f"Les objectifs des communes de {row.epci_nom or epci_id} ({communes}) dépassent l'objectif de "
                    f"l'EPCI ({row.nombre}).",
                    "objectifs",
                )
            )
    orphan = {o.epci_id for o in commune_rows} - set(by_epci)
    for epci_id in sorted(orphan):
        name = next(o.epci_nom for o in commune_rows if o.epci_id == epci_id) or epci_id
        out.append(
            Violation(
                "objectif_commune_sans_epci",
                f"Des objectifs communaux sont saisis pour {name} sans objectif pour l'EPCI lui-même.",
                "objectifs",
            )
        )
    for o in t.objectifs:
        if o.nombre_hors_qpv is not None and o.nombre_hors_qpv > o.nombre:
            out.append(
                Violation(
                    "objectif_hors_qpv",
                    f"{o.commune_nom or o.epci_nom or o.epci_id} : la part hors QPV ({o.nombre_hors_qpv}) dépasse "
                    f"l'objectif ({o.nombre}).",
                    "objectifs",
                )
            )
    for name in t.epci_hors_perimetre:
        out.append(
            Violation(
                "objectif_hors_perimetre",
                f"L'EPCI {name} n'est pas dans le périmètre de la convention.",
                "objectifs",
            )
        )
    return out


def _check_completude(t: Termes) -> list[Violation]:
    out = []
    if t.part_flux_pct is None and t.nombre_annuel is None:
        out.append(
            Violation(
                "volume_absent",
                "Indiquez la part du flux annuel (en %) et/ou le nombre annuel de logements réservés.",
                "part_flux_pct",
            )
        )
    if t.date_debut is None:
        out.append(Violation("date_debut_absente", "Indiquez la date d'effet de la convention.", "date_debut"))
    if t.date_debut and t.date_fin and t.date_fin <= t.date_debut:
        out.append(Violation("dates", "La date de fin doit être postérieure à la date d'effet.", "date_fin"))
    if t.delai_signalement_jours is None:
        out.append(
            Violation(
                "delai_signalement_absent",
                "Indiquez le délai dans lequel le bailleur signale une vacance ou une première mise en location.",
                "delai_signalement_jours",
            )
        )
    if t.delai_proposition_jours is None:
        out.append(
            Violation(
                "delai_proposition_absent",
                "Indiquez le délai laissé au réservataire pour proposer des candidats.",
                "delai_proposition_jours",
            )
        )
    if t.nb_candidats is not None and t.nb_candidats == 0:
        out.append(
            Violation("nb_candidats", "Le nombre de candidats à proposer doit être d'au moins 1.", "nb_candidats")
        )
    return out


def check_termes(t: Termes) -> list[Violation]:
    """All rules bearing on one version alone."""
    return (
        _check_completude(t)
        + _check_percentages(t)
        + _check_prefet(t)
        + _check_garantie(t)
        + _check_repartition(t.repartition_typologie, TYPOLOGIES, "repartition_typologie", "Répartition par typologie")
        + _check_repartition(
            t.repartition_financement, FINANCEMENTS, "repartition_financement", "Répartition par financement"
        )
        + _check_objectifs(t)
    )


def _zones(all_terms: list[Termes]) -> list[tuple[str, list[Termes]]]:
    """Each zone where shares add up, with the conventions that apply in it.

    A département-wide share applies in every commune; an EPCI share in each of its communes; a
    commune share in that commune. The zones worth checking are: the département alone, each
    EPCI périmètre, and each commune périmètre (with its EPCI's convention, if any).
    """
    dept = [t for t in all_terms if not t.epci_id and not t.commune_id]
    by_epci: dict[str, list[Termes]] = {}
    for t in all_terms:
        if t.epci_id and not t.commune_id:
            by_epci.setdefault(t.epci_id, []).append(t)
    zones = [("le département", dept)]
    for epci_id, ts in by_epci.items():
        zones.append((f"le territoire de {ts[0].reservataire_nom or epci_id}", dept + ts))
    for t in all_terms:
        if t.commune_id:
            covering = by_epci.get(t.commune_epci_id or "", [])
            same_commune = [o for o in all_terms if o.commune_id == t.commune_id]
            zones.append((f"la commune de {t.reservataire_nom or t.commune_id}", dept + covering + same_commune))
    return zones


def check_portefeuille(candidate: Termes, autres: list[Termes]) -> list[Violation]:
    """Rules over all live conventions of the bailleur in the département, ``candidate`` included."""
    all_terms = [candidate] + [
        t for t in autres if t.convention_id != candidate.convention_id or t.convention_id is None
    ]
    out = []
    seen = set()
    for label, terms in _zones(all_terms):
        if candidate not in terms:
            continue
        unique = {id(t): t for t in terms}.values()
        total = sum((t.part_flux_pct or Decimal(0)) for t in unique)
        if total > TOTAL_MAX and label not in seen:
            seen.add(label)
            detail = ", ".join(f"{t.reservataire_nom} {_pct(t.part_flux_pct or Decimal(0))}" for t in unique)
            out.append(
                Violation(
                    "total_reservataires",
                    f"Les parts de tous les réservataires dans {label} totalisent {_pct(total)}, au-delà de 100 % "
                    f"du flux ({detail}).",
                    "part_flux_pct",
                )
            )
    return out


def bloquantes(violations: list[Violation]) -> list[Violation]:
    return [v for v in violations if v.bloquant]
