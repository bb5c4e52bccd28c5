"""Victim document to sign for the isolation matrix (its PDF preview and download)."""

from conventions import documents, signature
from conventions.models import DocumentConvention
from reservataires.models import Role
from tests import factories
from tests.conventions import factories as conv


def add_to(world) -> None:
    redac = world.members["bailleur_redacteur"]
    autre = factories.ALSFactory(nom="Action Logement VICTIME signature")
    convention = conv.validee(world.bailleur, autre, redac, factories.member(autre, Role.REDACTEUR))
    document = signature.convention_start_signature(convention=convention, by=redac)
    documents.document_produce(document.pk)
    world.add(DocumentConvention.objects.get(pk=document.pk))
