import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from reservataires import services
from reservataires.models import Membership, Role, User
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_bailleur(bailleur):
    return factories.member(bailleur, Role.ADMINISTRATEUR, email="admin@habitat-alice.fr")


def test_an_administrator_invites_a_new_person_who_receives_a_french_link(
    admin_bailleur, bailleur, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        membership = services.membership_invite(
            organisation=bailleur, email="Nouvelle@Habitat-Alice.fr", role=Role.LECTEUR, by=admin_bailleur
        )
    assert membership.user.email == "nouvelle@habitat-alice.fr"
    assert not membership.user.has_usable_password()
    assert len(mail.outbox) == 1
    assert "Votre accès à Flux réservations" in mail.outbox[0].subject
    assert "Habitat Alice" in mail.outbox[0].body


def test_a_redacteur_cannot_invite(alice, bailleur):
    with pytest.raises(PermissionDenied):
        services.membership_invite(organisation=bailleur, email="x@y.fr", role=Role.LECTEUR, by=alice)
    assert not User.objects.filter(email="x@y.fr").exists()


def test_inviting_an_existing_member_twice_is_refused(admin_bailleur, alice, bailleur):
    with pytest.raises(ValidationError) as exc:
        services.membership_invite(organisation=bailleur, email=alice.email, role=Role.LECTEUR, by=admin_bailleur)
    assert "déjà membre" in str(exc.value)


def test_an_existing_account_joins_a_second_organisation(admin_bailleur, charlie, bailleur):
    services.membership_invite(organisation=bailleur, email=charlie.email, role=Role.LECTEUR, by=admin_bailleur)
    assert Membership.objects.filter(user=charlie).count() == 2


def test_the_last_administrator_cannot_be_removed(admin_bailleur, bailleur):
    membership = Membership.objects.get(user=admin_bailleur, organisation=bailleur)
    with pytest.raises(ValidationError):
        services.membership_remove(membership=membership, by=admin_bailleur)
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_the_invite_form_shows_french_errors_and_keeps_input(client_for, admin_bailleur, alice, bailleur):
    response = client_for(admin_bailleur).post(
        reverse("reservataires:organisation_detail", args=[bailleur.pk]),
        {"email": alice.email, "role": Role.LECTEUR, "first_name": "Alice"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Cette personne est déjà membre de l&#x27;organisation." in content
    assert 'value="Alice"' in content


def test_a_non_administrator_posting_the_invite_form_is_refused(client_for, alice, bailleur):
    response = client_for(alice).post(
        reverse("reservataires:organisation_detail", args=[bailleur.pk]), {"email": "z@z.fr", "role": Role.LECTEUR}
    )
    assert response.status_code == 403
    assert not User.objects.filter(email="z@z.fr").exists()


def test_an_outsider_cannot_remove_members_of_another_organisation(client_for, charlie, alice, bailleur):
    membership = Membership.objects.get(user=alice)
    response = client_for(charlie).post(reverse("reservataires:membership_remove", args=[bailleur.pk, membership.pk]))
    assert response.status_code == 404
    assert Membership.objects.filter(pk=membership.pk).exists()
