import pytest
from django.urls import reverse
from guardian.shortcuts import assign_perm

from core.scoping import get_visible_or_404
from reservataires.models import Capacite, Organisation, Role
from reservataires.selectors import organisations_for, user_can
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_member_sees_only_their_own_organisation(alice, bailleur, autre_bailleur):
    visible = Organisation.objects.visible_to(alice)
    assert bailleur in visible
    assert autre_bailleur not in visible


def test_a_federation_reads_its_adherent_bailleurs_and_no_other(fede, federation, bailleur, autre_bailleur):
    visible = Organisation.objects.visible_to(fede)
    assert set(visible) == {federation, bailleur}


def test_the_directory_lists_bailleurs_and_reservataires_but_not_federations(alice, als, federation):
    annuaire = Organisation.objects.visible_to(alice, action="annuaire")
    assert als in annuaire
    assert federation not in annuaire


def test_anonymous_and_inactive_users_see_nothing(django_user_model, bailleur):
    from django.contrib.auth.models import AnonymousUser

    assert not Organisation.objects.visible_to(AnonymousUser()).exists()
    inactive = factories.member(bailleur, Role.ADMINISTRATEUR, is_active=False)
    assert not Organisation.objects.visible_to(inactive).exists()


def test_an_inactive_organisation_grants_nothing(alice, bailleur):
    bailleur.actif = False
    bailleur.save()
    assert not organisations_for(alice).exists()
    assert not user_can(alice, bailleur, Capacite.LIRE)


def test_roles_grant_the_capabilities_of_the_role_table(bailleur):
    lecteur = factories.member(bailleur, Role.LECTEUR)
    signataire = factories.member(bailleur, Role.SIGNATAIRE)
    admin = factories.member(bailleur, Role.ADMINISTRATEUR)
    assert user_can(lecteur, bailleur, Capacite.LIRE)
    assert not user_can(lecteur, bailleur, Capacite.REDIGER)
    assert user_can(signataire, bailleur, Capacite.SIGNER)
    assert not user_can(signataire, bailleur, Capacite.REDIGER)
    assert user_can(admin, bailleur, Capacite.ADMINISTRER)
    assert not user_can(admin, bailleur, Capacite.SIGNER)


def test_missing_and_foreign_objects_answer_the_same_404(alice, autre_bailleur):
    from django.http import Http404

    with pytest.raises(Http404):
        get_visible_or_404(Organisation, alice, pk=autre_bailleur.pk)
    with pytest.raises(Http404):
        get_visible_or_404(Organisation, alice, pk=999_999)
    with pytest.raises(Http404):
        get_visible_or_404(Organisation, alice, pk="pas-un-nombre")


def test_outsider_gets_404_on_another_organisation_page(client_for, charlie, bailleur):
    response = client_for(charlie).get(reverse("reservataires:organisation_detail", args=[bailleur.pk]))
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_member_and_federation_open_the_organisation_page(client_for, alice, fede, bailleur):
    assert client_for(alice).get(reverse("reservataires:organisation_detail", args=[bailleur.pk])).status_code == 200
    assert client_for(fede).get(reverse("reservataires:organisation_detail", args=[bailleur.pk])).status_code == 200


def test_anonymous_is_sent_to_the_login_page(client, bailleur):
    response = client.get(reverse("reservataires:organisation_detail", args=[bailleur.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_api_lists_only_visible_organisations(api_client_for, alice, charlie, bailleur, autre_bailleur):
    data = api_client_for(alice).get("/api/v1/organisations/").json()
    assert [o["nom"] for o in data["results"]] == [bailleur.nom]
    assert api_client_for(alice).get(f"/api/v1/organisations/{autre_bailleur.pk}/").status_code == 404


def test_api_rejects_anonymous_requests(client, bailleur):
    assert client.get("/api/v1/organisations/").status_code in (401, 403)


def test_api_me_describes_the_user_and_their_roles(api_client_for, alice, bailleur):
    data = api_client_for(alice).get("/api/v1/moi/").json()
    assert data["email"] == alice.email
    assert len(data["memberships"]) == 1
    assert data["memberships"][0]["role"] == "redacteur"
    assert data["memberships"][0]["organisation"]["nom"] == bailleur.nom
    assert data["memberships"][0]["organisation"]["famille"] == "bailleur"


def test_guardian_is_wired_for_object_permissions(alice, autre_bailleur):
    assert not alice.has_perm("reservataires.view_organisation", autre_bailleur)
    assign_perm("reservataires.view_organisation", alice, autre_bailleur)
    assert alice.has_perm("reservataires.view_organisation", autre_bailleur)
