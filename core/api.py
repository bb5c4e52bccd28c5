"""Shared REST API pieces: pagination and an exception handler speaking French."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, pagination
from rest_framework.views import exception_handler as drf_exception_handler

from core.concurrency import ConflictError


class Pagination(pagination.PageNumberPagination):
    page_size_query_param = "taille"
    max_page_size = 500


class Conflict(exceptions.APIException):
    status_code = 409
    default_detail = "Ces données ont été modifiées entre-temps par quelqu'un d'autre."
    default_code = "conflit"


def exception_handler(exc, context):
    """Map service-layer errors to clean 4xx answers, never a 500."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "message_dict"):
            exc = exceptions.ValidationError(exc.message_dict)
        else:
            exc = exceptions.ValidationError({"detail": exc.messages})
    elif isinstance(exc, ConflictError):
        exc = Conflict(str(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound("Introuvable.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)


ERROR_RESPONSES = {
    "400": "Données invalides : le corps détaille chaque champ refusé, en français.",
    "401": "Authentification requise (en-tête Authorization: Token <jeton>).",
    "403": "Action non permise pour votre rôle.",
    "404": "Introuvable, ou hors du périmètre de vos organisations.",
    "429": "Trop de requêtes : réessayez plus tard.",
}
UNSAFE_ERROR_RESPONSES = {
    "409": "Conflit : ces données ont été modifiées entre-temps ; rechargez puis recommencez.",
}


def add_error_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: document the error answers every operation can give.

    The API contract test (schemathesis) checks that every status code received is documented.
    """
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Erreur"] = {
        "type": "object",
        "description": "Erreur : `detail` pour un message global, sinon un message (ou une liste) par champ.",
        # A service ValidationError without fields gives the list of its messages (exception_handler above).
        "properties": {
            "detail": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
        },
        "additionalProperties": True,
    }
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Erreur"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            wanted = dict(ERROR_RESPONSES)
            if method.lower() in {"post", "put", "patch", "delete"}:
                wanted.update(UNSAFE_ERROR_RESPONSES)
            for code, description in wanted.items():
                operation["responses"].setdefault(code, {"description": description, "content": content})
    return result
