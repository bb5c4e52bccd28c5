"""Shared pieces of the flux API: French parse errors, a field for visible bailleurs."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, MultiPartParser

from flux import selectors


class JSONFrancais(JSONParser):
    """DRF's parse errors quote the decoder in English: answer in French."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except ParseError:
            raise ParseError("Corps JSON illisible : envoyez un objet JSON valide (UTF-8).") from None


class MultiPartFrancais(MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except ParseError:
            raise ParseError(
                "Formulaire multipart/form-data illisible : envoyez le fichier dans un formulaire valide."
            ) from None


@extend_schema_field(OpenApiTypes.INT)
class BailleurVisibleField(serializers.PrimaryKeyRelatedField):
    """A bailleur the requesting user may read (rights to write are checked by the service)."""

    def get_queryset(self):
        return selectors.bailleurs_visibles(self.context["request"].user)
