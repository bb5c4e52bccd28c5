"""Bilan annuel per convention and year (CCH R.441-5-1), due before 28 February of the next year.

Objective: sum of the year's FluxAllocation ``en_vigueur`` rows for the convention, plus the
carry-over from the previous year's Bilan. Réalisé: orientations to the convention's réservataire
under that convention with ``impute=True`` in that year. Carry-over rule (no structured clause in
the convention terms): the whole écart (réalisé − objectif) is carried to the next year; a deficit
raises next year's objective, a surplus lowers it (never below zero). See docs/bilans.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum

from flux.models.flux_annuel import FluxAllocation
from flux.models.orientation import Bilan, Orientation, StatutBilan

VENTILATIONS = {
    "typologie": "typologie",
    "financement": "financement",
    "qpv": "qpv",
    "commune": "commune__nom",
}


@dataclass(frozen=True)
class Solde:
    objectif: int
    ecart: int
    report: int


def solde(objectif_annee: int, report_entrant: int, realise: int) -> Solde:
    """Objective including the incoming carry-over (a deficit is negative), écart and carry-over out."""
    objectif = max(0, objectif_annee - report_entrant)
    ecart = realise - objectif
    return Solde(objectif=objectif, ecart=ecart, report=ecart)


def due_le(annee: int):
    import datetime

    return datetime.date(annee + 1, 2, 28)


def calculer_bilan(convention, annee: int) -> Bilan:
    """Compute or refresh the Bilan of ``convention`` for ``annee`` with aggregate queries."""
    with transaction.atomic():
        bilan, _ = Bilan.objects.select_for_update().get_or_create(convention=convention, annee=annee)
        if bilan.statut == StatutBilan.ENVOYE:
            raise ValidationError("Ce bilan a déjà été envoyé : il ne peut plus être recalculé.")
        objectif_annee = (
            FluxAllocation.objects.en_vigueur(annee)
            .filter(convention=convention)
            .aggregate(total=Sum("logements"))["total"]
            or 0
        )
        precedent = Bilan.objects.filter(convention=convention, annee=annee - 1).only("report").first()
        report_entrant = precedent.report if precedent else 0
        orientations = Orientation.objects.filter(
            convention=convention, annee=annee, reservataire_id=convention.reservataire_id
        )
        realise = orientations.filter(impute=True).count()
        donnees = {"objectif_annee": objectif_annee, "ventilations": {}}
        for cle, champ in VENTILATIONS.items():
            lignes = (
                orientations.values(champ)
                .annotate(proposes=Count("id"), attribues=Count("id", filter=Q(impute=True)))
                .order_by(champ)
            )
            donnees["ventilations"][cle] = [
                {"valeur": str(ligne[champ]), "proposes": ligne["proposes"], "attribues": ligne["attribues"]}
                for ligne in lignes
            ]
        s = solde(objectif_annee, report_entrant, realise)
        bilan.objectif, bilan.report_entrant, bilan.realise = s.objectif, report_entrant, realise
        bilan.ecart, bilan.report, bilan.donnees = s.ecart, s.report, donnees
        bilan.statut = StatutBilan.BROUILLON
        bilan.lock_version += 1
        bilan.save()
        return bilan
