from django.http import Http404

from core.scoping import get_visible_or_404
from reservataires.models import Capacite, Organisation
from reservataires.selectors import user_can


def bailleur_ou_404(request, pk) -> Organisation:
    """A bailleur the user may read (its members, its federation): 404 for anybody else."""
    bailleur = get_visible_or_404(Organisation, request.user, pk=pk)
    if not bailleur.est_bailleur:
        raise Http404("Ce n'est pas un bailleur.")
    return bailleur


def peut_rediger(request, bailleur) -> bool:
    return user_can(request.user, bailleur, Capacite.REDIGER)
