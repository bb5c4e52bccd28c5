"""Apportionment of whole dwellings: the arithmetic of the annual flux allocation, on plain data.

The method (documented in docs/flux-annuel.md):

1. Each réservataire's quota in a cell (bailleur × périmètre × EPCI × segment) is a rational number
   of dwellings. Quotas are exact fractions (never floats); each scaling below truncates them to
   10⁻¹² of a dwelling, so that the SQL path, on numerics, finds exactly the same whole dwellings.
2. Before rounding, a claimant's quotas are scaled down so that their sum over the périmètre stays
   within its legal ceiling (e.g. the préfet's 30 % of the bailleur's annual flux); what is freed
   goes to the bailleur's own share. If the quotas of a cell exceed its flux (objectives
   concentrated in one EPCI), they are scaled down proportionally in that cell.
3. Each cell is apportioned by the largest-remainder method (Hamilton): everyone gets the integer
   part of its quota, the units left go to the largest fractional remainders. Ties go to the claim
   with the smaller ``rank`` then ``key`` — deterministic. The bailleur's own share is a claim like
   the others (the remainder of the flux), so every cell adds up exactly to its flux.
4. Rounding up in many cells could still take a claimant over its ceiling by a few units: a repair
   pass takes back, one at a time, the unit it received with the smallest remainder and gives it
   to the claim with the largest remainder among those rounded down in that cell.

flux.services.flux_annuel applies it to the cells aggregated by the database (never to dwellings).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

BAILLEUR = "bailleur"
GRAIN = 10**12  # scaled quotas are truncated to 10⁻¹² of a dwelling (the SQL path does the same)


def truncate(x: Fraction) -> Fraction:
    return Fraction(x.numerator * GRAIN // x.denominator, GRAIN)


@dataclass(frozen=True)
class Claim:
    key: str
    quota: Fraction
    rank: int = 0  # tie-break: smaller first


def _tie(claim: Claim) -> tuple:
    return (claim.rank, claim.key)


def largest_remainder(total: int, claims: Iterable[Claim]) -> dict[str, int]:
    """Apportion ``total`` units among ``claims`` whose quotas add up to ``total``."""
    claims = list(claims)
    if total < 0:
        raise ValueError("total négatif")
    if any(c.quota < 0 for c in claims):
        raise ValueError("quota négatif")
    if sum(c.quota for c in claims) != total:
        raise ValueError("les quotas doivent totaliser le flux de la cellule")
    base = {c.key: int(c.quota) for c in claims}  # floor: quotas are non-negative
    left = total - sum(base.values())
    if left:
        by_remainder = sorted(claims, key=lambda c: (base[c.key] - c.quota, *_tie(c)))
        for claim in by_remainder[:left]:
            base[claim.key] += 1
    return base


def cell_claims(flux: int, quotas: Mapping[str, Fraction], ranks: Mapping[str, int] | None = None) -> list[Claim]:
    """The claims of one cell: réservataires' quotas (scaled down if they exceed the flux) and the
    bailleur's own share, the remainder."""
    ranks = ranks or {}
    asked = sum(quotas.values(), Fraction(0))
    if asked > flux:
        scale = Fraction(flux) / asked
        claims = [
            Claim(key, truncate(q * scale), ranks.get(key, 0)) for key, q in sorted(quotas.items()) if key != BAILLEUR
        ]
    else:
        claims = [Claim(key, q, ranks.get(key, 0)) for key, q in sorted(quotas.items()) if key != BAILLEUR]
    own = Fraction(flux) - sum((c.quota for c in claims), Fraction(0))
    claims.append(Claim(BAILLEUR, own, ranks.get(BAILLEUR, 1 << 30)))
    return claims


def cap_quotas(
    quotas: Mapping[str, Mapping[str, Fraction]], ceilings: Mapping[str, int]
) -> dict[str, dict[str, Fraction]]:
    """Scale each capped claimant's quotas over all cells so their sum stays within its ceiling.

    ``quotas``: cell → claimant → quota. ``ceilings``: claimant → max units over the périmètre.
    """
    totals: dict[str, Fraction] = {}
    for per_cell in quotas.values():
        for key, q in per_cell.items():
            totals[key] = totals.get(key, Fraction(0)) + q
    factors = {
        key: Fraction(ceiling) / totals[key]
        for key, ceiling in ceilings.items()
        if totals.get(key, 0) > ceiling and totals[key] > 0
    }
    if not factors:
        return {cell: dict(per_cell) for cell, per_cell in quotas.items()}
    return {
        cell: {key: truncate(q * factors[key]) if key in factors else q for key, q in per_cell.items()}
        for cell, per_cell in quotas.items()
    }


@dataclass
class Result:
    allocations: dict[str, dict[str, int]]  # cell → claimant → units
    quotas: dict[str, dict[str, Fraction]]  # cell → claimant → exact quota used
    repaired: int = 0  # units moved by the ceiling repair


def allocate(
    flux: Mapping[str, int],
    quotas: Mapping[str, Mapping[str, Fraction]],
    *,
    ceilings: Mapping[str, int] | None = None,
    ranks: Mapping[str, int] | None = None,
) -> Result:
    """Allocate every cell of one périmètre. ``flux``: cell → dwellings; ``quotas``: cell → claimant → quota."""
    ceilings = dict(ceilings or {})
    capped = cap_quotas({cell: dict(quotas.get(cell, {})) for cell in flux}, ceilings)
    used: dict[str, dict[str, Fraction]] = {}
    allocations: dict[str, dict[str, int]] = {}
    for cell in sorted(flux):
        claims = cell_claims(flux[cell], capped[cell], ranks)
        used[cell] = {c.key: c.quota for c in claims}
        allocations[cell] = largest_remainder(flux[cell], claims)
    repaired = _repair(allocations, used, ceilings)
    return Result(allocations, used, repaired)


def _repair(allocations, used, ceilings) -> int:
    moved = 0
    for key, ceiling in sorted(ceilings.items()):
        over = sum(a.get(key, 0) for a in allocations.values()) - ceiling
        while over > 0:
            # The unit rounded up with the smallest remainder (ties: cell order).
            candidates = [
                (used[cell][key] - int(used[cell][key]), cell)
                for cell, a in allocations.items()
                if a.get(key, 0) > int(used[cell].get(key, 0))
            ]
            if not candidates:  # cannot happen once quotas are capped: kept as a guard
                raise AssertionError(f"plafond de {key} impossible à respecter")
            _, cell = min(candidates)
            allocations[cell][key] -= 1
            receivers = [
                (-(q - int(q)), k)
                for k, q in used[cell].items()
                if k != key
                and q != int(q)
                and allocations[cell][k] == int(q)
                and (k not in ceilings or _total(allocations, k) < ceilings[k])
            ]
            receiver = min(receivers)[1] if receivers else BAILLEUR
            allocations[cell][receiver] = allocations[cell].get(receiver, 0) + 1
            over -= 1
            moved += 1
    return moved


def _total(allocations, key) -> int:
    return sum(a.get(key, 0) for a in allocations.values())


def apportion_total(total_fraction: Mapping[str, Fraction]) -> dict[str, int]:
    """Round cell fluxes (exact forecasts) to integers that add up to the rounded total."""
    total = int(sum(total_fraction.values(), Fraction(0)) + Fraction(1, 2))
    claims = [Claim(cell, q) for cell, q in sorted(total_fraction.items())]
    scale = Fraction(total) / sum((c.quota for c in claims), Fraction(0)) if claims and total else Fraction(0)
    claims = [Claim(c.key, c.quota * scale) for c in claims]
    if not claims:
        return {}
    return largest_remainder(total, claims)
