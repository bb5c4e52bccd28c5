"""Mixité indicators per EPCI (loi Égalité et citoyenneté, CCH L.441-1): computed in one aggregate query.

Counted: attributions decided by the CALEOL (« attribution » or « sous condition ») of the year.
Thresholds come from settings (FLUX_SEUIL_*). A share is None when there is no attribution.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Q

from flux.models.orientation import DecisionCaleol

DECISIONS_ATTRIBUEES = (DecisionCaleol.ATTRIBUTION, DecisionCaleol.SOUS_CONDITION)


def _part(n: int, total: int) -> float | None:
    return round(100 * n / total, 1) if total else None


def _indicateur(libelle: str, part: float | None, seuil: int) -> dict:
    return {"libelle": libelle, "part": part, "seuil": seuil, "atteint": part is not None and part >= seuil}


def _attribuees(attributions, annee: int, departement: str | None):
    attributions = attributions.filter(orientation__annee=annee, decision__in=DECISIONS_ATTRIBUEES)
    if departement:
        attributions = attributions.filter(orientation__departement_id=departement)
    return attributions


def attributions_visibles(user):
    """Attributions of the orientations ``user`` may read (the Attribution has no scope of its own)."""
    from flux.models.orientation import Attribution, Orientation

    return Attribution.objects.filter(orientation__in=Orientation.objects.visible_to(user).values("pk"))


def mixite_par_epci(attributions, annee: int, departement: str | None = None) -> list[dict]:
    """``attributions`` is an already scoped Attribution queryset (see ``attributions_visibles``)."""
    lignes = (
        _attribuees(attributions, annee, departement)
        .values("orientation__epci_id", "orientation__epci__nom")
        .annotate(
            hors_qpv=Count("id", filter=Q(orientation__qpv=False)),
            hors_qpv_q1=Count("id", filter=Q(orientation__qpv=False, premier_quartile=True)),
            qpv=Count("id", filter=Q(orientation__qpv=True)),
            qpv_autres=Count("id", filter=Q(orientation__qpv=True, premier_quartile=False)),
            total=Count("id"),
            prioritaires=Count("id", filter=Q(dalo=True) | Q(prioritaire=True)),
        )
        .order_by("orientation__epci__nom")
    )
    return [
        {
            "epci_id": ligne["orientation__epci_id"],
            "epci": ligne["orientation__epci__nom"],
            "attributions": ligne["total"],
            "indicateurs": [
                _indicateur(
                    "Attributions hors QPV au premier quartile",
                    _part(ligne["hors_qpv_q1"], ligne["hors_qpv"]),
                    settings.FLUX_SEUIL_Q1_HORS_QPV,
                ),
                _indicateur(
                    "Attributions en QPV aux autres quartiles",
                    _part(ligne["qpv_autres"], ligne["qpv"]),
                    settings.FLUX_SEUIL_AUTRES_QUARTILES_QPV,
                ),
                _indicateur(
                    "Attributions aux ménages DALO ou prioritaires",
                    _part(ligne["prioritaires"], ligne["total"]),
                    settings.FLUX_SEUIL_PRIORITAIRES,
                ),
            ],
        }
        for ligne in lignes
    ]


def prioritaires_par_reservataire(attributions, annee: int, departement: str | None = None) -> list[dict]:
    """Share of each réservataire's attributions going to DALO or priority households (L.441-1:
    at least 25 % per réservataire); the bailleur's own share is listed with ``reservataire`` None."""
    lignes = (
        _attribuees(attributions, annee, departement)
        .values("orientation__reservataire_id", "orientation__reservataire__nom")
        .annotate(
            total=Count("id"),
            nb_dalo=Count("id", filter=Q(dalo=True)),
            nb_prioritaires=Count("id", filter=Q(dalo=True) | Q(prioritaire=True)),
        )
        .order_by("orientation__reservataire__nom")
    )
    return [
        {
            "reservataire_id": ligne["orientation__reservataire_id"],
            "reservataire": ligne["orientation__reservataire__nom"] or "Contingent propre du bailleur",
            "attributions": ligne["total"],
            "dalo": ligne["nb_dalo"],
            "prioritaires": ligne["nb_prioritaires"],
            "indicateur": _indicateur(
                "Attributions aux ménages DALO ou prioritaires",
                _part(ligne["nb_prioritaires"], ligne["total"]),
                settings.FLUX_SEUIL_PRIORITAIRES,
            ),
        }
        for ligne in lignes
    ]
