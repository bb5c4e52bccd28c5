"""Writes on organisations and memberships. Each validates, writes and returns."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from reservataires.models import Capacite, Membership, Organisation, Role, User
from reservataires.selectors import user_can


def user_create(*, email: str, password: str | None = None, first_name: str = "", last_name: str = "") -> User:
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "Un compte existe déjà avec cette adresse électronique."})
    return User.objects.create_user(email=email, password=password, first_name=first_name, last_name=last_name)


@transaction.atomic
def membership_invite(
    *,
    organisation: Organisation,
    email: str,
    role: str,
    by: User,
    first_name: str = "",
    last_name: str = "",
    fonction: str = "",
    request=None,
) -> Membership:
    """Add a person to an organisation; a new account receives a link to choose its password."""
    if not user_can(by, organisation, Capacite.ADMINISTRER):
        raise PermissionDenied("Seul un administrateur de l'organisation peut ajouter des membres.")
    if role not in Role.values:
        raise ValidationError({"role": "Rôle inconnu."})
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if created:
        user = User.objects.create_user(email=email, password=None, first_name=first_name, last_name=last_name)
    elif Membership.objects.filter(user=user, organisation=organisation).exists():
        raise ValidationError({"email": "Cette personne est déjà membre de l'organisation."})
    membership = Membership.objects.create(user=user, organisation=organisation, role=role, fonction=fonction)
    if created:
        transaction.on_commit(lambda: _send_invitation(user=user, organisation=organisation, request=request))
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, by: User) -> None:
    organisation = membership.organisation
    if not user_can(by, organisation, Capacite.ADMINISTRER):
        raise PermissionDenied("Seul un administrateur de l'organisation peut retirer des membres.")
    admins = Membership.objects.select_for_update().filter(organisation=organisation, role=Role.ADMINISTRATEUR)
    if membership.role == Role.ADMINISTRATEUR and admins.count() <= 1:
        raise ValidationError("L'organisation doit garder au moins un administrateur.")
    membership.delete()


def _send_invitation(*, user: User, organisation: Organisation, request=None) -> None:
    """E-mail a new member a link to choose their password (the password-reset token)."""
    site = urlsplit(settings.SITE_URL)
    context = {
        "email": user.email,
        "organisation": organisation,
        "domain": request.get_host() if request else site.netloc,
        "protocol": ("https" if request.is_secure() else "http") if request else site.scheme,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }
    subject = render_to_string("registration/invitation_subject.txt", context).strip()
    body = render_to_string("registration/invitation_email.txt", context)
    send_mail(subject, body, None, [user.email])
