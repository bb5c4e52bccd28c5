"""Writes on conventions: drafting, negotiation, approvals, avenants, termination.

Each service checks rights, validates, writes and journals in one transaction, on the convention
row locked with SELECT … FOR UPDATE, so two requests never interleave on one convention. Status
changes go through conventions.workflow.perform only. Signature services live in
conventions.signature (they build on these).
"""

from datetime import date
from decimal import Decimal

import nh3
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from conventions import modeles, rules, selectors, workflow
from conventions.models import (
    STATUTS_TERMINES,
    Annexe,
    Approbation,
    Clause,
    Commentaire,
    Convention,
    ConventionVersion,
    EtatVersion,
    Evenement,
    Objectif,
    Partie,
    Statut,
    TypeEvenement,
    VersionVue,
)
from core.concurrency import ConflictError, update_if_unchanged
from reservataires.models import Capacite, Organisation, TypeOrganisation, User
from reservataires.selectors import user_can
from territoires.models import EPCI, Commune, Departement

# Structured terms a draft may change (the fields of ConventionVersion that are terms).
TERM_FIELDS = (
    "date_debut",
    "date_fin",
    "reconduction_tacite",
    "duree_reconduction_mois",
    "part_flux_pct",
    "part_agents_pct",
    "part_garantie_pct",
    "nombre_annuel",
    "part_hors_qpv_pct",
    "repartition_typologie",
    "repartition_financement",
    "mode_gestion",
    "delai_signalement_jours",
    "delai_proposition_jours",
    "nb_candidats",
    "regle_absence_candidat",
    "periodicite_bilan",
    "report_ecarts",
)
CLAUSE_TAGS = {"p", "br", "strong", "em", "u", "ul", "ol", "li", "h3", "h4", "blockquote"}


def journal(
    convention: Convention,
    type_evenement: str,
    message: str,
    *,
    by: User | None = None,
    organisation: Organisation | None = None,
    version: ConventionVersion | None = None,
    details: dict | None = None,
) -> Evenement:
    """Journal an event that does not change the status (status changes go through workflow.perform)."""
    return Evenement.objects.create(
        convention=convention,
        type=type_evenement,
        message=message,
        par=by,
        organisation=organisation,
        version=version,
        statut_avant=convention.statut,
        statut_apres=convention.statut,
        details=details or {},
    )


def sanitize_clause(html: str) -> str:
    """Keep the rich-text subset clauses may use; everything else (scripts, styles, links) goes."""
    return nh3.clean(html or "", tags=CLAUSE_TAGS, attributes={}, link_rel=None).strip()


def convention_lock(convention: Convention) -> Convention:
    """The convention row, locked (SELECT … FOR UPDATE) until the end of the transaction."""
    return (
        Convention.objects.select_for_update(of=("self",))
        .select_related("bailleur", "reservataire", "departement", "epci", "commune", "version_courante")
        .get(pk=convention.pk)
    )


def _party_for(convention: Convention, by: User, capacite: str = Capacite.REDIGER) -> Organisation:
    org = workflow.acting_party(convention, by, (capacite,))
    if org is None:
        raise PermissionDenied("Vous n'êtes pas habilité(e) à rédiger pour l'une des parties de cette convention.")
    return org


# --- Création ---------------------------------------------------------------------------------


def _perimetre(
    *, reservataire: Organisation, departement: Departement | None, epci: EPCI | None, commune: Commune | None
) -> tuple[Departement, EPCI | None, Commune | None]:
    """A territorial réservataire's convention covers its own territory (R.441-5-3); others a département."""
    if reservataire.type == TypeOrganisation.COMMUNE:
        commune = reservataire.commune
        if commune is None:
            raise ValidationError({"reservataire": "Ce réservataire communal n'a pas de commune renseignée."})
        return commune.departement, None, commune
    if reservataire.type == TypeOrganisation.EPCI:
        epci = reservataire.epci
        if epci is None:
            raise ValidationError({"reservataire": "Ce réservataire intercommunal n'a pas d'EPCI renseigné."})
        departement = departement or reservataire.departement
        if departement is None:
            departement = Departement.objects.filter(communes__epci=epci).distinct().order_by("code").first()
        if not epci.communes.filter(departement=departement).exists():
            raise ValidationError({"departement": f"{epci.nom} n'a aucune commune dans ce département."})
        return departement, epci, None
    if epci is not None or commune is not None:
        raise ValidationError(
            {
                "reservataire": "Seules les communes et les EPCI réservataires ont une convention à l'échelle de leur "
                "territoire : pour ce réservataire, le périmètre est le département."
            }
        )
    departement = departement or reservataire.departement
    if departement is None:
        raise ValidationError({"departement": "Choisissez le département couvert par la convention."})
    return departement, None, None


@transaction.atomic
def convention_create(
    *,
    bailleur: Organisation,
    reservataire: Organisation,
    by: User,
    departement: Departement | None = None,
    epci: EPCI | None = None,
    commune: Commune | None = None,
    terms: dict | None = None,
    objectifs: list[dict] | None = None,
    annexes: list[dict] | None = None,
    origine: str = "",
) -> Convention:
    """Open a convention draft (statut brouillon) with its first version, written by the bailleur."""
    if not bailleur.est_bailleur:
        raise ValidationError({"bailleur": "Une convention de réservation est conclue par un bailleur social."})
    if not user_can(by, bailleur, Capacite.REDIGER):
        raise PermissionDenied("Seul un rédacteur ou un administrateur du bailleur peut ouvrir une convention.")
    if not reservataire.est_reservataire or not reservataire.actif:
        raise ValidationError(
            {"reservataire": "Choisissez un réservataire actif (État, Action Logement, collectivité…)."}
        )
    departement, epci, commune = _perimetre(
        reservataire=reservataire, departement=departement, epci=epci, commune=commune
    )
    code = Convention.code_perimetre(
        departement_id=departement.pk, epci_id=epci.pk if epci else None, commune_id=commune.pk if commune else None
    )
    existing = (
        Convention.objects.vivantes().filter(bailleur=bailleur, reservataire=reservataire, perimetre_code=code).first()
    )
    if existing is not None:
        raise ValidationError(
            f"Une convention est déjà en cours pour ce bailleur, ce réservataire et ce périmètre "
            f"({existing.numero}, {existing.get_statut_display().lower()}) : une seule convention par réservataire "
            "et par département est permise (CCH R.441-5). Modifiez-la par avenant."
        )
    try:
        with transaction.atomic():
            convention = Convention.objects.create(
                bailleur=bailleur,
                reservataire=reservataire,
                departement=departement,
                epci=epci,
                commune=commune,
                cree_par=by,
            )
    except IntegrityError as exc:
        raise ValidationError(
            "Une convention vient d'être ouverte pour ce bailleur, ce réservataire et ce périmètre."
        ) from exc
    convention.numero = f"CR-{departement.pk}-{convention.pk:05d}"
    Convention.objects.filter(pk=convention.pk).update(numero=convention.numero)

    version = ConventionVersion(
        convention=convention, numero=1, organisation=bailleur, auteur=by, **modeles.DEFAULT_TERMS
    )
    if reservataire.type == TypeOrganisation.PREFET:
        version.part_hors_qpv_pct = rules.PLANCHER_PREFET_HORS_QPV
    _apply_terms(version, terms or {})
    version.full_clean(exclude=["convention", "organisation", "auteur", "base"])
    version.save()
    for ordre, (cle, titre, texte) in enumerate(modeles.clauses_for(reservataire.type)):
        Clause.objects.create(version=version, cle=cle, ordre=ordre, titre=titre, texte=texte)
    if objectifs:
        _replace_objectifs(version, objectifs)
    for ordre, annexe in enumerate(annexes or []):
        Annexe.objects.create(version=version, ordre=ordre, titre=annexe["titre"], texte=annexe.get("texte", ""))
    message = f"Projet de convention ouvert avec {reservataire.nom} ({convention.perimetre_libelle})."
    if origine:
        message += f" {origine}"
    journal(convention, TypeEvenement.CREATION, message, by=by, organisation=bailleur, version=version)
    return convention


# --- Rédaction d'un projet de version ---------------------------------------------------------------


def _apply_terms(version: ConventionVersion, terms: dict) -> list[str]:
    unknown = set(terms) - set(TERM_FIELDS)
    if unknown:
        raise ValidationError(f"Conditions inconnues : {', '.join(sorted(unknown))}.")
    changed = []
    for name, value in terms.items():
        if name in ("repartition_typologie", "repartition_financement"):
            value = {k: str(v) for k, v in (value or {}).items() if v not in (None, "")}
        if isinstance(value, float):
            value = Decimal(str(value))
        if getattr(version, name) != value:
            setattr(version, name, value)
            changed.append(name)
    return changed


def _replace_objectifs(version: ConventionVersion, objectifs: list[dict]) -> None:
    version.objectifs.all().delete()
    seen = set()
    rows = []
    for item in objectifs:
        epci_id = item.get("epci") or item.get("epci_id")
        commune_id = item.get("commune") or item.get("commune_id") or None
        epci_id = getattr(epci_id, "pk", epci_id)
        commune_id = getattr(commune_id, "pk", commune_id)
        if commune_id and not epci_id:
            epci_id = Commune.objects.filter(pk=commune_id).values_list("epci_id", flat=True).first()
        key = (epci_id, commune_id)
        if key in seen:
            raise ValidationError({"objectifs": "Un même territoire figure deux fois dans les objectifs."})
        seen.add(key)
        if not EPCI.objects.filter(pk=epci_id).exists():
            raise ValidationError({"objectifs": f"EPCI inconnu : {epci_id}."})
        if commune_id and not Commune.objects.filter(pk=commune_id).exists():
            raise ValidationError({"objectifs": f"Commune inconnue : {commune_id}."})
        nombre = item.get("nombre")
        if nombre is None or int(nombre) < 0:
            raise ValidationError({"objectifs": "Chaque objectif est un nombre de logements positif ou nul."})
        hors_qpv = item.get("nombre_hors_qpv")
        rows.append(
            Objectif(
                version=version,
                epci_id=epci_id,
                commune_id=commune_id,
                nombre=int(nombre),
                nombre_hors_qpv=int(hors_qpv) if hors_qpv not in (None, "") else None,
            )
        )
    Objectif.objects.bulk_create(rows)


def _replace_clauses(version: ConventionVersion, clauses: list[dict]) -> None:
    version.clauses.all().delete()
    seen = set()
    for ordre, item in enumerate(clauses):
        titre = (item.get("titre") or "").strip()
        if not titre:
            raise ValidationError({"clauses": "Chaque clause a un titre."})
        cle = item.get("cle") or slugify(titre)[:60] or f"clause-{ordre + 1}"
        while cle in seen:
            cle = f"{cle[:55]}-{ordre + 1}"
        seen.add(cle)
        Clause.objects.create(
            version=version, cle=cle, ordre=ordre, titre=titre[:200], texte=sanitize_clause(item.get("texte", ""))
        )


ANNEXE_EXTENSIONS = {".pdf", ".odt", ".ods", ".docx", ".xlsx", ".csv", ".txt", ".png", ".jpg", ".jpeg"}
ANNEXE_TAILLE_MAX = 10 * 1024 * 1024


def _replace_annexes(version: ConventionVersion, annexes: list[dict]) -> None:
    """Replace the draft's annexes. ``id`` keeps an existing annexe's file; ``fichier`` uploads a new one."""
    import hashlib
    import os

    existing = {a.pk: a for a in version.annexes.all()}
    rows = []
    for ordre, item in enumerate(annexes):
        titre = (item.get("titre") or "").strip()
        if not titre:
            raise ValidationError({"annexes": "Chaque annexe a un titre."})
        kept = existing.get(item.get("id")) if item.get("id") else None
        annexe = Annexe(version=version, ordre=ordre, titre=titre[:200], texte=(item.get("texte") or "")[:100_000])
        upload = item.get("fichier")
        if upload:
            extension = os.path.splitext(upload.name)[1].lower()
            if extension not in ANNEXE_EXTENSIONS:
                raise ValidationError(
                    {
                        "annexes": f"Format de fichier non accepté ({extension or 'sans extension'}) : PDF, ODT, ODS, "
                        "DOCX, XLSX, CSV, TXT, PNG ou JPEG."
                    }
                )
            if upload.size > ANNEXE_TAILLE_MAX:
                raise ValidationError({"annexes": "Une annexe ne peut pas dépasser 10 Mo."})
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            annexe.sha256 = digest.hexdigest()
            annexe.fichier.save(os.path.basename(upload.name), upload, save=False)
        elif kept is not None and kept.fichier:
            annexe.fichier = kept.fichier.name
            annexe.sha256 = kept.sha256
        rows.append(annexe)
    version.annexes.all().delete()  # files stay: earlier proposed versions still point to them
    Annexe.objects.bulk_create(rows)


@transaction.atomic
def version_update(
    *,
    version: ConventionVersion,
    by: User,
    expected_lock_version: int,
    terms: dict | None = None,
    objectifs: list[dict] | None = None,
    clauses: list[dict] | None = None,
    annexes: list[dict] | None = None,
) -> ConventionVersion:
    """Save changes to a draft. Two editors of one draft never overwrite each other silently:
    the save carries the lock version the editor loaded, and a stale one raises ConflictError."""
    convention = convention_lock(version.convention)
    version = ConventionVersion.objects.select_for_update().get(pk=version.pk)
    if version.etat != EtatVersion.BROUILLON:
        raise ConflictError(
            "Cette version a été transmise entre-temps et ne peut plus être modifiée : vos changements n'ont pas "
            "été appliqués. Rechargez la page ; pour modifier encore, préparez une nouvelle version."
        )
    if convention.statut in STATUTS_TERMINES or convention.statut not in (
        Statut.BROUILLON,
        Statut.EN_NEGOCIATION,
        Statut.AVENANT_EN_COURS,
    ):
        raise ValidationError(f"La convention est « {convention.get_statut_display()} » : le projet est figé.")
    if not user_can(by, version.organisation, Capacite.REDIGER):
        raise PermissionDenied("Seule la partie qui rédige ce projet de version peut le modifier.")
    changed = _apply_terms(version, terms or {})
    version.full_clean(exclude=["convention", "organisation", "auteur", "base"])
    update_if_unchanged(
        ConventionVersion.objects.filter(etat=EtatVersion.BROUILLON),
        pk=version.pk,
        expected_version=expected_lock_version,
        **{name: getattr(version, name) for name in TERM_FIELDS},
    )
    if objectifs is not None:
        fields = ("epci_id", "commune_id", "nombre", "nombre_hors_qpv")
        before = sorted(version.objectifs.values_list(*fields), key=repr)
        _replace_objectifs(version, objectifs)
        if before != sorted(version.objectifs.values_list(*fields), key=repr):
            changed.append("objectifs")
    if clauses is not None:
        before = list(version.clauses.values_list("cle", "titre", "texte"))
        _replace_clauses(version, clauses)
        if before != list(version.clauses.values_list("cle", "titre", "texte")):
            changed.append("clauses")
    if annexes is not None:
        before = list(version.annexes.values_list("titre", "texte", "sha256"))
        _replace_annexes(version, annexes)
        if before != list(version.annexes.values_list("titre", "texte", "sha256")):
            changed.append("annexes")
    version.refresh_from_db()
    labels = [ConventionVersion._meta.get_field(n).verbose_name for n in changed if n in TERM_FIELDS]
    labels += [n for n in ("objectifs", "clauses", "annexes") if n in changed]
    journal(
        convention,
        TypeEvenement.MODIFICATION,
        f"Projet de version {version.numero} enregistré"
        + (f" : {', '.join(str(label) for label in labels)}." if labels else " (sans changement)."),
        by=by,
        organisation=version.organisation,
        version=version,
        details={"champs": changed},
    )
    return version


def _copy_version(
    source: ConventionVersion, *, organisation: Organisation, by: User, avenant_numero: int
) -> ConventionVersion:
    convention = source.convention
    numero = (convention.versions.order_by("-numero").values_list("numero", flat=True).first() or 0) + 1
    copy = ConventionVersion(
        convention=convention,
        numero=numero,
        avenant_numero=avenant_numero,
        base=source,
        organisation=organisation,
        auteur=by,
        **{name: getattr(source, name) for name in TERM_FIELDS},
    )
    try:
        with transaction.atomic():
            copy.save()
    except IntegrityError as exc:
        raise ValidationError(
            "Un projet de version est déjà en cours de rédaction : une seule partie rédige à la fois."
        ) from exc
    Objectif.objects.bulk_create(
        [
            Objectif(
                version=copy,
                epci_id=o.epci_id,
                commune_id=o.commune_id,
                nombre=o.nombre,
                nombre_hors_qpv=o.nombre_hors_qpv,
            )
            for o in source.objectifs.all()
        ]
    )
    Clause.objects.bulk_create(
        [Clause(version=copy, cle=c.cle, ordre=c.ordre, titre=c.titre, texte=c.texte) for c in source.clauses.all()]
    )
    Annexe.objects.bulk_create(
        [
            Annexe(version=copy, titre=a.titre, fichier=a.fichier.name, sha256=a.sha256, texte=a.texte, ordre=a.ordre)
            for a in source.annexes.all()
        ]
    )
    return copy


@transaction.atomic
def version_draft_start(*, convention: Convention, by: User) -> ConventionVersion:
    """Start a new draft (a counter-proposal, or an amendment of one's own proposal) from the version
    on the table."""
    convention = convention_lock(convention)
    if convention.statut not in (Statut.EN_NEGOCIATION, Statut.AVENANT_EN_COURS):
        raise ValidationError(
            f"La convention est « {convention.get_statut_display()} » : aucune nouvelle version ne peut être rédigée."
        )
    org = _party_for(convention, by)
    draft = selectors.brouillon_de(convention)
    if draft is not None:
        if draft.organisation_id == org.pk:
            return draft
        raise ValidationError(
            f"{draft.organisation.nom} rédige déjà une nouvelle version : attendez qu'elle soit transmise."
        )
    source = convention.version_courante or convention.version_en_vigueur
    avenant = source.avenant_numero
    if convention.statut == Statut.AVENANT_EN_COURS and source == convention.version_en_vigueur:
        avenant = source.avenant_numero + 1
    draft = _copy_version(source, organisation=org, by=by, avenant_numero=avenant)
    journal(
        convention,
        TypeEvenement.CONTRE_PROPOSITION,
        f"{org.nom} prépare une nouvelle version (version {draft.numero}, à partir de la version {source.numero}).",
        by=by,
        organisation=org,
        version=draft,
    )
    return draft


@transaction.atomic
def version_propose(*, convention: Convention, by: User, resume: str = "") -> ConventionVersion:
    """Send the draft to the other party: it becomes an immutable proposed version."""
    convention = convention_lock(convention)
    draft = selectors.brouillon_de(convention)
    if draft is None:
        raise ValidationError("Aucun projet de version à transmettre.")
    if not user_can(by, draft.organisation, Capacite.REDIGER):
        raise PermissionDenied("Seule la partie qui rédige ce projet de version peut le transmettre.")
    action = "transmettre" if convention.statut == Statut.BROUILLON else "contre_proposer"
    now = timezone.now()
    ConventionVersion.objects.filter(pk=draft.pk, etat=EtatVersion.BROUILLON).update(
        etat=EtatVersion.PROPOSEE, proposee_le=now, proposee_par=by, resume=resume[:500]
    )
    draft.refresh_from_db()
    autre = convention.organisation_de(convention.autre_partie(convention.partie_de(draft.organisation)))
    blocking = rules.bloquantes(selectors.violations(draft))
    workflow.perform(
        convention,
        action,
        by=by,
        version=draft,
        type_evenement=TypeEvenement.PROPOSITION,
        message=f"Version {draft.numero} transmise à {autre.nom}." + (f" « {resume} »" if resume else ""),
        details={"regles_bloquantes": [v.message for v in blocking]},
        version_courante=draft,
    )
    VersionVue.objects.update_or_create(
        convention=convention, organisation=draft.organisation, defaults={"version": draft}
    )
    return draft


@transaction.atomic
def version_draft_discard(*, convention: Convention, by: User) -> None:
    """Drop one's own unsent draft (a first draft cannot be dropped: abandon the convention instead)."""
    convention = convention_lock(convention)
    draft = selectors.brouillon_de(convention)
    if draft is None:
        raise ValidationError("Aucun projet de version en cours.")
    if not user_can(by, draft.organisation, Capacite.REDIGER):
        raise PermissionDenied("Seule la partie qui rédige ce projet peut l'abandonner.")
    if draft.base_id is None:
        raise ValidationError(
            "Le premier projet ne peut pas être supprimé : abandonnez plutôt le projet de convention."
        )
    numero = draft.numero
    draft.delete()
    journal(
        convention,
        TypeEvenement.MODIFICATION,
        f"Projet de version {numero} abandonné avant transmission.",
        by=by,
        organisation=draft.organisation,
    )


# --- Approbation, validation ---------------------------------------------------------------------


@transaction.atomic
def version_approve(*, convention: Convention, version: ConventionVersion, by: User) -> Convention:
    """Approve the version on the table; when both parties approved it, the convention is validée."""
    convention = convention_lock(convention)
    org = workflow.check(convention, "approuver", by)
    if convention.version_courante_id != version.pk:
        raise ConflictError(
            "Une nouvelle version a été transmise entre-temps : relisez-la avant de l'approuver. "
            "Rien n'a été enregistré."
        )
    if selectors.brouillon_de(convention) is not None and selectors.brouillon_de(convention).organisation_id == org.pk:
        raise ValidationError(
            "Vous rédigez une nouvelle version : transmettez-la ou abandonnez-la avant d'approuver la version actuelle."
        )
    blocking = rules.bloquantes(selectors.violations(version))
    if blocking:
        raise ValidationError(
            ["Cette version ne peut pas être approuvée tant que ces règles ne sont pas respectées :"]
            + [v.message for v in blocking]
        )
    if version.approbations.filter(organisation=org, retiree_le__isnull=True).exists():
        raise ValidationError("Votre organisation a déjà approuvé cette version.")
    Approbation.objects.update_or_create(
        version=version, organisation=org, defaults={"par": by, "retiree_le": None, "le": timezone.now()}
    )
    workflow.perform(
        convention,
        "approuver",
        by=by,
        version=version,
        type_evenement=TypeEvenement.APPROBATION,
        message=f"{org.nom} approuve la version {version.numero}.",
    )
    if selectors.est_approuvee_par_les_deux(version):
        workflow.perform(
            convention,
            "valider",
            by=by,
            version=version,
            message=f"Convention validée : les deux parties ont approuvé la version {version.numero}.",
        )
    return convention


def approvals_withdraw(version: ConventionVersion | None) -> None:
    if version is not None:
        version.approbations.filter(retiree_le__isnull=True).update(retiree_le=timezone.now())


@transaction.atomic
def convention_reopen(*, convention: Convention, by: User, motif: str = "") -> Convention:
    """Back to negotiation from validée: approvals fall, a new version must be agreed."""
    convention = convention_lock(convention)
    action = "rouvrir_avenant" if workflow.negociation_de(convention) == workflow.AVENANT else "rouvrir"
    workflow.check(convention, action, by)
    approvals_withdraw(convention.version_courante)
    workflow.perform(
        convention,
        action,
        by=by,
        version=convention.version_courante,
        message="Négociation rouverte : les approbations sont retirées." + (f" Motif : {motif}" if motif else ""),
        details={"motif": motif},
    )
    return convention


# --- Avenants, fin de vie -----------------------------------------------------------------------


@transaction.atomic
def avenant_open(*, convention: Convention, by: User) -> ConventionVersion:
    convention = convention_lock(convention)
    org = workflow.check(convention, "ouvrir_avenant", by)
    source = convention.version_en_vigueur
    if source is None:
        raise ValidationError("Aucune version signée en vigueur.")
    numero_avenant = (
        convention.versions.order_by("-avenant_numero").values_list("avenant_numero", flat=True).first() or 0
    ) + 1
    workflow.perform(
        convention,
        "ouvrir_avenant",
        by=by,
        version=source,
        message=f"{org.nom} prépare l'avenant n° {numero_avenant} ; la version {source.numero} reste en vigueur.",
    )
    return _copy_version(source, organisation=org, by=by, avenant_numero=numero_avenant)


@transaction.atomic
def avenant_abandon(*, convention: Convention, by: User, motif: str = "") -> Convention:
    convention = convention_lock(convention)
    workflow.check(convention, "abandonner_avenant", by)
    draft = selectors.brouillon_de(convention)
    if draft is not None:
        draft.delete()
    approvals_withdraw(convention.version_courante)
    workflow.perform(
        convention,
        "abandonner_avenant",
        by=by,
        version=convention.version_en_vigueur,
        message=f"Avenant abandonné ; la version {convention.version_en_vigueur.numero} reste en vigueur."
        + (f" Motif : {motif}" if motif else ""),
        details={"motif": motif},
        version_courante=convention.version_en_vigueur,
    )
    return convention


@transaction.atomic
def convention_abandon(*, convention: Convention, by: User, motif: str = "") -> Convention:
    convention = convention_lock(convention)
    action = "abandonner" if convention.statut == Statut.BROUILLON else "abandonner_negociation"
    workflow.check(convention, action, by)
    if action == "abandonner_negociation" and not motif.strip():
        raise ValidationError({"motif": "Indiquez le motif de l'abandon de la négociation."})
    workflow.perform(
        convention,
        action,
        by=by,
        message="Projet de convention abandonné." + (f" Motif : {motif}" if motif else ""),
        details={"motif": motif},
        motif_fin=motif,
    )
    return convention


@transaction.atomic
def convention_terminate(*, convention: Convention, by: User, motif: str, date_effet: date | None = None) -> Convention:
    """Résiliation of a signed convention (R.441-5-2 IV for the préfet: after a formal notice)."""
    convention = convention_lock(convention)
    workflow.check(convention, "resilier", by)
    if not (motif or "").strip():
        raise ValidationError({"motif": "Indiquez le motif de la résiliation."})
    draft = selectors.brouillon_de(convention)
    if draft is not None:
        draft.delete()
    when = date_effet or timezone.localdate()
    workflow.perform(
        convention,
        "resilier",
        by=by,
        version=convention.version_en_vigueur,
        message=f"Convention résiliée à compter du {when:%d/%m/%Y}. Motif : {motif}",
        details={"motif": motif, "date_effet": when.isoformat()},
        motif_fin=motif,
    )
    return convention


def conventions_expire(*, today: date | None = None) -> int:
    """Expire signed conventions past their end date without tacit renewal (daily beat task). Idempotent."""
    today = today or timezone.localdate()
    due = Convention.objects.filter(
        statut__in=(Statut.SIGNEE, Statut.AVENANT_EN_COURS),
        version_en_vigueur__date_fin__lt=today,
        version_en_vigueur__reconduction_tacite=False,
    ).values_list("pk", flat=True)
    count = 0
    for pk in due:
        with transaction.atomic():
            convention = convention_lock(Convention(pk=pk))
            if convention.statut not in (Statut.SIGNEE, Statut.AVENANT_EN_COURS):
                continue
            draft = selectors.brouillon_de(convention)
            if draft is not None:
                draft.delete()
            fin = convention.version_en_vigueur.date_fin
            workflow.perform(
                convention,
                "expirer",
                version=convention.version_en_vigueur,
                message=f"Convention expirée le {fin:%d/%m/%Y} (pas de reconduction tacite).",
            )
            count += 1
    return count


# --- Commentaires, lecture ----------------------------------------------------------------------


@transaction.atomic
def comment_add(
    *, convention: Convention, by: User, texte: str, version: ConventionVersion | None = None, cible: str = "general"
) -> Commentaire:
    convention = convention_lock(convention)
    if convention.statut in STATUTS_TERMINES:
        raise ValidationError("La convention est close : on ne peut plus la commenter.")
    org = _party_for(convention, by)
    texte = (texte or "").strip()
    if not texte:
        raise ValidationError({"texte": "Le commentaire est vide."})
    version = version or convention.version_courante or selectors.brouillon_de(convention)
    if version is None or version.convention_id != convention.pk:
        raise ValidationError({"version": "Version inconnue pour cette convention."})
    if version.est_brouillon and version.organisation_id != org.pk:
        raise ValidationError({"version": "Version inconnue pour cette convention."})
    cible = _check_cible(version, cible)
    commentaire = Commentaire.objects.create(
        convention=convention, version=version, cible=cible, texte=texte[:5000], auteur=by, organisation=org
    )
    journal(
        convention,
        TypeEvenement.COMMENTAIRE,
        f"Commentaire de {org.nom} sur la version {version.numero} ({cible_libelle(version, cible)}).",
        by=by,
        organisation=org,
        version=version,
        details={"commentaire": commentaire.pk},
    )
    return commentaire


def _check_cible(version: ConventionVersion, cible: str) -> str:
    cible = (cible or "general").strip()
    if cible == "general":
        return cible
    kind, _, key = cible.partition(":")
    if kind == "terme" and (key in TERM_FIELDS or key == "objectifs"):
        return cible
    if kind == "clause" and version.clauses.filter(cle=key).exists():
        return cible
    raise ValidationError({"cible": "Le commentaire doit porter sur une condition ou une clause de la version."})


def cible_libelle(version: ConventionVersion, cible: str) -> str:
    kind, _, key = (cible or "general").partition(":")
    if kind == "terme":
        if key == "objectifs":
            return "objectifs territoriaux"
        return str(ConventionVersion._meta.get_field(key).verbose_name)
    if kind == "clause":
        clause = version.clauses.filter(cle=key).first()
        return f"clause « {clause.titre} »" if clause else f"clause {key}"
    return "ensemble de la version"


@transaction.atomic
def comment_resolve(*, commentaire: Commentaire, by: User) -> Commentaire:
    convention = convention_lock(commentaire.convention)
    org = _party_for(convention, by)
    if commentaire.est_resolu:
        raise ValidationError("Ce commentaire est déjà résolu.")
    Commentaire.objects.filter(pk=commentaire.pk).update(resolu_le=timezone.now(), resolu_par=by)
    commentaire.refresh_from_db()
    journal(
        convention,
        TypeEvenement.RESOLUTION,
        f"{org.nom} marque comme résolu le commentaire de {commentaire.organisation.nom}.",
        by=by,
        organisation=org,
        version=commentaire.version,
        details={"commentaire": commentaire.pk},
    )
    return commentaire


def convention_mark_seen(*, convention: Convention, by: User) -> None:
    """Remember the proposed version each party last opened (the redline base). Not journaled."""
    version = convention.version_courante
    if version is None:
        return
    for org in Organisation.objects.acting_for(by).filter(pk__in=[convention.bailleur_id, convention.reservataire_id]):
        VersionVue.objects.update_or_create(convention=convention, organisation=org, defaults={"version": version})


def partie_libelle(convention: Convention, organisation: Organisation | None) -> str:
    partie = convention.partie_de(organisation)
    return Partie(partie).label if partie else ""
