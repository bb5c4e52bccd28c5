"""Factories of the review screens: conventions with EPCI objectives, flux results written directly
(the engine is another part), réservataire targets."""

from decimal import Decimal

from conventions.models import Convention, ConventionVersion, EtatVersion, Objectif, Statut
from flux.models import CalculFlux, FluxAllocation, FluxCellule, ModeCalcul, MotifAllocation
from territoires.models import EPCI


def epcis(departement="59", n=2) -> list[EPCI]:
    return list(EPCI.objects.filter(communes__departement_id=departement).distinct().order_by("nom")[:n])


def convention(bailleur, reservataire, objectifs: dict, *, departement="59", statut=Statut.SIGNEE, brouillon=None):
    """A convention with a version in force (signed) or transmitted, naming ``{epci: nombre}``;
    ``brouillon`` adds a later draft with other objectives, which must not count."""
    conv = Convention.objects.create(
        bailleur=bailleur, reservataire=reservataire, departement_id=departement, statut=statut
    )
    version = ConventionVersion.objects.create(
        convention=conv, numero=1, etat=EtatVersion.PROPOSEE, organisation=bailleur
    )
    for epci, nombre in objectifs.items():
        Objectif.objects.create(version=version, epci=epci, nombre=nombre)
    conv.version_courante = version
    if statut == Statut.SIGNEE:
        conv.version_en_vigueur = version
    conv.save()
    if brouillon:
        draft = ConventionVersion.objects.create(
            convention=conv, numero=2, etat=EtatVersion.BROUILLON, organisation=bailleur, base=version
        )
        for epci, nombre in brouillon.items():
            Objectif.objects.create(version=draft, epci=epci, nombre=nombre)
    return conv


def resultats(bailleur, annee, lignes, *, departement="59", mode=ModeCalcul.SIGNEES):
    """A run with one cell per EPCI; ``lignes`` is ``[(epci, flux, {reservataire_or_None: logements})]``."""
    calcul = CalculFlux.objects.create(annee=annee, bailleur=bailleur, mode=mode)
    for typologie, (epci, flux, parts) in enumerate(lignes, start=1):
        cellule = FluxCellule.objects.create(
            calcul=calcul, annee=annee, mode=mode, bailleur=bailleur, departement_id=departement, epci=epci,
            qpv=False, typologie=typologie, logements=flux * 10, taux_rotation_pct=Decimal("10"),
            source_rotation="defaut", relocations=Decimal(flux), flux=flux,
        )  # fmt: skip
        for reservataire, logements in parts.items():
            FluxAllocation.objects.create(
                cellule=cellule, calcul=calcul, annee=annee, mode=mode, bailleur=bailleur, epci=epci,
                qpv=False, typologie=typologie, reservataire=reservataire,
                motif=MotifAllocation.CONVENTION if reservataire else MotifAllocation.BAILLEUR,
                quota=Decimal(logements), logements=logements,
            )  # fmt: skip
    return calcul


def add_to(world) -> None:
    """Victim objects for the isolation matrix: results of a run and a réservataire's target (a year of
    their own so that other worlds' runs never collide)."""
    from flux.models import CibleReservataire

    epci = EPCI.objects.get(pk="200093201")
    calcul = resultats(world.bailleur, 2039, [(epci, 20, {world.reservataire: 5, None: 15})])
    world.add(calcul.cellules.get())
    for allocation in calcul.allocations.all():
        world.add(allocation)
    world.add(CibleReservataire.objects.create(reservataire=world.reservataire, epci=epci, annee=2039, nombre=9))
