"""Stock → flux conversion: each réservataire's share of the annual flux, from the état des lieux.

share (ratio simple)  = logements réservés ÷ assiette
share (pondéré)       = Σ (logements réservés × rotation du contingent) ÷ (assiette × rotation du périmètre)
assiette              = logements conventionnés du périmètre − exclusions « stock » (défense, foyers…)
flux net prévisionnel = assiette × rotation du périmètre − exclusions « flux » (mutations, relogements…)

With every contingent at the périmètre's rate the two methods agree. ``calculer`` is the pure
arithmetic (tested without a database); ``conversion_calculer`` gathers the inputs with a few
aggregate queries, stores them all with the result, and makes the run the current one.
"""

from flux.services.conversion.calcul import (
    CENT,
    PLAFOND_AGENTS,
    PLAFOND_PREFET,
    ROTATION_HORS_IDF,
    ROTATION_IDF,
    Contingent,
    PartCalculee,
    Resultat,
    calculer,
    rotation_par_defaut,
)
from flux.services.conversion.perimetre import Perimetre, perimetre_lire
from flux.services.conversion.service import conversion_basculer, conversion_calculer, conversion_perimetre

__all__ = [
    "CENT",
    "PLAFOND_AGENTS",
    "PLAFOND_PREFET",
    "ROTATION_HORS_IDF",
    "ROTATION_IDF",
    "Contingent",
    "PartCalculee",
    "Perimetre",
    "Resultat",
    "calculer",
    "conversion_basculer",
    "conversion_calculer",
    "conversion_perimetre",
    "perimetre_lire",
    "rotation_par_defaut",
]
