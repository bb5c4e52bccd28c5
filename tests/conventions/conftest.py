import pytest

from reservataires.models import Role
from tests import factories


@pytest.fixture
def alice_signataire(bailleur):
    return factories.member(bailleur, Role.SIGNATAIRE, email="signataire@habitat-alice.fr", first_name="Hélène")


@pytest.fixture
def alice_admin(bailleur):
    return factories.member(bailleur, Role.ADMINISTRATEUR, email="admin@habitat-alice.fr")


@pytest.fixture
def alice_lectrice(bailleur):
    return factories.member(bailleur, Role.LECTEUR, email="lectrice@habitat-alice.fr")


@pytest.fixture
def bob_signataire(als):
    return factories.member(als, Role.SIGNATAIRE, email="signataire@als.fr", first_name="Marc")


@pytest.fixture
def bob_admin(als):
    return factories.member(als, Role.ADMINISTRATEUR, email="admin@als.fr")


@pytest.fixture
def paul(prefet):
    """Rédacteur at the préfecture."""
    return factories.member(prefet, Role.REDACTEUR, email="paul@prefecture.fr", first_name="Paul")
