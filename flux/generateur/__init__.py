"""Demo and benchmark data: real geography, synthetic bailleurs, dwellings and inventories.

    plan = planifier(repartition("hdf", geo), geo, seed=42)   # who holds how much where
    iter_logements(allocations, geo, seed=42)                  # the dwellings, lazily
    ecrire_csv(path, logements)                                # an RPLS file (import benchmark)
    inserer_logements(logements, ids)                          # straight into the database (COPY)
    generer_inventaire(bailleurs, annee=2026, seed=42)         # réservataires, état des lieux, exclusions

Deterministic for a given seed. Used by ``manage.py generate_patrimoine``, flux/demo.py and bench/.
"""

import datetime

from flux.generateur.base import creer_bailleurs, generer_inventaire, inserer_logements
from flux.generateur.geographie import charger, lire_echelle, repartition
from flux.generateur.logements import Allocation, LogementGenere, ecrire_csv, iter_logements
from flux.generateur.plan import BailleurPlan, plan_un_bailleur, planifier


def generer(echelle, *, seed: int = 42, annee: int | None = None, departements=None, inventaire: bool = True) -> dict:
    """Create the synthetic bailleurs of a scale with their dwellings and, optionally, inventories."""
    annee = annee or datetime.date.today().year
    geo = charger(departements)
    plans, allocations = planifier(repartition(echelle, geo), geo, seed=seed)
    orgs = creer_bailleurs(plans)
    stats = inserer_logements(iter_logements(allocations, geo, seed=seed), {k: o.pk for k, o in orgs.items()})
    stats["bailleurs"] = len(orgs)
    if inventaire:
        stats.update(generer_inventaire(list(orgs.values()), annee=annee, seed=seed))
    return stats


def ecrire_fichier_rpls(path, echelle, *, seed: int = 42, encodage: str = "utf-8", departements=None) -> int:
    """One bailleur's RPLS file holding every dwelling of the scale (distributed like the real stock)."""
    geo = charger(departements)
    return ecrire_csv(
        path, iter_logements(plan_un_bailleur(repartition(echelle, geo)), geo, seed=seed), encodage=encodage
    )


__all__ = [
    "Allocation",
    "BailleurPlan",
    "LogementGenere",
    "charger",
    "creer_bailleurs",
    "ecrire_csv",
    "ecrire_fichier_rpls",
    "generer",
    "generer_inventaire",
    "inserer_logements",
    "iter_logements",
    "lire_echelle",
    "plan_un_bailleur",
    "planifier",
    "repartition",
]
