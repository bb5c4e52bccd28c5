"""Synthetic dwellings, programme by programme, with plausible RPLS characteristics.

The distributions are rounded national orders of magnitude [P] (typology close to the RPLS
split, financing following the construction period, QPV more frequent in large towns, rent
around 6.27 €/m² nationally, higher in Île-de-France). Everything is drawn from a
``random.Random`` seeded per bailleur × département: same seed, same file.
"""

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from flux.generateur.geographie import REGION_HDF, REGION_IDF, DepartementGeo
from flux.models.patrimoine import CODES_RPLS

PIECES_CUMUL = [(1, 6), (2, 25), (3, 62), (4, 90), (5, 98), (6, 100)]
SURFACE_PAR_PIECES = {1: 30, 2: 47, 3: 65, 4: 80, 5: 95, 6: 110}
PERIODES = [(1920, 1945, 3), (1946, 1970, 30), (1971, 1990, 30), (1991, 2005, 17), (2006, 2024, 20)]
FINANCEMENTS = {  # (first year, last year): [(RPLS code, weight)]
    "avant_1977": [("52", 80), ("51", 10), ("53", 5), ("54", 3), ("99", 2)],
    "1977_1999": [("12", 75), ("10", 8), ("11", 7), ("14", 5), ("16", 3), ("49", 2)],
    "depuis_2000": [("13", 58), ("10", 27), ("14", 13), ("16", 2)],
}
LOYER_M2 = 6.27  # national average at 1 Jan 2023 (SDES)
FACTEUR_REGION = {REGION_IDF: 1.18, REGION_HDF: 0.9}
FACTEUR_FINANCEMENT = {"PLAI": 0.88, "PLUS": 1.0, "PLS": 1.35, "PLI": 1.6, "ANCIEN": 0.85, "AUTRE": 1.0}
ENTETES_RPLS = [
    "RPLS_ID",
    "DEPCOM",
    "QPV",
    "CODE_QPV",
    "QPV_MILLESIME",
    "NBPIECE",
    "FINAN",
    "CONSTRUCT",
    "SURFHAB",
    "LOYERPRINC",
    "CONV",
    "PROGRAMME",
]


class LogementGenere(NamedTuple):
    bailleur: str
    rpls_id: str
    commune: str
    qpv: bool
    qpv_code: str
    qpv_millesime: int | None
    nb_pieces: int
    code_financement: str
    annee_construction: int
    surface: int
    loyer: float
    conventionne: bool
    programme: str

    def staging(self, ligne: int, bailleur_id: int) -> tuple:
        """The row as the staging table of flux/services/staging.py takes it."""
        return (
            ligne,
            bailleur_id,
            self.rpls_id,
            self.commune,
            self.qpv,
            self.qpv_code,
            self.qpv_millesime,
            self.nb_pieces,
            min(self.nb_pieces, 6),
            CODES_RPLS[self.code_financement].value,
            self.code_financement,
            self.annee_construction,
            self.surface,
            self.loyer,
            self.conventionne,
            self.programme,
        )

    def rpls(self) -> list:
        """The row as an RPLS CSV line (1 = oui, 2 = non; decimal comma)."""
        return [
            self.rpls_id,
            self.commune,
            "1" if self.qpv else "2",
            self.qpv_code,
            self.qpv_millesime or "",
            self.nb_pieces,
            self.code_financement,
            self.annee_construction,
            self.surface,
            f"{self.loyer:.2f}".replace(".", ","),
            "1" if self.conventionne else "2",
            self.programme,
        ]


@dataclass
class Allocation:
    """``n`` dwellings of bailleur ``bailleur`` (a key) in ``departement``; ``numero`` makes RPLS ids unique."""

    bailleur: str
    numero: int
    departement: str
    n: int


def _cumul(pondere):
    total, out = 0, []
    for valeur, poids in pondere:
        total += poids
        out.append((valeur, total))
    return out


_FINAN_CUMUL = {k: _cumul(v) for k, v in FINANCEMENTS.items()}
_PERIODES_CUMUL = _cumul([((a, b), w) for a, b, w in PERIODES])


def _tirer(rng, cumul):
    x = rng.random() * cumul[-1][1]
    for valeur, borne in cumul:
        if x < borne:
            return valeur
    return cumul[-1][0]


def _taille_programme(rng) -> int:
    return max(1, min(400, int(rng.lognormvariate(3.4, 0.8))))  # median ≈ 30 dwellings


def _proba_qpv(population: int) -> float:
    if population >= 100_000:
        return 0.45
    if population >= 20_000:
        return 0.35
    if population >= 5_000:
        return 0.15
    return 0.02


def iter_logements(
    allocations: list[Allocation], geo: dict[str, DepartementGeo], *, seed: int
) -> Iterator[LogementGenere]:
    sequences: dict[str, int] = {}
    for a in allocations:
        dep = geo[a.departement]
        rng = random.Random(f"{seed}:{a.bailleur}:{a.departement}")
        facteur_region = FACTEUR_REGION.get(dep.region, 1.0)
        restant, n_programme = a.n, 0
        while restant > 0:
            n_programme += 1
            taille = min(restant, _taille_programme(rng))
            restant -= taille
            commune = dep.tirer_commune(rng)
            debut, fin = _tirer(rng, _PERIODES_CUMUL)
            annee = rng.randint(debut, fin)
            periode = "avant_1977" if annee < 1977 else "1977_1999" if annee < 2000 else "depuis_2000"
            code_financement = _tirer(rng, _FINAN_CUMUL[periode])
            if annee < 1946 and code_financement == "52":
                code_financement = "50"
            qpv = rng.random() < _proba_qpv(commune.population)
            qpv_code = f"QN{a.departement.zfill(3)}{rng.randint(1, 40):03d}" if qpv else ""
            programme = f"P{a.numero:04d}-{a.departement}-{n_programme:05d}"
            taux = LOYER_M2 * facteur_region * FACTEUR_FINANCEMENT[CODES_RPLS[code_financement].value]
            conventionne = rng.random() < 0.98
            for _ in range(taille):
                seq = sequences.get(a.bailleur, 0) + 1
                sequences[a.bailleur] = seq
                x = rng.random() * 100
                pieces = next(p for p, borne in PIECES_CUMUL if x < borne)
                surface = round(SURFACE_PAR_PIECES[pieces] * (0.88 + rng.random() * 0.24))
                yield LogementGenere(
                    a.bailleur,
                    f"{a.numero:03d}{seq:07d}",
                    commune.code,
                    qpv,
                    qpv_code,
                    2024 if qpv else None,
                    pieces,
                    code_financement,
                    annee,
                    surface,
                    round(surface * taux * (0.9 + rng.random() * 0.2), 2),
                    conventionne,
                    programme,
                )


def ecrire_csv(path, logements, *, encodage: str = "utf-8") -> int:
    """Write an RPLS-format CSV (semicolons) as bailleurs' exports look; returns the row count."""
    n = 0
    with open(path, "w", encoding=encodage, newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(ENTETES_RPLS)
        for logement in logements:
            writer.writerow(logement.rpls())
            n += 1
    return n
