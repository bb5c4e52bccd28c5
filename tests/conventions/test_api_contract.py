"""Contract of the conventions API on real objects.

tests/api/test_contract.py fuzzes every operation as a user with no convention, so nested routes only
ever answer 404 there. Here schemathesis generates the requests of the conventions operations and the
path parameters point at a real convention in negotiation, the fuzzing user's own draft, its comment:
the bodies reach the services. The contract is the same: never a 5xx, documented codes, bodies that
conform to the schema, 400 messages in French.
"""

from decimal import Decimal

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from conventions import services
from reservataires.models import Role
from tests import factories
from tests.api.test_contract import bad_requests_speak_french, never_a_server_error
from tests.conventions import factories as conv

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application()).include(
    path_regex=r"^/api/v1/conventions/"
)


@pytest.fixture
def objets(db, bailleur, als):
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    redacteur = factories.member(bailleur, Role.REDACTEUR, email="fuzz-conv@habitat-alice.fr")
    partenaire = factories.member(als, Role.REDACTEUR, email="fuzz-conv@als.fr")
    convention = conv.transmise(
        bailleur, als, redacteur, terms={"nombre_annuel": 10}, objectifs=[{"epci": "200093201", "nombre": 10}]
    )
    services.comment_add(convention=convention, by=partenaire, texte="À revoir", cible="terme:part_flux_pct")
    conv.contre_proposition(convention, partenaire, part_flux_pct=Decimal(20))
    draft = services.version_draft_start(convention=convention, by=redacteur)
    yield {
        "token": Token.objects.get_or_create(user=redacteur)[0].key,
        "convention": convention.pk,
        "version": draft.pk,
        "commentaire": convention.commentaires.first().pk,
    }
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=10, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_the_conventions_api_honours_its_contract_on_real_objects(case, objets):
    params = case.path_parameters or {}
    if "convention_pk" in params:
        params["convention_pk"] = objets["convention"]
        if "id" in params:
            params["id"] = objets["commentaire"] if "/commentaires/" in case.path else objets["version"]
    elif "id" in params:
        params["id"] = objets["convention"]
    response = case.call(headers={"Authorization": f"Token {objets['token']}"})
    case.validate_response(
        response,
        checks=[never_a_server_error, status_code_conformance, response_schema_conformance, bad_requests_speak_french],
    )
