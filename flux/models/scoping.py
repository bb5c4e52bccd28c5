"""Who sees a bailleur's flux data: one rule, shared by every flux model.

- ``view``: members of the bailleur, and members of its federation (read only);
- ``edit``: members of the bailleur whose role grants ``Capacite.REDIGER``.
The état des lieux adds the réservataire party (see ReservationStockQuerySet).
"""

from django.db import models
from django.db.models import Q

from reservataires.models import Capacite, Organisation


def bailleur_scope(user, action: str, field: str = "bailleur") -> Q | None:
    """The filter restricting rows to what ``user`` may see, or None for nothing at all."""
    if not user.is_authenticated or not user.is_active:
        return None
    if action == "view":
        mine = Organisation.objects.acting_for(user).values("pk")
        return Q(**{f"{field}__in": mine}) | Q(**{f"{field}__federation__in": mine})
    if action == "edit":
        writable = Organisation.objects.acting_for(user, Capacite.REDIGER).values("pk")
        return Q(**{f"{field}__in": writable})
    raise ValueError(f"action inconnue : {action}")


class BailleurScopedQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = "view"):
        scope = bailleur_scope(user, action)
        return self.none() if scope is None else self.filter(scope)
