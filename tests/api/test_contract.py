"""API contract fuzzing: schemathesis generates requests from the OpenAPI schema itself.

Every operation of /api/schema/ is exercised (new endpoints are covered automatically) as an
authenticated member of a bailleur that has real data around it. The contract: never a 5xx,
responses conform to the schema, and a 400 speaks French.
"""

import json

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from reservataires.models import Role
from tests import factories

ENGLISH_FRAGMENTS = (
    "This field",
    "This value",
    "Enter a valid",
    "Ensure this",
    "is not a valid",
    "A valid",
    "Invalid",
    "Not found",
    "must be",
    "Expected a",
)


# Loaded at collection: the schema view needs no database.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


@pytest.fixture
def token(db, bailleur, als, prefet):
    # As Django's test client does: the WSGI handler must not close the test's connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    user = factories.member(bailleur, Role.REDACTEUR, email="fuzz@habitat-alice.fr")
    factories.member(als, Role.LECTEUR, email="fuzz-als@als.fr")
    yield Token.objects.get_or_create(user=user)[0].key
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def bad_requests_speak_french(ctx, response, case):
    if response.status_code != 400:
        return None
    text = json.dumps(response.json(), ensure_ascii=False)
    for fragment in ENGLISH_FRAGMENTS:
        assert fragment not in text, f"Message d'erreur en anglais pour {case.method} {case.path} : {text}"
    return None


def never_a_server_error(ctx, response, case):
    assert response.status_code < 500, f"{case.method} {case.path} → {response.status_code}"
    return None


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_honours_its_contract(case, token):
    response = case.call(headers={"Authorization": f"Token {token}"})
    case.validate_response(
        response,
        checks=[never_a_server_error, status_code_conformance, response_schema_conformance, bad_requests_speak_french],
    )
