"""The one place that answers "which organisations does this user act for"."""

from reservataires.models import ROLES_PAR_CAPACITE, Capacite, Membership, Organisation


def organisations_for(user, capacite: str = Capacite.LIRE):
    return Organisation.objects.acting_for(user, capacite)


def user_can(user, organisation, capacite: str) -> bool:
    """Whether ``user`` holds, in ``organisation`` itself, a role granting ``capacite``."""
    if not user.is_authenticated or not user.is_active or organisation is None or not organisation.actif:
        return False
    return Membership.objects.filter(
        user=user, organisation=organisation, role__in=ROLES_PAR_CAPACITE[capacite]
    ).exists()


def membership_of(user, organisation) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, organisation=organisation).select_related("organisation").first()


def federations_for(user):
    """Federations the user is a member of (they read the conventions of their adherents)."""
    return organisations_for(user).federations()
