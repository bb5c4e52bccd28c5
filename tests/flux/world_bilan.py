"""Factories for the bilan tests: orientations written directly (the orientation flow is not used)."""

import datetime

from django.utils import timezone

from flux.models import Logement
from flux.models.orientation import NatureDisponibilite, Orientation, SourceDeclaration


def logement(bailleur, rpls_id="0590000101", *, qpv=True, typologie=3, financement="PLUS"):
    now = timezone.now()
    return Logement.objects.create(
        bailleur=bailleur,
        rpls_id=rpls_id,
        commune_id="59512",
        departement_id="59",
        epci_id="200093201",
        qpv=qpv,
        qpv_code="QN05912M" if qpv else "",
        nb_pieces=typologie,
        typologie=typologie,
        financement=financement,
        code_financement="13",
        programme="Résidence Bilan",
        cree_le=now,
        modifie_le=now,
    )


def orientation(convention, lgt, annee, *, reservataire=None, impute=True, mois=3):
    return Orientation.objects.create(
        bailleur=convention.bailleur,
        logement=lgt,
        nature=NatureDisponibilite.RELOCATION,
        date_disponibilite=datetime.date(annee, mois, 1),
        annee=annee,
        departement_id="59",
        epci_id="200093201",
        commune_id="59512",
        qpv=lgt.qpv,
        typologie=lgt.typologie,
        financement=lgt.financement,
        reservataire=reservataire or convention.reservataire,
        convention=convention,
        impute=impute,
        source=SourceDeclaration.NAVIGATEUR,
    )
