"""Shared fixtures: the real geography, named personas, a real Celery worker on Redis.

Personas (as in healthchecks' alice/bob/charlie):
- ``alice``: rédactrice at the bailleur "Habitat Alice" (Nord), adherent of the URH;
- ``bob``: rédacteur at Action Logement Services (the réservataire facing alice);
- ``fede``: reader at the URH Hauts-de-France, alice's federation;
- ``charlie``: rédacteur at another bailleur, "Habitat Charlie": the outsider.
"""

import pytest
from django.core.cache import cache

from reservataires.models import Role
from territoires import geodata
from tests import factories


def pytest_configure(config):
    import tempfile
    from pathlib import Path

    from django.conf import settings

    # Hashing passwords properly costs ~0.2 s per user; tests create hundreds of them.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Uploaded and generated files, and the platform's certificate authority, never go to var/.
    scratch = Path(tempfile.mkdtemp(prefix="flux-tests-"))
    settings.MEDIA_ROOT = scratch / "media"
    settings.PKI_DIR = scratch / "pki"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the full official geography once into the test database."""
    with django_db_blocker.unblock():
        geodata.load()


@pytest.fixture
def geography(transactional_db):
    """For transactional tests: the flush after each such test empties the referential."""
    if not geodata.is_loaded():
        geodata.load()


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield


@pytest.fixture
def federation(db):
    return factories.FederationFactory(nom="URH Hauts-de-France (test)")


@pytest.fixture
def bailleur(federation):
    return factories.BailleurFactory(nom="Habitat Alice", federation=federation)


@pytest.fixture
def als(db):
    return factories.ALSFactory(nom="Action Logement Services HdF (test)")


@pytest.fixture
def prefet(db):
    return factories.PrefetFactory(nom="Préfet du Nord (test)")


@pytest.fixture
def autre_bailleur(db):
    return factories.BailleurFactory(nom="Habitat Charlie")


@pytest.fixture
def alice(bailleur):
    return factories.member(bailleur, Role.REDACTEUR, email="alice@habitat-alice.fr", first_name="Alice")


@pytest.fixture
def bob(als):
    return factories.member(als, Role.REDACTEUR, email="bob@als.fr", first_name="Bob")


@pytest.fixture
def fede(federation):
    return factories.member(federation, Role.LECTEUR, email="fede@urh.fr", first_name="Fédé")


@pytest.fixture
def charlie(autre_bailleur):
    return factories.member(autre_bailleur, Role.REDACTEUR, email="charlie@habitat-charlie.fr", first_name="Charlie")


@pytest.fixture
def client_for(client):
    """``client_for(user)``: the Django test client, logged in as ``user``."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def api_client_for():
    """``api_client_for(user)``: a DRF client authenticated with the user's API token."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    def _make(user):
        token, _ = Token.objects.get_or_create(user=user)
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return api

    return _make


@pytest.fixture
def celery_worker_redis(transactional_db, geography):
    """A real Celery worker thread consuming from the Redis broker of the test run.

    Tests using it run in transactional mode: the worker has its own database
    connection and only sees committed data.
    """
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    app.conf.task_always_eager = False
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING", shutdown_timeout=30) as worker:
        yield worker
