"""REST API of the flux app: dwellings, imports, état des lieux, exclusions, conversions, synthesis.

Every queryset comes from the model's ``visible_to``; every write goes through a service.
"""

from flux.api.conversion import ConversionViewSet, SyntheseView
from flux.api.etat_des_lieux import ExclusionViewSet, ReservationStockViewSet
from flux.api.patrimoine import ImportViewSet, LogementViewSet

__all__ = [
    "ConversionViewSet",
    "ExclusionViewSet",
    "ImportViewSet",
    "LogementViewSet",
    "ReservationStockViewSet",
    "SyntheseView",
]
