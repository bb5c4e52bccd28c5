"""Flux models: patrimoine (RPLS dwellings), état des lieux, exclusions, conversions, journal."""

from flux.models.conversion import Conversion, ConversionLigne, Methode, TypePerimetre
from flux.models.etat_des_lieux import (
    CATEGORIES_FLUX,
    CATEGORIES_STOCK,
    CategorieExclusion,
    Exclusion,
    Fondement,
    ReservationStock,
    SourceReservation,
)
from flux.models.flux_annuel import (
    CalculFlux,
    CibleReservataire,
    FluxAllocation,
    FluxCellule,
    MiseEnService,
    ModeCalcul,
    MotifAllocation,
    RotationObservee,
    TauxRotation,
)
from flux.models.journal import Evenement
from flux.models.orientation import (
    STATUTS_OUVERTS,
    Attribution,
    Bilan,
    DecisionCaleol,
    NatureDisponibilite,
    Orientation,
    PropositionCandidats,
    SourceDeclaration,
    StatutBilan,
    StatutOrientation,
)
from flux.models.patrimoine import Financement, Logement

__all__ = [
    "STATUTS_OUVERTS",
    "Attribution",
    "Bilan",
    "CalculFlux",
    "CibleReservataire",
    "DecisionCaleol",
    "FluxAllocation",
    "FluxCellule",
    "MiseEnService",
    "ModeCalcul",
    "MotifAllocation",
    "NatureDisponibilite",
    "Orientation",
    "PropositionCandidats",
    "RotationObservee",
    "SourceDeclaration",
    "StatutBilan",
    "StatutOrientation",
    "TauxRotation",
    "CATEGORIES_FLUX",
    "CATEGORIES_STOCK",
    "CategorieExclusion",
    "Conversion",
    "ConversionLigne",
    "Evenement",
    "Exclusion",
    "Financement",
    "Fondement",
    "Logement",
    "Methode",
    "ReservationStock",
    "SourceReservation",
    "TypePerimetre",
]
