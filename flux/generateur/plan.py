"""Synthetic bailleurs and how the stock of each département is shared between them.

About 600 organismes hold the national stock (USH: ≈ 566 Hlm operators, plus SEM), so a
département gets one bailleur per ≈ 8 800 dwellings, with lognormal sizes. ESH also hold
15 % of the stock of the other départements of their region.
"""

import random
from dataclasses import dataclass

from flux.generateur.geographie import DepartementGeo, proportionnel
from flux.generateur.logements import Allocation
from reservataires.models import TypeOrganisation

LOGEMENTS_PAR_BAILLEUR = 5_300_000 / 600
PART_ESH_REGIONALES = 0.15
TYPES = [
    (TypeOrganisation.OPH, 0.40),
    (TypeOrganisation.ESH, 0.40),
    (TypeOrganisation.SEM, 0.10),
    (TypeOrganisation.COOP, 0.10),
]
TAILLE_RELATIVE = {
    TypeOrganisation.OPH: 1.0,
    TypeOrganisation.ESH: 1.3,
    TypeOrganisation.SEM: 0.5,
    TypeOrganisation.COOP: 0.2,
}
SIGLES = {
    TypeOrganisation.OPH: "OPH",
    TypeOrganisation.ESH: "ESH",
    TypeOrganisation.SEM: "SEM",
    TypeOrganisation.COOP: "Coop",
}


@dataclass
class BailleurPlan:
    cle: str
    numero: int
    nom: str
    type: str
    departement: str
    region: str
    poids: float


def planifier(
    repartition: dict[str, int], geo: dict[str, DepartementGeo], *, seed: int
) -> tuple[list[BailleurPlan], list[Allocation]]:
    rng = random.Random(f"{seed}:bailleurs")
    bailleurs: list[BailleurPlan] = []
    locaux: dict[str, list[BailleurPlan]] = {}
    for code in sorted(repartition):
        dep = geo[code]
        k = max(1, round(repartition[code] / LOGEMENTS_PAR_BAILLEUR))
        for i in range(1, k + 1):
            x, type_ = rng.random(), TYPES[-1][0]
            for t, p in TYPES:
                if x < p:
                    type_ = t
                    break
                x -= p
            if i == 1:
                type_ = TypeOrganisation.OPH  # every département has its public office
            numero = len(bailleurs) + 1
            plan = BailleurPlan(
                cle=f"B{numero:04d}",
                numero=numero,
                nom=f"Habitat synthétique {code}-{i:02d} ({SIGLES[type_]})",
                type=type_,
                departement=code,
                region=dep.region,
                poids=rng.lognormvariate(0, 0.8) * TAILLE_RELATIVE[type_],
            )
            bailleurs.append(plan)
            locaux.setdefault(code, []).append(plan)
    allocations = []
    for code in sorted(repartition):
        total = repartition[code]
        region = geo[code].region
        externes = [
            b for b in bailleurs if b.region == region and b.departement != code and b.type == TypeOrganisation.ESH
        ]
        part_externe = round(total * PART_ESH_REGIONALES) if externes else 0
        poids = {b.cle: b.poids for b in locaux[code]}
        parts = proportionnel(total - part_externe, poids)
        if part_externe:
            parts.update(
                {
                    k: parts.get(k, 0) + v
                    for k, v in proportionnel(part_externe, {b.cle: b.poids for b in externes}).items()
                }
            )
        index = {b.cle: b for b in bailleurs}
        for cle, n in sorted(parts.items()):
            if n:
                allocations.append(Allocation(cle, index[cle].numero, code, n))
    return bailleurs, allocations


def plan_un_bailleur(repartition: dict[str, int], *, cle: str = "B0001", numero: int = 1) -> list[Allocation]:
    """All the dwellings of a scale held by one bailleur (the import benchmark's single file)."""
    return [Allocation(cle, numero, code, n) for code, n in sorted(repartition.items()) if n]
