"""Victim conventions for the isolation matrix: one in negotiation with its versions, a comment, the journal."""

from conventions import services
from conventions.models import Annexe, Commentaire, ConventionVersion, Evenement
from tests.conventions import factories as conv


def add_to(world) -> None:
    redac = world.members["bailleur_redacteur"]
    other = world.members["reservataire_redacteur"]
    convention = conv.transmise(
        world.bailleur, world.reservataire, redac, annexes=[{"titre": "Annexe VICTIME", "texte": "État des lieux"}]
    )
    services.comment_add(convention=convention, by=other, texte="Commentaire VICTIME", cible="terme:part_flux_pct")
    world.add(convention)
    world.add(convention.version_courante)
    world.add(Commentaire.objects.filter(convention=convention).first())
    world.add(Evenement.objects.filter(convention=convention).first())
    world.add(Annexe.objects.filter(version__convention=convention).first())
    assert ConventionVersion.objects.filter(convention=convention).exists()
