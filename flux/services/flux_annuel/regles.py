"""Portable rules of the annual flux (pure Python, exact fractions), reused by the SQLite path.

- Forecast of a cell: dwellings × turnover rate + first lettings − forecast exclusions (never < 0);
  cells are then rounded to whole dwellings adding up to the rounded total (largest remainder).
- Allocation: each réservataire's share (% of the flux) is spread over the cells pro rata of their
  flux; a réservataire whose convention is not signed after the legal deadline sees its share go
  to the préfet (motif ``PREFET_SANS_CONVENTION``), kept as its own line, never a silent zero.
  Ceilings (R.441-5-2): préfet ≤ 30 % of the bailleur's flux, collectivités ≤ 20 %; the freed
  units go to the bailleur's own share. Rounding: flux.allocation (Hamilton, deterministic ties).
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
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


def repartir(flux: Mapping[str, int], parts: Iterable[Part]) -> dict[str, dict[str, int]]:
    """Allocate every cell: cell → claimant → dwellings (claimant ``bailleur`` is the own share;
    ``prefet:<réservataire>`` the share falling to the préfet for want of a signed convention)."""
    parts = list(parts)
    if sum(p.pct for p in parts) > 100:
        raise ValueError("La somme des parts des conventions dépasse 100 % du flux.")
    total = sum(flux.values())
    quotas: dict[str, dict[str, Fraction]] = {}
    for cell, n in flux.items():
        quotas[cell] = {}
        for p in parts:
            cle = p.reservataire if p.signee else f"{PREFET}:{p.reservataire}"
            quotas[cell][cle] = Fraction(n) * Fraction(p.pct) / 100
    prefet_keys = [k for k in next(iter(quotas.values()), {}) if k.startswith(PREFET)]
    prefet_keys += [p.reservataire for p in parts if p.prefet and p.signee]
    ceilings = {}
    if prefet_keys:
        # One shared ceiling is checked below; per-key ceilings share the 30 % pro rata of their ask.
        # The ceiling holds on whole dwellings: rounding several keys (or cells) up must not push the
        # préfet past floor(30 %), even when the exact ask is just under it.
        asked = {k: sum(q.get(k, 0) for q in quotas.values()) for k in prefet_keys}
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
            ceilings[p.reservataire] = min(
                ceilings.get(p.reservataire, total), total * COLLECTIVITES_PLAFOND_PCT // 100
            )
    return allocation.allocate(flux, quotas, ceilings=ceilings).allocations
