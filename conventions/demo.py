"""Demo conventions in several statuses, built through the services (so the journal is real).

Nord Habitat Solidaire: with the préfet du Nord (validée), Action Logement (en négociation, with a
counter-proposal and a comment), the MEL (brouillon) and Roubaix (transmise). Logis de Flandre with
the Département du Nord (transmise). Seine Habitat Social with the préfet de Seine-Saint-Denis
(transmise) and Action Logement Île-de-France (brouillon). Idempotent: a pair that already has a live
convention is left alone.
"""

from datetime import date
from decimal import Decimal

from conventions import selectors, services
from conventions.models import Convention
from core.demo import DemoContext

MEL, DUNKERQUE, VALENCIENNES, DOUAISIS = "200093201", "245900428", "245901160", "200044618"
GRAND_PARIS = "200054781"

BASE = {
    "date_debut": date(2026, 1, 1),
    "date_fin": date(2028, 12, 31),
    "delai_signalement_jours": 8,
    "delai_proposition_jours": 30,
    "nb_candidats": 3,
}


def _open(ctx, bailleur_key, reservataire_key, by_email, *, departement=None, terms=None, objectifs=None):
    from territoires.models import Departement

    bailleur, reservataire = ctx.objects[bailleur_key], ctx.objects[reservataire_key]
    if Convention.objects.vivantes().filter(bailleur=bailleur, reservataire=reservataire).exists():
        return None
    return services.convention_create(
        bailleur=bailleur,
        reservataire=reservataire,
        by=ctx.objects[by_email],
        departement=Departement.objects.get(pk=departement) if departement else None,
        terms={**BASE, **(terms or {})},
        objectifs=objectifs,
        annexes=[
            {
                "titre": "Note de calcul de la conversion du stock en flux",
                "texte": "Stock réservé au 31/12/2023 rapporté au patrimoine du bailleur dans le périmètre ; "
                "taux de rotation moyen des trois dernières années.",
            }
        ],
    )


def _edit(convention, by, *, terms=None, objectifs=None, clause=None):
    draft = selectors.brouillon_de(convention)
    clauses = None
    if clause is not None:
        cle, old, new = clause
        clauses = [
            {"cle": c.cle, "titre": c.titre, "texte": c.texte.replace(old, new) if c.cle == cle else c.texte}
            for c in draft.clauses.all()
        ]
    services.version_update(
        version=draft,
        by=by,
        expected_lock_version=draft.lock_version,
        terms=terms or {},
        objectifs=objectifs,
        clauses=clauses,
    )


def _signed(ctx, bailleur_key, reservataire_key, redacteur_b, redacteur_r, signataire_b, signataire_r) -> None:
    """A convention taken through the whole path: both approvals, the PDF, both signatures."""
    from django.utils import timezone

    from conventions import documents, pki, signature

    pki.ensure_ca()  # `make demo` runs pki_init first; a bare demo_seed must work too
    o = ctx.objects
    convention = _open(
        ctx,
        bailleur_key,
        reservataire_key,
        redacteur_b,
        departement="59",
        terms={"part_flux_pct": Decimal(22), "nombre_annuel": 40},
        objectifs=[{"epci": MEL, "nombre": 28}, {"epci": "200042190", "nombre": 12}],
    )
    if convention is None:
        return
    services.version_propose(convention=convention, by=o[redacteur_b])
    convention.refresh_from_db()
    for email in (redacteur_r, redacteur_b):
        services.version_approve(convention=convention, version=convention.version_courante, by=o[email])
    document = signature.convention_start_signature(convention=convention, by=o[redacteur_b])
    documents.document_produce(document.pk)  # eager Celery in the demo would also do it on commit
    for email in (signataire_b, signataire_r):
        signature.convention_sign(convention=convention, by=o[email], reauthenticated_at=timezone.now())


def seed(ctx: DemoContext) -> None:
    o = ctx.objects
    camille, sophie = o["bailleur.redacteur@demo.fr"], o["als.redacteur@demo.fr"]
    nadia = o["prefet.redacteur@demo.fr"]

    # Préfet du Nord: validée by both parties.
    prefet = _open(
        ctx,
        "bailleur_nord",
        "prefet_59",
        "bailleur.redacteur@demo.fr",
        departement="59",
        terms={"part_flux_pct": Decimal(25), "part_agents_pct": Decimal(5), "nombre_annuel": 120},
        objectifs=[
            {"epci": MEL, "nombre": 70, "nombre_hors_qpv": 40},
            {"epci": DUNKERQUE, "nombre": 20, "nombre_hors_qpv": 8},
            {"epci": VALENCIENNES, "nombre": 30, "nombre_hors_qpv": 12},
        ],
    )
    if prefet is not None:
        services.version_propose(convention=prefet, by=camille, resume="Projet initial (modèle départemental)")
        prefet.refresh_from_db()
        services.version_approve(convention=prefet, version=prefet.version_courante, by=nadia)
        services.version_approve(convention=prefet, version=prefet.version_courante, by=camille)

    # Action Logement: in negotiation, ALS counter-proposed a lower share and a longer deadline.
    als = _open(
        ctx,
        "bailleur_nord",
        "als_hdf",
        "bailleur.redacteur@demo.fr",
        departement="59",
        terms={
            "part_flux_pct": Decimal(20),
            "nombre_annuel": 90,
            "repartition_typologie": {"T1": 10, "T2": 30, "T3": 40, "T4": 20},
        },
        objectifs=[{"epci": MEL, "nombre": 60, "nombre_hors_qpv": 35}, {"epci": DOUAISIS, "nombre": 30}],
    )
    if als is not None:
        services.version_propose(convention=als, by=camille)
        als.refresh_from_db()
        services.convention_mark_seen(convention=als, by=sophie)
        services.comment_add(
            convention=als,
            by=sophie,
            texte="Le volume nous paraît élevé au regard des désignations réalisées en 2025 dans le Douaisis.",
            cible="terme:nombre_annuel",
        )
        services.version_draft_start(convention=als, by=sophie)
        _edit(
            als,
            sophie,
            terms={"part_flux_pct": Decimal(18), "nombre_annuel": 80, "delai_proposition_jours": 45},
            objectifs=[{"epci": MEL, "nombre": 55, "nombre_hors_qpv": 32}, {"epci": DOUAISIS, "nombre": 25}],
            clause=(
                "mise_a_disposition",
                "propose, dans le délai prévu,",
                "propose, dans le délai prévu et par voie dématérialisée,",
            ),
        )
        services.version_propose(convention=als, by=sophie, resume="Volume ramené à 80 logements, délai de 45 jours")
        als.refresh_from_db()
        services.comment_add(
            convention=als,
            by=camille,
            texte="Le délai de 45 jours allonge la vacance : nous proposons 30 jours ouvrés.",
            cible="terme:delai_proposition_jours",
        )

    # Métropole Européenne de Lille: a draft the bailleur has not sent yet.
    _open(
        ctx,
        "bailleur_nord",
        "mel",
        "bailleur.redacteur@demo.fr",
        terms={"part_flux_pct": Decimal(10), "part_garantie_pct": Decimal(8)},
    )

    # Ville de Roubaix: transmitted, awaiting the commune's answer.
    roubaix = _open(
        ctx,
        "bailleur_nord",
        "roubaix",
        "bailleur.redacteur@demo.fr",
        terms={"part_flux_pct": Decimal(5), "part_garantie_pct": Decimal(5), "nombre_annuel": 12},
        objectifs=[{"epci": MEL, "nombre": 12}, {"epci": MEL, "commune": "59512", "nombre": 12}],
    )
    if roubaix is not None:
        services.version_propose(convention=roubaix, by=camille)

    # Logis de Flandre with the Département du Nord: transmitted.
    cd59 = _open(
        ctx,
        "bailleur_flandre",
        "cd59",
        "flandre.redacteur@demo.fr",
        departement="59",
        terms={"part_flux_pct": Decimal(6), "part_garantie_pct": Decimal(6), "nombre_annuel": 15},
    )
    if cd59 is not None:
        services.version_propose(convention=cd59, by=o["flandre.redacteur@demo.fr"])

    # Seine Habitat Social: the préfet de Seine-Saint-Denis (transmitted) and ALS Île-de-France (draft).
    julien = o["seine.redacteur@demo.fr"]
    p93 = _open(
        ctx,
        "bailleur_seine",
        "prefet_93",
        "seine.redacteur@demo.fr",
        departement="93",
        terms={"part_flux_pct": Decimal(30), "part_agents_pct": Decimal(5), "nombre_annuel": 210},
        objectifs=[{"epci": GRAND_PARIS, "nombre": 210, "nombre_hors_qpv": 70}],
    )
    if p93 is not None:
        services.version_propose(convention=p93, by=julien, resume="Projet conforme au protocole régional")
    _open(
        ctx,
        "bailleur_seine",
        "als_idf",
        "seine.redacteur@demo.fr",
        departement="93",
        terms={"part_flux_pct": Decimal(25), "nombre_annuel": 175},
    )
    # Logis de Flandre with Action Logement Hauts-de-France: negotiated, then signed by both parties.
    _signed(
        ctx,
        "bailleur_flandre",
        "als_hdf",
        "flandre.redacteur@demo.fr",
        "als.redacteur@demo.fr",
        "flandre.signataire@demo.fr",
        "als.signataire@demo.fr",
    )
    ctx.notes.append(
        "Conventions : Logis de Flandre – Action Logement (signée) ; "
        "Nord Habitat Solidaire – préfet du Nord (validée), Action Logement (en négociation), "
        "MEL (brouillon), Roubaix (transmise) ; Logis de Flandre – Département du Nord ; Seine Habitat Social – "
        "préfet 93 (transmise), Action Logement IDF (brouillon)."
    )
