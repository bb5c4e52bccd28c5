"""Factories for the orientation tests: allocations written directly (no engine) and dwellings."""

import itertools
from decimal import Decimal

from django.utils import timezone

from flux.models import CalculFlux, FluxAllocation, FluxCellule, Logement, ModeCalcul, MotifAllocation

EPCI_LILLE = "200093201"
_rpls = itertools.count(1)


def logement(bailleur, *, qpv=True, typologie=3, epci=EPCI_LILLE, rpls_id=None) -> Logement:
    now = timezone.now()
    return Logement.objects.create(
        bailleur=bailleur,
        rpls_id=rpls_id or f"059{next(_rpls):07d}",
        commune_id="59512",
        departement_id="59",
        epci_id=epci,
        qpv=qpv,
        nb_pieces=typologie,
        typologie=typologie,
        financement="PLUS",
        cree_le=now,
        modifie_le=now,
    )


def allocations(bailleur, annee, parts: dict, *, qpv=True, typologie=3, epci=EPCI_LILLE) -> FluxCellule:
    """``parts``: {réservataire or None (own share): dwellings allocated} for one cell."""
    calcul = CalculFlux.objects.filter(annee=annee, bailleur=bailleur, mode=ModeCalcul.SIGNEES).first()
    calcul = calcul or CalculFlux.objects.create(annee=annee, bailleur=bailleur, mode=ModeCalcul.SIGNEES)
    total = sum(parts.values())
    cellule = FluxCellule.objects.create(
        calcul=calcul,
        annee=annee,
        mode=ModeCalcul.SIGNEES,
        bailleur=bailleur,
        departement_id="59",
        epci_id=epci,
        qpv=qpv,
        typologie=typologie,
        logements=total * 10,
        taux_rotation_pct=Decimal("10"),
        source_rotation="configure",
        relocations=Decimal(total),
        flux=total,
    )
    for reservataire, n in parts.items():
        FluxAllocation.objects.create(
            cellule=cellule,
            calcul=calcul,
            annee=annee,
            mode=ModeCalcul.SIGNEES,
            bailleur=bailleur,
            epci_id=epci,
            qpv=qpv,
            typologie=typologie,
            reservataire=reservataire,
            motif=MotifAllocation.BAILLEUR if reservataire is None else MotifAllocation.CONVENTION,
            quota=Decimal(n),
            logements=n,
        )
    return cellule


def add_to(world) -> None:
    """Victim orientation for the isolation matrix: a dwelling of the bailleur oriented to its réservataire, with
    candidates (the orientation pages and API actions: detail, candidats, attribution)."""
    import datetime

    from flux.models import Orientation, PropositionCandidats, SourceDeclaration
    from tests.isolation.world import MARKER

    lgt = logement(world.bailleur, rpls_id="0599900001")
    orientation = world.add(
        Orientation.objects.create(
            bailleur=world.bailleur,
            logement=lgt,
            nature="relocation",
            date_disponibilite=datetime.date(2026, 3, 2),
            annee=2026,
            departement_id="59",
            epci_id=EPCI_LILLE,
            commune_id="59512",
            qpv=True,
            typologie=3,
            financement="PLUS",
            reservataire_propose=world.reservataire,
            reservataire=world.reservataire,
            motif_derogation=MARKER,
            source=SourceDeclaration.NAVIGATEUR,
        )
    )
    # Its candidates (shown on the detail, candidates and pending pages): a leak would show the marker.
    world.add(
        PropositionCandidats.objects.create(
            orientation=orientation, reservataire=world.reservataire, nb_candidats=3, references=MARKER
        )
    )
