"""Victim reminder for the isolation matrix (reminders are listed on the preferences page)."""

from pilotage.models import Rappel, TypeRappel


def add_to(world) -> None:
    from conventions.models import Convention

    convention = Convention.objects.filter(bailleur=world.bailleur).first()
    world.add(
        Rappel.objects.create(
            user=world.members["reservataire_redacteur"], convention=convention, type=TypeRappel.APPROBATION, cle="v0"
        )
    )
