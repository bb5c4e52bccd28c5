"""Victim objects of the flux app for the isolation matrix (tests/test_isolation_matrix.py)."""

import datetime

from django.utils import timezone

from flux.models import Exclusion, Fondement, Logement, Methode, ReservationStock
from flux.services.conversion import conversion_calculer
from tests.isolation.world import MARKER


def add_to(world) -> None:
    now = timezone.now()
    logement = Logement.objects.create(
        bailleur=world.bailleur,
        rpls_id="0590000001",
        commune_id="59512",
        departement_id="59",
        epci_id="200093201",
        qpv=True,
        qpv_code="QN05912M",
        nb_pieces=3,
        typologie=3,
        financement="PLUS",
        code_financement="13",
        programme=f"Résidence {MARKER}",
        cree_le=now,
        modifie_le=now,
    )
    world.add(logement)
    reservation = ReservationStock.objects.create(
        bailleur=world.bailleur,
        reservataire=world.reservataire,
        departement_id="59",
        commune_id="59512",
        fondement=Fondement.ACTION_LOGEMENT,
        nb_logements=1,
        reference=f"REF-{MARKER}",
        commentaire=MARKER,
        date_fin=datetime.date(2040, 12, 31),
    )
    reservation.logements.set([logement])
    world.add(reservation)
    world.add(
        Exclusion.objects.create(
            bailleur=world.bailleur,
            departement_id="59",
            annee=datetime.date.today().year,
            categorie="mutation",
            nb_logements=3,
            commentaire=MARKER,
        )
    )
    conversion = conversion_calculer(
        bailleur=world.bailleur,
        perimetre="D:59",
        annee=datetime.date.today().year,
        methode=Methode.RATIO_SIMPLE,
        by=world.members["bailleur_redacteur"],
    )
    world.add(conversion)
    world.add(conversion.lignes.get())
