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


def orientation(convention, lgt, annee, *, reservataire=None, impute=True, mois=3, epci_id="200093201", **extra):
    return Orientation.objects.create(
        bailleur=convention.bailleur,
        logement=lgt,
        nature=NatureDisponibilite.RELOCATION,
        date_disponibilite=datetime.date(annee, mois, 1),
        annee=annee,
        departement_id="59",
        epci_id=epci_id,
        commune_id="59512",
        qpv=lgt.qpv,
        typologie=lgt.typologie,
        financement=lgt.financement,
        reservataire=reservataire or convention.reservataire,
        convention=convention,
        impute=impute,
        source=SourceDeclaration.NAVIGATEUR,
        **extra,
    )


def attribuer(o, decision="attribution", *, q1=False, dalo=False, prioritaire=False):
    from flux.models.orientation import Attribution

    return Attribution.objects.create(
        orientation=o,
        decision=decision,
        date_caleol=datetime.date(o.annee, 6, 1),
        premier_quartile=q1,
        dalo=dalo,
        prioritaire=prioritaire,
    )


def allocation(convention, annee, logements, *, epci_id="200093201", typologie=3, qpv=False):
    """One allocation en vigueur for the convention (the engine is not run)."""
    from decimal import Decimal

    from flux.models import CalculFlux, FluxAllocation, FluxCellule, ModeCalcul, MotifAllocation

    b = convention.bailleur
    calcul = CalculFlux.objects.filter(annee=annee, bailleur=b, mode=ModeCalcul.SIGNEES).first()
    calcul = calcul or CalculFlux.objects.create(annee=annee, bailleur=b, mode=ModeCalcul.SIGNEES)
    cellule = FluxCellule.objects.create(
        calcul=calcul, annee=annee, mode=ModeCalcul.SIGNEES, bailleur=b, departement_id="59", epci_id=epci_id,
        qpv=qpv, typologie=typologie, logements=logements * 10, taux_rotation_pct=Decimal("10"),
        source_rotation="configure", relocations=Decimal(logements), flux=logements,
    )  # fmt: skip
    return FluxAllocation.objects.create(
        cellule=cellule, calcul=calcul, annee=annee, mode=ModeCalcul.SIGNEES, bailleur=b, epci_id=epci_id, qpv=qpv,
        typologie=typologie, reservataire=convention.reservataire, convention=convention,
        motif=MotifAllocation.CONVENTION, quota=Decimal(logements), logements=logements,
    )  # fmt: skip


def jeu(convention, annee=2025):
    """A year of a convention: 3 imputed orientations (2 attributed, one to a DALO household), 1 returned."""
    b = convention.bailleur
    base = f"05977{convention.pk % 100:02d}"
    o1 = orientation(convention, logement(b, f"{base}001", qpv=False, typologie=2), annee, annee_construction=1968)
    o2 = orientation(convention, logement(b, f"{base}002", qpv=True, typologie=3), annee, annee_construction=1995)
    orientation(convention, logement(b, f"{base}003", qpv=False, typologie=4), annee)
    orientation(
        convention, logement(b, f"{base}004", qpv=True, typologie=3), annee, impute=False,
        remis_le=datetime.datetime(annee, 5, 2, tzinfo=datetime.UTC), regle_appliquee="compense", statut="remis",
    )  # fmt: skip
    attribuer(o1, q1=True, dalo=True)
    attribuer(o2)
    return convention


def add_to(world) -> None:
    """Victim bilan for the isolation matrix (a year of its own)."""
    from conventions.models import Convention
    from flux.models.orientation import Bilan
    from tests.isolation.world import MARKER

    convention = Convention.objects.filter(bailleur=world.bailleur, reservataire=world.reservataire).first()
    if convention is None:
        convention = Convention.objects.create(
            bailleur=world.bailleur, reservataire=world.reservataire, departement_id="59"
        )
    world.add(
        Bilan.objects.create(
            convention=convention,
            annee=2038,
            objectif=5,
            realise=3,
            ecart=-2,
            donnees={"ventilations": {"commune": [{"code": "59512", "valeur": MARKER, "proposes": 3}]}},
        )
    )
