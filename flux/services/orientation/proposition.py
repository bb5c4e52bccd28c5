"""Which réservataire a dwelling should go to.

For the dwelling's cell (bailleur × EPCI × QPV × typologie) of the year, each share ``r`` has
``a_r`` allocated dwellings (FluxAllocation, the bailleur's own share being ``reservataire`` empty)
and ``d_r`` already delivered (orientations of the cell still imputed to it). With ``A = Σ a_r``
and ``D = Σ d_r``, the share furthest behind is the one with the largest deficit

    retard_r = a_r × (D + 1) / A − d_r

i.e. what it should have received once this dwelling is counted, minus what it got. Ties are broken
by the larger allocation, then by the réservataire's id (the bailleur's own share last). Exact
fractions: no floating point drift.

Fallback when the cell has no allocation: the same EPCI all segments together, else the bailleur's
own share (``reservataire`` None, ``origine`` says which rule applied).
"""

from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import Count, Sum

from flux.models import FluxAllocation, Orientation

CELLULE = "cellule"
EPCI = "epci"
BAILLEUR = "bailleur"


@dataclass
class Proposition:
    reservataire_id: int | None
    convention_id: int | None
    origine: str  # CELLULE | EPCI | BAILLEUR
    # One line per share considered: reservataire_id, alloues, livres, retard (Fraction).
    detail: list[dict] = field(default_factory=list)

    @property
    def explication(self) -> str:
        return {
            CELLULE: "Réservataire le plus en retard sur sa part dans ce segment (EPCI, QPV, typologie).",
            EPCI: "Aucune allocation pour ce segment : réservataire le plus en retard sur l'ensemble de l'EPCI.",
            BAILLEUR: "Aucune allocation sur cet EPCI : le logement relève de la part propre du bailleur.",
        }[self.origine]


def _classer(alloues: dict, livres: dict, conventions: dict, origine: str) -> Proposition:
    total_alloue = sum(alloues.values())
    total_livre = sum(livres.get(r, 0) for r in alloues)
    detail = []
    for r, a in alloues.items():
        d = livres.get(r, 0)
        retard = Fraction(a * (total_livre + 1), total_alloue) - d
        detail.append({"reservataire_id": r, "alloues": a, "livres": d, "retard": retard})
    # Largest deficit, then largest allocation, then smallest id; own share (None) last.
    detail.sort(key=lambda x: (-x["retard"], -x["alloues"], x["reservataire_id"] is None, x["reservataire_id"] or 0))
    choisi = detail[0]["reservataire_id"]
    return Proposition(choisi, conventions.get(choisi), origine, detail)


def proposer(*, bailleur_id: int, annee: int, epci_id: str, qpv: bool, typologie: int) -> Proposition:
    base = FluxAllocation.objects.en_vigueur(annee).filter(bailleur_id=bailleur_id, epci_id=epci_id)
    livrees = Orientation.objects.filter(bailleur_id=bailleur_id, annee=annee, epci_id=epci_id, impute=True)
    for origine, filtre in ((CELLULE, {"qpv": qpv, "typologie": typologie}), (EPCI, {})):
        lignes = base.filter(**filtre).values("reservataire_id").annotate(n=Sum("logements"))
        alloues = {x["reservataire_id"]: x["n"] for x in lignes if x["n"]}
        if not alloues:
            continue
        conventions = dict(
            base.filter(**filtre)
            .exclude(convention=None)
            .order_by("reservataire_id", "convention_id")
            .values_list("reservataire_id", "convention_id")
            .distinct()
        )
        livres = {
            x["reservataire_id"]: x["n"]
            for x in livrees.filter(**filtre).values("reservataire_id").annotate(n=Count("pk")).order_by()
        }
        return _classer(alloues, livres, conventions, origine)
    return Proposition(None, None, BAILLEUR, [])
