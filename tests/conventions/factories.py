"""Richer convention states, built by calling the real services (never by writing rows directly)."""

from datetime import date
from decimal import Decimal

from conventions import selectors, services
from conventions.models import Convention

TERMES_COMPLETS = {
    "date_debut": date(2026, 1, 1),
    "date_fin": date(2028, 12, 31),
    "part_flux_pct": Decimal("25.00"),
    "delai_signalement_jours": 8,
    "delai_proposition_jours": 30,
    "nb_candidats": 3,
}


def brouillon(
    bailleur, reservataire, by, *, departement_id="59", terms=None, objectifs=None, annexes=None
) -> Convention:
    from territoires.models import Departement

    return services.convention_create(
        bailleur=bailleur,
        reservataire=reservataire,
        by=by,
        departement=Departement.objects.get(pk=departement_id) if not reservataire.est_territorial else None,
        terms={**TERMES_COMPLETS, **(terms or {})},
        objectifs=objectifs,
        annexes=annexes,
    )


def transmise(bailleur, reservataire, redacteur_bailleur, **kwargs) -> Convention:
    convention = brouillon(bailleur, reservataire, redacteur_bailleur, **kwargs)
    services.version_propose(convention=convention, by=redacteur_bailleur)
    convention.refresh_from_db()
    return convention


def validee(bailleur, reservataire, redacteur_bailleur, redacteur_reservataire, **kwargs) -> Convention:
    convention = transmise(bailleur, reservataire, redacteur_bailleur, **kwargs)
    version = convention.version_courante
    services.version_approve(convention=convention, version=version, by=redacteur_reservataire)
    services.version_approve(convention=convention, version=version, by=redacteur_bailleur)
    convention.refresh_from_db()
    return convention


def contre_proposition(convention, by, **terms):
    draft = services.version_draft_start(convention=convention, by=by)
    services.version_update(version=draft, by=by, expected_lock_version=draft.lock_version, terms=terms)
    version = services.version_propose(convention=convention, by=by)
    convention.refresh_from_db()
    return version


def brouillon_de(convention):
    return selectors.brouillon_de(convention)
