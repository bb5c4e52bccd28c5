"""Reminders: who is waiting on whom, sent by e-mail once per reason, journaled on the convention.

The daily beat task calls ``rappels_envoyer``. Each reminder is first recorded (unique per person,
convention, reason and key: the version awaiting approval or signature, the bilan year) and only
then sent: re-running the task never sends the same reminder twice. A crash between sending and
marking it sent is the only way to send one twice (at-least-once for that single message).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from conventions.models import Convention, Partie, Statut, TypeEvenement
from conventions.selectors import approbations_actives
from conventions.services import journal
from conventions.signature import parties_sans_signature
from flux.models.orientation import Bilan, StatutBilan
from flux.services.bilan import conventions_devant_un_bilan, due_le
from pilotage.models import EtatRappel, PreferenceRappels, Rappel, TypeRappel
from reservataires.models import ROLES_PAR_CAPACITE, Capacite, User

logger = logging.getLogger(__name__)

DELAI_RAPPEL_APPROBATION = timedelta(days=7)
DELAI_RAPPEL_SIGNATURE = timedelta(days=3)
DELAI_RAPPEL_BILAN = timedelta(days=28)  # before the bilan's deadline (28 February, CCH R.441-5-1)


def preference_set(*, user: User, actif: bool) -> PreferenceRappels:
    pref, _ = PreferenceRappels.objects.update_or_create(user=user, defaults={"actif": actif})
    return pref


def relances_actives(user: User) -> bool:
    pref = PreferenceRappels.objects.filter(user=user).first()
    return pref.actif if pref else True


def _destinataires(organisation_id: int, capacite: str) -> list[User]:
    """Active members of ``organisation`` holding ``capacite`` who did not opt out."""
    opted_out = PreferenceRappels.objects.filter(actif=False).values("user_id")
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organisation_id=organisation_id,
            memberships__organisation__actif=True,
            memberships__role__in=ROLES_PAR_CAPACITE[capacite],
        )
        .exclude(pk__in=opted_out)
        .distinct()
        .order_by("pk")
    )


def _attentes_approbation(now):
    due = Convention.objects.filter(
        statut__in=(Statut.EN_NEGOCIATION, Statut.AVENANT_EN_COURS),
        version_courante__proposee_le__lt=now - DELAI_RAPPEL_APPROBATION,
    ).select_related("version_courante", "bailleur", "reservataire")
    for convention in due:
        version = convention.version_courante
        approved = approbations_actives(version)
        for partie in (Partie.BAILLEUR, Partie.RESERVATAIRE):
            if partie not in approved:
                org = convention.organisation_de(partie)
                for user in _destinataires(org.pk, Capacite.REDIGER):
                    yield convention, user, TypeRappel.APPROBATION, f"v{version.pk}"


def _attentes_signature(now):
    due = Convention.objects.filter(
        statut=Statut.EN_SIGNATURE, statut_depuis__lt=now - DELAI_RAPPEL_SIGNATURE
    ).select_related("bailleur", "reservataire")
    for convention in due:
        # Only the party whose turn it is: the bailleur signs first, then the réservataire.
        attendues = parties_sans_signature(convention)[:1]
        for partie in attendues:
            org = convention.organisation_de(partie)
            for user in _destinataires(org.pk, Capacite.SIGNER):
                yield convention, user, TypeRappel.SIGNATURE, f"v{convention.version_courante_id}-{partie}"


def _cle_bilan(annee: int, *, retard: bool) -> str:
    return f"bilan-{annee}-retard" if retard else f"bilan-{annee}"


def _bilan_de_la_cle(cle: str) -> tuple[int, bool]:
    """(bilan year, late) from a reminder key written by ``_cle_bilan``."""
    return int(cle.split("-")[1]), cle.endswith("-retard")


def _attentes_bilan(now):
    """The bilan of last year, due on 28 February: reminded from DELAI_RAPPEL_BILAN before that date,
    then once more, as late, from the day after until 31 December (the year's end closes it)."""
    aujourd_hui = timezone.localdate(now)
    annee = aujourd_hui.year - 1
    echeance = due_le(annee)
    if aujourd_hui < echeance - DELAI_RAPPEL_BILAN:
        return
    cle = _cle_bilan(annee, retard=aujourd_hui > echeance)  # late as flux.services.bilan.en_retard says
    envoye = Bilan.objects.filter(convention=OuterRef("pk"), annee=annee, statut=StatutBilan.ENVOYE)
    dues = conventions_devant_un_bilan(annee).exclude(Exists(envoye)).order_by("bailleur_id", "pk")
    destinataires: dict[int, list[User]] = {}  # per bailleur: one query each, not one per convention
    for convention in dues:
        if convention.bailleur_id not in destinataires:
            destinataires[convention.bailleur_id] = _destinataires(convention.bailleur_id, Capacite.REDIGER)
        for user in destinataires[convention.bailleur_id]:
            yield convention, user, TypeRappel.BILAN, cle


SOURCES = [_attentes_approbation, _attentes_signature, _attentes_bilan]


def _register(now) -> int:
    created = 0
    for source in SOURCES:
        for convention, user, type_, cle in source(now):
            try:
                with transaction.atomic():
                    Rappel.objects.create(user=user, convention=convention, type=type_, cle=cle)
            except IntegrityError:
                continue  # already reminded for this reason
            created += 1
    return created


def _send(rappel: Rappel) -> None:
    convention = rappel.convention
    context = {
        "rappel": rappel,
        "convention": convention,
        "user": rappel.user,
        "url": settings.SITE_URL + reverse("conventions:convention_detail", args=[convention.pk]),
        "preferences_url": settings.SITE_URL + reverse("pilotage:preferences"),
    }
    if rappel.type == TypeRappel.BILAN:
        annee, en_retard = _bilan_de_la_cle(rappel.cle)
        context.update(
            annee=annee,
            echeance=due_le(annee),
            en_retard=en_retard,
            url=f"{settings.SITE_URL}{reverse('flux:bilan_list')}?annee={annee}",
        )
    subject = render_to_string("pilotage/rappel_sujet.txt", context).strip()
    body = render_to_string("pilotage/rappel_courriel.txt", context)
    send_mail(subject, body, None, [rappel.user.email])


def rappels_envoyer(*, now=None) -> dict:
    """Record the reminders due, then send those not yet sent. Idempotent."""
    now = now or timezone.now()
    created = _register(now)
    sent = failed = 0
    pending = Rappel.objects.filter(etat__in=(EtatRappel.A_ENVOYER, EtatRappel.ECHEC)).values_list("pk", flat=True)
    for pk in list(pending):
        with transaction.atomic():
            rappel = (
                Rappel.objects.select_for_update(skip_locked=True)
                .select_related("user", "convention")
                .filter(pk=pk, etat__in=(EtatRappel.A_ENVOYER, EtatRappel.ECHEC))
                .first()
            )
            if rappel is None:
                continue  # another worker has it, or it was sent meanwhile
            try:
                _send(rappel)
            except Exception as exc:  # noqa: BLE001 - an SMTP failure must not stop the others
                logger.warning("Relance %s non envoyée : %s", rappel.pk, exc)
                Rappel.objects.filter(pk=rappel.pk).update(etat=EtatRappel.ECHEC, erreur=str(exc)[:300])
                failed += 1
                continue
            Rappel.objects.filter(pk=rappel.pk).update(etat=EtatRappel.ENVOYE, envoye_le=timezone.now(), erreur="")
            journal(
                rappel.convention,
                TypeEvenement.RAPPEL,
                f"Relance envoyée à {rappel.user} : {rappel.get_type_display().lower()}.",
                details={"rappel": rappel.pk, "type": rappel.type, "cle": rappel.cle},
            )
            sent += 1
    return {"enregistres": created, "envoyes": sent, "echecs": failed}
