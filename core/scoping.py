"""Tenant scoping helpers.

Every model holding tenant data exposes ``Model.objects.visible_to(user, action=...)``:
the single entry point every view, viewset and form-field queryset goes through.
Single objects are fetched with ``get_visible_or_404`` so that "missing" and "not yours"
answer the same 404.
"""

from django.http import Http404
from rest_framework import viewsets


def visible(model, user, action: str = "view"):
    return model.objects.visible_to(user, action=action)


def get_visible_or_404(model, user, action: str = "view", **lookup):
    try:
        return visible(model, user, action).get(**lookup)
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(f"Aucun objet « {model._meta.verbose_name} » accessible ne correspond.") from exc


class ScopedViewSetMixin:
    """DRF viewsets: the queryset always comes from the model's visible_to()."""

    scoped_model = None
    scope_action = "view"

    def get_queryset(self):
        qs = visible(self.scoped_model, self.request.user, self.scope_action)
        return self.refine_queryset(qs)

    def refine_queryset(self, qs):
        return qs


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


def scoped(*models):
    """Declare which models a view's URL kwargs designate (``pk`` → first model,
    ``<model_name>_pk`` → the model of that name).

    The tenant-isolation matrix (tests/test_isolation_matrix.py) reads this to request every
    URL with another organisation's objects; DRF viewsets declare ``scoped_model`` instead.
    """

    def decorate(view):
        view.scoped_models = models
        return view

    return decorate
