"""Where synthetic dwellings go: real communes, regional totals from the public statistics.

Île-de-France and Hauts-de-France get their published totals (DOMAIN.md §6), the
Hauts-de-France split by département as published; every other département shares the rest
of the national stock in proportion to its population. Inside a département, communes are
weighted by population (the municipal arrondissements stand for Paris, Lyon and Marseille,
as in the RPLS).
"""

from bisect import bisect_right
from dataclasses import dataclass, field

from territoires.models import Commune, Departement

TOTAL_NATIONAL = 5_300_000  # 1 Jan 2022 and 2023 (SDES)
TOTAL_IDF = 1_393_255  # 1 Jan 2024 (DRIEAT / RPLS)
TOTAL_HDF = 591_907  # 1 Jan 2022 (URH Hauts-de-France)
HDF_PAR_DEPARTEMENT = {"59": 271_808, "62": 161_359, "60": 67_459, "80": 41_888, "02": 40_635}  # 1 Jan 2020
REGION_IDF, REGION_HDF = "11", "32"
ECHELLES = {"national": TOTAL_NATIONAL, "idf": TOTAL_IDF, "hdf": TOTAL_HDF}


@dataclass
class DepartementGeo:
    code: str
    nom: str
    region: str
    population: int = 0
    communes: list[Commune] = field(default_factory=list)
    cumul: list[int] = field(default_factory=list)

    def tirer_commune(self, rng) -> Commune:
        x = rng.random() * self.cumul[-1]
        return self.communes[bisect_right(self.cumul, x)]


def charger(departements: list[str] | None = None) -> dict[str, DepartementGeo]:
    deps = {
        d.code: DepartementGeo(d.code, d.nom, d.region_id)
        for d in Departement.objects.filter(**({"code__in": departements} if departements else {}))
    }
    avec_arrondissements = set(Commune.objects.filter(parent__isnull=False).values_list("parent_id", flat=True))
    communes = (
        Commune.objects.filter(departement_id__in=deps, population__gt=0)
        .exclude(code__in=avec_arrondissements)
        .order_by("departement_id", "-population", "code")
    )
    for commune in communes:
        dep = deps[commune.departement_id]
        dep.communes.append(commune)
        dep.population += commune.population
        dep.cumul.append(dep.population)
    return {code: dep for code, dep in deps.items() if dep.communes}


def proportionnel(total: int, poids: dict[str, float]) -> dict[str, int]:
    """Split ``total`` in proportion to ``poids`` (largest remainders: the parts sum exactly)."""
    somme = sum(poids.values())
    if not somme or total <= 0:
        return {k: 0 for k in poids}
    bruts = {k: total * p / somme for k, p in poids.items()}
    parts = {k: int(v) for k, v in bruts.items()}
    reste = total - sum(parts.values())
    for k in sorted(bruts, key=lambda k: (-(bruts[k] - parts[k]), k))[:reste]:
        parts[k] += 1
    return parts


def repartition(echelle: str | int, geo: dict[str, DepartementGeo]) -> dict[str, int]:
    """Number of dwellings per département for a scale: national, idf, hdf or a total n."""
    idf = {c: d.population for c, d in geo.items() if d.region == REGION_IDF}
    hdf = {c: HDF_PAR_DEPARTEMENT.get(c, d.population) for c, d in geo.items() if d.region == REGION_HDF}
    reste = {c: d.population for c, d in geo.items() if d.region not in (REGION_IDF, REGION_HDF)}
    if echelle == "idf":
        return {k: v for k, v in proportionnel(TOTAL_IDF, idf).items() if v}
    if echelle == "hdf":
        return {k: v for k, v in proportionnel(TOTAL_HDF, hdf).items() if v}
    national = {
        **proportionnel(TOTAL_IDF, idf),
        **proportionnel(TOTAL_HDF, hdf),
        **proportionnel(TOTAL_NATIONAL - TOTAL_IDF - TOTAL_HDF, reste),
    }
    if echelle == "national":
        return {k: v for k, v in national.items() if v}
    total = int(echelle)
    return {k: v for k, v in proportionnel(total, {k: float(v) for k, v in national.items()}).items() if v}


def lire_echelle(valeur: str) -> str | int:
    if valeur in ECHELLES:
        return valeur
    try:
        n = int(valeur.replace("_", "").replace(" ", ""))
    except ValueError:
        raise ValueError(f"échelle inconnue : {valeur} (national, idf, hdf ou un nombre de logements)") from None
    if n < 1:
        raise ValueError("le nombre de logements doit être positif")
    return n
