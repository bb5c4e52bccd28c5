import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "mot-de-passe-de-test"


def test_login_page_is_in_french(client):
    content = client.get(reverse("login")).content.decode()
    assert "Connexion" in content
    assert "Adresse électronique" in content
    assert "Mot de passe oublié" in content


def test_a_user_logs_in_with_email_and_password(client, alice):
    response = client.post(reverse("login"), {"username": alice.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_a_wrong_password_gets_a_french_message(client, alice):
    response = client.post(reverse("login"), {"username": alice.email, "password": "faux"})
    assert "Adresse électronique ou mot de passe incorrect." in response.content.decode()


def test_login_is_throttled_after_repeated_failures(client, alice):
    for _ in range(5):
        client.post(reverse("login"), {"username": alice.email, "password": "faux"})
    response = client.post(reverse("login"), {"username": alice.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Trop de tentatives de connexion" in response.content.decode()


def test_password_reset_sends_a_french_email(client, alice):
    response = client.post(reverse("password_reset"), {"email": alice.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "Réinitialisation de votre mot de passe" in mail.outbox[0].subject
    assert "/comptes/reinitialisation/" in mail.outbox[0].body


def test_logout_is_a_post_and_returns_to_login(client_for, alice):
    client = client_for(alice)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_api_token_is_issued_for_valid_credentials_only(client, alice):
    ok = client.post(reverse("api-token"), {"username": alice.email, "password": PASSWORD})
    assert ok.status_code == 200
    assert len(ok.json()["token"]) == 40
    bad = client.post(reverse("api-token"), {"username": alice.email, "password": "faux"})
    assert bad.status_code == 400
    assert "Impossible de se connecter" in str(bad.json())


def test_a_form_posted_without_its_csrf_token_is_refused_in_french(alice):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post(reverse("logout"))
    assert response.status_code == 403
    assert "protection CSRF" in response.content.decode()
    # Still logged in: nothing happened.
    assert client.get(reverse("home")).status_code == 200


def test_the_api_with_a_session_requires_the_csrf_token_too(alice):
    from rest_framework.test import APIClient

    api = APIClient(enforce_csrf_checks=True)
    api.force_login(alice)
    response = api.post("/api/v1/moi/", {})
    assert response.status_code == 403
    assert "Jeton CSRF absent ou invalide" in response.json()["detail"]
