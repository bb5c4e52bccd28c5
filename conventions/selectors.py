"""Reads on conventions that need thought: rule inputs, the portfolio of a bailleur, the redline base."""

from conventions import rules
from conventions.models import (
    Approbation,
    Convention,
    ConventionVersion,
    EtatVersion,
    Partie,
    VersionVue,
)
from reservataires.models import Organisation
from territoires.models import EPCI


def brouillon_de(convention: Convention) -> ConventionVersion | None:
    return convention.versions.filter(etat=EtatVersion.BROUILLON).select_related("organisation").first()


def version_de_reference(convention: Convention) -> ConventionVersion | None:
    """The version that best describes a convention for portfolio checks and the flux engine.

    The latest version on the table (proposed) if any; otherwise the draft.
    """
    return convention.version_courante or brouillon_de(convention)


def epci_du_perimetre(convention: Convention):
    """EPCI an objective may name: those with a commune in the périmètre."""
    if convention.commune_id:
        return EPCI.objects.filter(pk=convention.commune.epci_id)
    if convention.epci_id:
        return EPCI.objects.filter(pk=convention.epci_id)
    return EPCI.objects.filter(communes__departement_id=convention.departement_id).distinct()


def termes_de(version: ConventionVersion) -> rules.Termes:
    convention = version.convention
    objectifs = list(version.objectifs.select_related("epci", "commune"))
    allowed = set(epci_du_perimetre(convention).values_list("pk", flat=True)) if objectifs else set()
    return rules.Termes(
        type_reservataire=convention.reservataire.type,
        reservataire_nom=convention.reservataire.nom,
        perimetre_code=convention.perimetre_code,
        departement_id=convention.departement_id,
        epci_id=convention.epci_id,
        commune_id=convention.commune_id,
        commune_epci_id=convention.commune.epci_id if convention.commune_id else None,
        convention_id=convention.pk,
        part_flux_pct=version.part_flux_pct,
        part_agents_pct=version.part_agents_pct,
        part_garantie_pct=version.part_garantie_pct,
        nombre_annuel=version.nombre_annuel,
        part_hors_qpv_pct=version.part_hors_qpv_pct,
        repartition_typologie=version.repartition_typologie or {},
        repartition_financement=version.repartition_financement or {},
        objectifs=[
            rules.ObjectifTerme(
                epci_id=o.epci_id,
                nombre=o.nombre,
                commune_id=o.commune_id,
                nombre_hors_qpv=o.nombre_hors_qpv,
                epci_nom=o.epci.nom,
                commune_nom=o.commune.nom if o.commune_id else "",
                commune_epci_id=o.commune.epci_id if o.commune_id else None,
            )
            for o in objectifs
        ],
        epci_hors_perimetre=sorted({o.epci.nom for o in objectifs if o.epci_id not in allowed}),
        date_debut=version.date_debut,
        date_fin=version.date_fin,
        delai_signalement_jours=version.delai_signalement_jours,
        delai_proposition_jours=version.delai_proposition_jours,
        nb_candidats=version.nb_candidats,
    )


def portefeuille(convention: Convention) -> list[rules.Termes]:
    """Terms of the bailleur's other live conventions in the same département."""
    autres = (
        Convention.objects.vivantes()
        .filter(bailleur_id=convention.bailleur_id, departement_id=convention.departement_id)
        .exclude(pk=convention.pk)
        .select_related("reservataire", "commune", "version_courante")
    )
    out = []
    for other in autres:
        version = version_de_reference(other)
        if version is not None:
            out.append(termes_de(version))
    return out


def violations(version: ConventionVersion) -> list[rules.Violation]:
    """Every rule on this version, and on the bailleur's portfolio with this version in it."""
    termes = termes_de(version)
    return rules.check_termes(termes) + rules.check_portefeuille(termes, portefeuille(version.convention))


def approbations_actives(version: ConventionVersion | None) -> dict[str, Approbation]:
    """Active approvals of ``version`` by party (``bailleur`` / ``reservataire``)."""
    if version is None:
        return {}
    convention = version.convention
    out = {}
    for a in version.approbations.filter(retiree_le__isnull=True).select_related("organisation", "par"):
        partie = convention.partie_de(a.organisation)
        if partie:
            out[partie] = a
    return out


def est_approuvee_par_les_deux(version: ConventionVersion | None) -> bool:
    return set(approbations_actives(version)) == {Partie.BAILLEUR, Partie.RESERVATAIRE}


def version_vue_par(convention: Convention, organisation: Organisation | None) -> ConventionVersion | None:
    if organisation is None:
        return None
    vue = VersionVue.objects.filter(convention=convention, organisation=organisation).select_related("version")
    vue = vue.first()
    return vue.version if vue else None


def base_de_comparaison(version: ConventionVersion, organisation: Organisation | None) -> ConventionVersion | None:
    """What the redline compares ``version`` against, for a member of ``organisation``.

    The version that organisation last opened if it is older; otherwise the version this one was
    derived from (so a party rereading its own proposal sees what it changed).
    """
    seen = version_vue_par(version.convention, organisation)
    if seen is not None and seen.numero < version.numero:
        return seen
    return version.base


def versions_visibles(convention: Convention, user):
    """Versions of ``convention`` that ``user`` may read (a draft only for the side writing it)."""
    return ConventionVersion.objects.visible_to(user).filter(convention=convention).order_by("numero")


def commentaires_visibles(convention: Convention, user):
    """Comments of ``convention`` on versions ``user`` may read (comments on the other side's draft stay hidden)."""
    from conventions.models import Commentaire

    return (
        Commentaire.objects.visible_to(user)
        .filter(convention=convention, version__in=versions_visibles(convention, user).values("pk"))
        .select_related("auteur", "organisation", "version", "resolu_par")
    )


def evenements_visibles(convention: Convention, user):
    """The journal of ``convention`` as ``user`` may read it: events about the other side's unsent draft
    (its edits, which name the changed terms) stay hidden until that draft is transmitted."""
    from django.db.models import Q

    from conventions.models import Evenement

    mine = Organisation.objects.acting_for(user).values("pk")
    return (
        Evenement.objects.visible_to(user)
        .filter(convention=convention)
        .exclude(Q(version__etat=EtatVersion.BROUILLON) & ~Q(version__organisation__in=mine))
        .select_related("par", "organisation", "version")
    )


def controle_portefeuille(bailleur: Organisation, departement_id: str, user) -> list[dict]:
    """The live conventions of ``bailleur`` in a département with the rules on each one's reference version.

    For the bailleur's own members (who also see its unsent drafts). Each row: the convention, the
    version checked (the one on the table, else the draft), and its violations (the portfolio rule
    included: all réservataires together within 100 % of the flux).
    """
    from conventions.models import Convention

    conventions = (
        Convention.objects.visible_to(user)
        .vivantes()
        .filter(bailleur=bailleur, departement_id=departement_id)
        .select_related("reservataire", "epci", "commune", "departement", "version_courante")
        .order_by("perimetre_code", "reservataire__nom")
    )
    rows = []
    for convention in conventions:
        version = version_de_reference(convention)
        found = violations(version) if version is not None else []
        rows.append(
            {
                "convention": convention,
                "version": version,
                "bloquantes": [v for v in found if v.bloquant],
                "avertissements": [v for v in found if not v.bloquant],
            }
        )
    return rows
