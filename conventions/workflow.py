"""The status machine of a convention: the one table of transitions, and the one place a status changes.

Each transition says from which statuses it starts, where it leads, which party may trigger it and
with which capability (reservataires.models.Capacite). Automatic transitions (no party) are
triggered by the services when their condition holds (both approvals, both signatures, end
date). docs/statuts-conventions.md is generated from this table (``manage.py statuts_doc``)
and a test checks that it is up to date.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.utils import timezone

from conventions.models import Convention, Evenement, Partie, Statut, TypeEvenement
from reservataires.models import Capacite, Organisation

S = Statut
BAILLEUR, RESERVATAIRE = Partie.BAILLEUR, Partie.RESERVATAIRE
LES_DEUX = (BAILLEUR, RESERVATAIRE)
INITIALE, AVENANT = "initiale", "avenant"


@dataclass(frozen=True)
class Transition:
    action: str
    libelle: str
    sources: tuple[str, ...]
    cible: str | None  # None: the status does not change (the action is journaled all the same)
    parties: tuple[str, ...]  # () = automatique
    capacites: tuple[str, ...] = ()
    garde: str | None = None  # INITIALE / AVENANT: only while negotiating the initial convention / an avenant
    condition: str = ""

    @property
    def automatique(self) -> bool:
        return not self.parties


TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "transmettre",
        "Transmettre le projet au réservataire",
        (S.BROUILLON,),
        S.EN_NEGOCIATION,
        (BAILLEUR,),
        (Capacite.REDIGER,),
        condition="le projet a au moins une version ; les règles ne bloquent pas l'envoi",
    ),
    Transition(
        "contre_proposer",
        "Transmettre une nouvelle version",
        (S.EN_NEGOCIATION, S.AVENANT_EN_COURS),
        None,
        LES_DEUX,
        (Capacite.REDIGER,),
        condition="un projet de version est en cours de rédaction par cette partie",
    ),
    Transition(
        "approuver",
        "Approuver cette version",
        (S.EN_NEGOCIATION, S.AVENANT_EN_COURS),
        None,
        LES_DEUX,
        (Capacite.REDIGER,),
        condition="la dernière version transmise ne viole aucune règle bloquante",
    ),
    Transition(
        "valider",
        "Valider",
        (S.EN_NEGOCIATION, S.AVENANT_EN_COURS),
        S.VALIDEE,
        (),
        condition="les deux parties ont approuvé la même version",
    ),
    Transition(
        "rouvrir",
        "Rouvrir la négociation",
        (S.VALIDEE,),
        S.EN_NEGOCIATION,
        LES_DEUX,
        (Capacite.REDIGER,),
        garde=INITIALE,
        condition="avant le lancement des signatures ; les approbations tombent",
    ),
    Transition(
        "rouvrir_avenant",
        "Rouvrir la négociation de l'avenant",
        (S.VALIDEE,),
        S.AVENANT_EN_COURS,
        LES_DEUX,
        (Capacite.REDIGER,),
        garde=AVENANT,
        condition="avant le lancement des signatures ; les approbations tombent",
    ),
    Transition(
        "lancer_signature",
        "Lancer la signature",
        (S.VALIDEE,),
        S.EN_SIGNATURE,
        (BAILLEUR,),
        (Capacite.REDIGER,),
        condition="le document à signer est produit à partir de la version validée",
    ),
    Transition(
        "signer",
        "Signer",
        (S.EN_SIGNATURE,),
        None,
        LES_DEUX,
        (Capacite.SIGNER,),
        condition="après ré-authentification ; chaque partie signe une fois, le bailleur en premier",
    ),
    Transition(
        "finaliser",
        "Signature complète",
        (S.EN_SIGNATURE,),
        S.SIGNEE,
        (),
        condition="les deux parties ont signé ; le PDF signé et son empreinte sont figés",
    ),
    Transition(
        "refuser_signature",
        "Refuser de signer",
        (S.EN_SIGNATURE,),
        S.EN_NEGOCIATION,
        LES_DEUX,
        (Capacite.SIGNER,),
        garde=INITIALE,
        condition="motif obligatoire ; les approbations tombent",
    ),
    Transition(
        "refuser_signature_avenant",
        "Refuser de signer l'avenant",
        (S.EN_SIGNATURE,),
        S.AVENANT_EN_COURS,
        LES_DEUX,
        (Capacite.SIGNER,),
        garde=AVENANT,
        condition="motif obligatoire ; les approbations tombent",
    ),
    Transition(
        "ouvrir_avenant",
        "Préparer un avenant",
        (S.SIGNEE,),
        S.AVENANT_EN_COURS,
        LES_DEUX,
        (Capacite.REDIGER,),
        condition="la version signée reste en vigueur pendant la négociation de l'avenant",
    ),
    Transition(
        "abandonner_avenant",
        "Abandonner l'avenant",
        (S.AVENANT_EN_COURS, S.VALIDEE, S.EN_SIGNATURE),
        S.SIGNEE,
        LES_DEUX,
        (Capacite.REDIGER,),
        garde=AVENANT,
        condition="la version signée reste en vigueur",
    ),
    Transition(
        "abandonner",
        "Abandonner le projet",
        (S.BROUILLON,),
        S.ABANDONNEE,
        (BAILLEUR,),
        (Capacite.REDIGER,),
        condition="projet jamais transmis",
    ),
    Transition(
        "abandonner_negociation",
        "Abandonner la négociation",
        (S.EN_NEGOCIATION, S.VALIDEE, S.EN_SIGNATURE),
        S.ABANDONNEE,
        LES_DEUX,
        (Capacite.ADMINISTRER,),
        garde=INITIALE,
        condition="motif obligatoire",
    ),
    Transition(
        "resilier",
        "Résilier la convention",
        (S.SIGNEE, S.AVENANT_EN_COURS),
        S.RESILIEE,
        LES_DEUX,
        (Capacite.ADMINISTRER, Capacite.SIGNER),
        condition="motif obligatoire (pour le préfet : après mise en demeure restée sans effet deux mois)",
    ),
    Transition(
        "expirer",
        "Expiration",
        (S.SIGNEE, S.AVENANT_EN_COURS),
        S.EXPIREE,
        (),
        condition="tâche quotidienne : date de fin dépassée sans reconduction tacite",
    ),
)

_BY_ACTION = {t.action: t for t in TRANSITIONS}


def transition(action: str) -> Transition:
    try:
        return _BY_ACTION[action]
    except KeyError as exc:
        raise ValueError(f"action inconnue : {action}") from exc


def negociation_de(convention: Convention) -> str:
    """Whether the open negotiation is the initial convention's or an avenant's."""
    if convention.statut == Statut.AVENANT_EN_COURS:
        return AVENANT
    version = convention.version_courante
    return AVENANT if (version is not None and version.avenant_numero) else INITIALE


def _applicable(t: Transition, convention: Convention) -> bool:
    if convention.statut not in t.sources:
        return False
    return t.garde is None or t.garde == negociation_de(convention)


def acting_party(convention: Convention, user, capacites: tuple[str, ...]) -> Organisation | None:
    """The party organisation in which ``user`` holds one of ``capacites`` (bailleur first)."""
    for capacite in capacites:
        orgs = Organisation.objects.acting_for(user, capacite).filter(
            pk__in=[convention.bailleur_id, convention.reservataire_id]
        )
        for org in sorted(orgs, key=lambda o: o.pk != convention.bailleur_id):
            return org
    return None


def may(convention: Convention, action: str, user) -> bool:
    t = transition(action)
    if t.automatique or not _applicable(t, convention):
        return False
    org = acting_party(convention, user, t.capacites)
    return org is not None and convention.partie_de(org) in t.parties


def actions_for(convention: Convention, user) -> list[Transition]:
    """The manual transitions ``user`` may trigger now (the buttons of the convention page)."""
    return [t for t in TRANSITIONS if not t.automatique and may(convention, t.action, user)]


def check(convention: Convention, action: str, user) -> Organisation | None:
    """Raise a French error unless ``user`` may perform ``action`` now; return the acting organisation."""
    t = transition(action)
    if not _applicable(t, convention):
        raise ValidationError(
            f"Action « {t.libelle} » impossible : la convention est « {convention.get_statut_display()} »."
        )
    if t.automatique:
        return None
    org = acting_party(convention, user, t.capacites)
    if org is None or convention.partie_de(org) not in t.parties:
        qui = " ou ".join(Partie(p).label.lower() for p in t.parties)
        raise PermissionDenied(f"Seul un membre habilité du côté {qui} peut faire « {t.libelle} ».")
    return org


def perform(
    convention: Convention,
    action: str,
    *,
    by=None,
    message: str,
    type_evenement: str | None = None,
    version=None,
    details: dict | None = None,
    **changes,
) -> Evenement:
    """Apply ``action`` (rights and source status checked), save, and journal it.

    Must run inside the caller's transaction, on a convention row locked with select_for_update.
    ``changes`` are other convention fields to save with the new status (e.g. version_en_vigueur).
    """
    t = transition(action)
    org = check(convention, action, by)
    avant = convention.statut
    fields = dict(changes)
    now = timezone.now()
    if t.cible is not None and t.cible != avant:
        fields["statut"] = t.cible
        fields["statut_depuis"] = now
    if action == "transmettre" and convention.transmise_le is None:
        fields["transmise_le"] = now
    if action == "valider" and convention.validee_le is None:
        fields["validee_le"] = now
    if action == "finaliser" and convention.signee_le is None:
        fields["signee_le"] = now
    fields["modifie_le"] = now
    Convention.objects.filter(pk=convention.pk).update(lock_version=F("lock_version") + 1, **fields)
    for name, value in fields.items():
        setattr(convention, name, value)
    convention.lock_version += 1
    if org is None and by is not None:
        org = acting_party(convention, by, (Capacite.LIRE,))
    return Evenement.objects.create(
        convention=convention,
        type=type_evenement or (TypeEvenement.TRANSITION if "statut" in fields else TypeEvenement.MODIFICATION),
        par=by,
        organisation=org,
        version=version,
        statut_avant=avant,
        statut_apres=convention.statut,
        message=message,
        details=details or {},
    )


def as_markdown_table() -> str:
    """The transition table for docs/statuts-conventions.md."""
    rows = [
        "| Action | De | Vers | Qui | Condition |",
        "|---|---|---|---|---|",
    ]
    cap_labels = {c.value: c.label for c in Capacite}
    for t in TRANSITIONS:
        sources = ", ".join(Statut(s).label for s in t.sources)
        cible = Statut(t.cible).label if t.cible else "(inchangé)"
        if t.automatique:
            qui = "automatique"
        else:
            parties = " ou ".join(Partie(p).label.lower() for p in t.parties)
            qui = f"{parties} ({' ou '.join(cap_labels[c] for c in t.capacites)})"
        garde = {INITIALE: " — convention initiale", AVENANT: " — avenant"}.get(t.garde, "")
        rows.append(f"| {t.libelle} (`{t.action}`) | {sources} | {cible} | {qui} | {t.condition}{garde} |")
    return "\n".join(rows)
