"""Writes of the review screens: a réservataire's own annual target per EPCI."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from core.concurrency import ConflictError
from flux.models import CibleReservataire
from reservataires.models import Capacite, Organisation
from territoires.models import EPCI

CONFLIT = (
    "Quelqu'un a modifié cet objectif entre-temps : votre saisie n'a pas été enregistrée. "
    "Rechargez la page pour voir la valeur actuelle."
)


def cible_enregistrer(*, user, reservataire: Organisation, epci_id: str, annee: int, nombre, attendu: str):
    """Create or update the target; ``attendu`` is the ``modifie_le`` the editor saw ("" if none).

    Raises PermissionDenied (not a rédacteur/administrateur of the réservataire), ValidationError
    (bad input) or ConflictError (the row changed since the page was loaded)."""
    if not Organisation.objects.acting_for(user, Capacite.REDIGER).filter(pk=reservataire.pk).exists():
        raise PermissionDenied("Seuls les rédacteurs et administrateurs du réservataire modifient ses objectifs.")
    try:
        nombre = int(str(nombre).strip())
    except (TypeError, ValueError):
        raise ValidationError({"nombre": "Indiquez un nombre entier de logements."}) from None
    if nombre < 0 or nombre > 1_000_000:
        raise ValidationError({"nombre": "L'objectif doit être compris entre 0 et 1 000 000 logements."})
    if not (2000 <= annee <= 2100):
        raise ValidationError({"annee": "Année invalide."})
    if not EPCI.objects.filter(pk=epci_id).exists():
        raise ValidationError({"epci": "EPCI inconnu."})
    with transaction.atomic():
        cible = (
            CibleReservataire.objects.select_for_update()
            .filter(reservataire=reservataire, epci_id=epci_id, annee=annee)
            .first()
        )
        if cible is None:
            if attendu:
                raise ConflictError(CONFLIT)
            try:
                with transaction.atomic():
                    return CibleReservataire.objects.create(
                        reservataire=reservataire, epci_id=epci_id, annee=annee, nombre=nombre
                    )
            except IntegrityError:
                raise ConflictError(CONFLIT) from None
        if attendu != cible.modifie_le.isoformat():
            raise ConflictError(CONFLIT)
        cible.nombre = nombre
        cible.save(update_fields=["nombre", "modifie_le"])
        return cible
