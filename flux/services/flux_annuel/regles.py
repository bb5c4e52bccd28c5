"""Portable rules of the annual flux (pure Python, exact fractions), reused by the SQLite path.

- Forecast of a cell: dwellings × turnover rate + first lettings − forecast exclusions (never < 0);
  cells are then rounded to whole dwellings adding up to the rounded total (largest remainder).
- Share of one convention per cell (``quotas_convention``): the % applies to the flux of the
  convention's périmètre (the département, or the commune's / EPCI's own territory); its EPCI
  objectives, when it has some, split that total between EPCI (weights), and their hors-QPV number
  splits each EPCI's part between hors-QPV and QPV cells; otherwise the share is pro rata of the flux.
- Allocation: a réservataire whose convention is not signed after the legal deadline sees its share go
  to the préfet (motif ``PREFET_SANS_CONVENTION``), kept as its own line, never a silent zero.
  Ceilings (R.441-5-2): préfet ≤ 30 % of the bailleur's flux, collectivités ≤ 20 %; the freed
  units go to the bailleur's own share. Rounding: flux.allocation (Hamilton, deterministic ties).
"""

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from flux import allocation

PREFET = "prefet"
PREFET_PLAFOND_PCT = 30
COLLECTIVITES_PLAFOND_PCT = 20


def prevision_cellule(logements: int, taux_pct, mises_en_service: int = 0, exclusions: int = 0) -> Fraction:
    """Exact forecast flux of one cell."""
    valeur = Fraction(logements) * Fraction(str(taux_pct)) / 100 + mises_en_service - exclusions
    return max(valeur, Fraction(0))


def arrondir_cellules(previsions: Mapping[str, Fraction]) -> dict[str, int]:
    """Whole dwellings per cell, adding up to the rounded total."""
    if not previsions:
        return {}
    return allocation.apportion_total(dict(previsions))


@dataclass(frozen=True)
class Part:
    reservataire: str
    pct: Fraction
    collectivite: bool = False
    prefet: bool = False
    signee: bool = True  # False: no signed convention after the legal deadline
    # Exact share per cell (quotas_convention); None: pct × the flux of every cell.
    quotas: Mapping[str, Fraction] | None = field(default=None, compare=False)
    # Flux of the convention's own territory (commune/EPCI réservataire); None: the whole département.
    base_territoire: Fraction | None = None


@dataclass(frozen=True)
class Objectif:
    """A convention's objective in one EPCI: dwellings a year, and how many of them outside QPV."""

    nombre: int
    hors_qpv: int | None = None


# Quotas are truncated to 10⁻¹² of a dwelling at each step (share, ceiling, scaling of a cell): the
# SQL path (flux.services.flux_annuel.sql) applies the same steps to numerics and finds the same
# whole dwellings, while the rounding to whole dwellings works on exact decimals.
def tronque(x) -> Fraction:
    """``x`` truncated to 10⁻¹² (x ≥ 0)."""
    return allocation.truncate(Fraction(x))


Groupe = tuple[str | None, bool | None]  # (EPCI, QPV): None = every EPCI / both segments


def facteurs_convention(
    sommes: Mapping[tuple[str, bool], Fraction],
    *,
    pct: Fraction | None = None,
    nombre: int | None = None,
    objectifs: Mapping[str, Objectif] | None = None,
) -> tuple[dict[Groupe, Fraction], list[str]]:
    """Factor applied to the base flux of each group of cells of one convention, and its warnings.

    ``sommes``: (EPCI, QPV) → flux of the convention's périmètre in those cells (the cells' flux, or
    the part of it on the réservataire's territory). The total asked is ``pct`` of the périmètre's
    flux, else ``nombre`` dwellings a year, else the sum of the objectives; never more than the
    périmètre's flux. The objectives split that total between their EPCI in proportion to their
    numbers (EPCI without flux are left out, with a warning), then each EPCI's part between hors-QPV
    and QPV cells by its hors-QPV number; inside a group, pro rata of the cells' flux. Without usable
    objectives the whole total is pro rata of the flux: one group ``(None, None)``."""
    alertes: list[str] = []
    objectifs = dict(objectifs or {})
    total_base = sum(sommes.values(), Fraction(0))
    if pct is not None:
        demande = total_base * Fraction(pct) / 100
    elif nombre is not None:
        demande = Fraction(nombre)
    else:
        demande = Fraction(sum(o.nombre for o in objectifs.values()))
    if demande > total_base:
        alertes.append(
            f"{_nombre(demande)} logements demandés pour un flux prévu de {_nombre(total_base)} : ramenés au flux."
        )
        demande = total_base
    if demande <= 0 or total_base <= 0:
        return {}, alertes
    par_epci: dict[str, Fraction] = defaultdict(Fraction)
    for (epci, _), b in sommes.items():
        par_epci[epci] += b
    poids = {e: Fraction(o.nombre) for e, o in objectifs.items() if o.nombre > 0 and par_epci.get(e, 0) > 0}
    absents = sorted(e for e, o in objectifs.items() if o.nombre > 0 and not par_epci.get(e))
    if absents:
        alertes.append(
            f"objectifs sur des EPCI sans flux prévu ({', '.join(absents)}) : reportés sur les autres EPCI."
            if poids
            else f"objectifs sur des EPCI sans flux prévu ({', '.join(absents)}) : part répartie au prorata du flux."
        )
    if not poids:
        return {(None, None): demande / total_base}, alertes
    somme = sum(poids.values(), Fraction(0))
    facteurs: dict[Groupe, Fraction] = {}
    for epci, w in sorted(poids.items()):
        cible = demande * w / somme
        o = objectifs[epci]
        hors, dans = sommes.get((epci, False), 0), sommes.get((epci, True), 0)
        if o.hors_qpv is not None and 0 <= o.hors_qpv <= o.nombre and hors > 0 and dans > 0:
            part_hors = cible * o.hors_qpv / o.nombre
            facteurs[(epci, False)] = part_hors / hors
            facteurs[(epci, True)] = (cible - part_hors) / dans
        else:
            facteurs[(epci, None)] = cible / par_epci[epci]
    return facteurs, alertes


def facteur_de(facteurs: Mapping[Groupe, Fraction], epci: str, qpv: bool) -> Fraction:
    for groupe in ((epci, qpv), (epci, None), (None, None)):
        if groupe in facteurs:
            return facteurs[groupe]
    return Fraction(0)


def quotas_convention(
    base: Mapping[str, Fraction],
    segments: Mapping[str, tuple[str, bool]],
    *,
    pct: Fraction | None = None,
    nombre: int | None = None,
    objectifs: Mapping[str, Objectif] | None = None,
) -> tuple[dict[str, Fraction], list[str]]:
    """Share of one convention in each cell of its périmètre (``base``: cell → flux of the périmètre
    there; ``segments``: cell → (EPCI, QPV)), see ``facteurs_convention``; truncated to 10⁻¹²."""
    sommes: dict[tuple[str, bool], Fraction] = defaultdict(Fraction)
    for k, b in base.items():
        if b > 0:
            sommes[segments[k]] += b
    facteurs, alertes = facteurs_convention(sommes, pct=pct, nombre=nombre, objectifs=objectifs)
    quotas = {}
    for k, b in base.items():
        f = facteur_de(facteurs, *segments[k]) if b > 0 else 0
        quotas[k] = tronque(b * f) if f else Fraction(0)
    return quotas, alertes


def _nombre(x: Fraction) -> str:
    return f"{float(x):.2f}".replace(".", ",")


def repartir(flux: Mapping[str, int], parts: Iterable[Part]) -> dict[str, dict[str, int]]:
    """Allocate every cell: cell → claimant → dwellings (claimant ``bailleur`` is the own share;
    ``prefet:<réservataire>`` the share falling to the préfet for want of a signed convention)."""
    return repartir_detail(flux, parts).allocations


def cle_de(p: Part) -> str:
    return p.reservataire if p.signee else f"{PREFET}:{p.reservataire}"


def verifier_parts(parts: Iterable[Part]) -> None:
    if sum(p.pct for p in parts if p.base_territoire is None) > 100:
        raise ValueError("La somme des parts des conventions dépasse 100 % du flux.")


def plafonds(total: int, demandes: Mapping[str, Fraction], parts: Iterable[Part]) -> dict[str, int]:
    """Ceilings in whole dwellings over the périmètre (flux ``total``), from what each claimant asks
    (``demandes``: key → sum of its quotas): the préfet's keys share floor(30 %) pro rata of their
    ask; a collectivité gets at most 20 % of the flux its convention covers."""
    parts = list(parts)
    prefet_keys = [cle_de(p) for p in parts if not p.signee]
    prefet_keys += [p.reservataire for p in parts if p.prefet and p.signee]
    ceilings = {}
    if prefet_keys:
        # The ceiling holds on whole dwellings: rounding several keys (or cells) up must not push the
        # préfet past floor(30 %), even when the exact ask is just under it.
        asked = {k: Fraction(demandes.get(k, 0)) for k in prefet_keys}
        somme = sum(asked.values())
        plafond = total * PREFET_PLAFOND_PCT // 100
        if somme > plafond:
            for k in prefet_keys:
                ceilings[k] = int(plafond * asked[k] / somme)
        else:
            for k in prefet_keys:
                ceilings[k] = math.ceil(asked[k])
            excedent = sum(ceilings.values()) - plafond
            # Take the surplus back from the keys rounded up the most (then by key, deterministic).
            for k in sorted(prefet_keys, key=lambda k: (ceilings[k] - asked[k], k), reverse=True):
                if excedent <= 0:
                    break
                if ceilings[k] > asked[k]:
                    ceilings[k] -= 1
                    excedent -= 1
    for p in parts:
        if p.collectivite and p.signee:
            # 20 % of the flux the convention covers: the département, or the réservataire's territory.
            base = total if p.base_territoire is None else p.base_territoire
            ceilings[p.reservataire] = min(
                ceilings.get(p.reservataire, total), math.floor(base * COLLECTIVITES_PLAFOND_PCT / 100)
            )
    return ceilings


def repartir_detail(flux: Mapping[str, int], parts: Iterable[Part]) -> allocation.Result:
    """As ``repartir``, with the exact quotas used for each claimant (after ceilings and the scaling
    of a cell whose claims exceed its flux)."""
    parts = list(parts)
    verifier_parts(parts)
    total = sum(flux.values())
    quotas: dict[str, dict[str, Fraction]] = {}
    for cell, n in flux.items():
        quotas[cell] = {}
        for p in parts:
            cle = cle_de(p)
            if p.quotas is None:
                quotas[cell][cle] = Fraction(n) * Fraction(p.pct) / 100
            elif p.quotas.get(cell):  # no claim where the convention has no share
                quotas[cell][cle] = Fraction(p.quotas[cell])
    demandes: dict[str, Fraction] = defaultdict(Fraction)
    for q in quotas.values():
        for k, v in q.items():
            demandes[k] += v
    return allocation.allocate(flux, quotas, ceilings=plafonds(total, demandes, parts))
