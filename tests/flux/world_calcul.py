"""Victim objects of the annual flux runs for the isolation matrix."""

from flux.models import CalculFlux, ModeCalcul


def add_to(world) -> None:
    world.add(CalculFlux.objects.create(annee=2038, bailleur=world.bailleur, mode=ModeCalcul.SIGNEES))
