"""Reminders: sent once per reason to the people concerned, journaled, with an opt-out."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from conventions.models import ConventionVersion, Evenement, TypeEvenement
from pilotage import services
from pilotage.models import EtatRappel, Rappel
from reservataires.models import Role
from tests import factories
from tests.conventions import factories as conv
from tests.flux import world_bilan as wb

pytestmark = pytest.mark.django_db


@pytest.fixture
def en_attente(alice, bob, bailleur, als):
    """Transmitted 10 days ago; Habitat Alice approved, ALS did not."""
    from conventions import services as conv_services

    convention = conv.transmise(bailleur, als, alice)
    conv_services.version_approve(convention=convention, version=convention.version_courante, by=alice)
    ConventionVersion.objects.filter(pk=convention.version_courante_id).update(
        proposee_le=timezone.now() - timedelta(days=10)
    )
    return convention


def test_the_party_that_did_not_approve_is_reminded_once(en_attente, bob, als, alice):
    lecteur = factories.member(als, Role.LECTEUR, email="lecteur@als.fr")
    result = services.rappels_envoyer()
    assert result == {"enregistres": 1, "envoyes": 1, "echecs": 0}
    assert [m.to for m in mail.outbox] == [[bob.email]]
    message = mail.outbox[0]
    assert "Approbation en attente" in message.subject and en_attente.numero in message.subject
    assert "attend l'approbation de votre organisation" in message.body
    assert f"/conventions/{en_attente.pk}/" in message.body
    assert lecteur.email not in message.to

    assert services.rappels_envoyer() == {"enregistres": 0, "envoyes": 0, "echecs": 0}
    assert len(mail.outbox) == 1
    event = Evenement.objects.filter(convention=en_attente, type=TypeEvenement.RAPPEL).get()
    assert "Relance envoyée à" in event.message


def test_nobody_is_reminded_before_the_delay(alice, bob, bailleur, als):
    conv.transmise(bailleur, als, alice)
    assert services.rappels_envoyer()["enregistres"] == 0


def test_a_user_who_opted_out_is_not_reminded(en_attente, bob):
    services.preference_set(user=bob, actif=False)
    assert services.rappels_envoyer()["enregistres"] == 0
    assert mail.outbox == []


def test_a_failed_send_is_retried_on_the_next_run(en_attente, bob, settings):
    settings.EMAIL_BACKEND = "tests.pilotage.failing_backend.FailingBackend"
    assert services.rappels_envoyer() == {"enregistres": 1, "envoyes": 0, "echecs": 1}
    assert Rappel.objects.get().etat == EtatRappel.ECHEC
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.rappels_envoyer() == {"enregistres": 0, "envoyes": 1, "echecs": 0}
    assert Rappel.objects.get().etat == EtatRappel.ENVOYE


def test_the_preferences_page_turns_reminders_off(client_for, bob):
    client = client_for(bob)
    page = client.get(reverse("pilotage:preferences"))
    assert "Mes relances par courriel" in page.content.decode()
    response = client.post(reverse("pilotage:preferences"), {}, follow=True)
    assert "Vous ne recevrez plus de relances par courriel." in response.content.decode()
    assert not services.relances_actives(bob)


def test_the_daily_task_is_scheduled_in_celery_beat():
    from config.celery import app

    app.loader.import_default_modules()
    app.finalize()
    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "pilotage.rappels_envoyer" in tasks


def test_the_signatory_whose_turn_it_is_is_reminded(alice, bob, bailleur, als, tmp_path, settings):
    from conventions import documents, pki, signature
    from conventions.models import Convention

    settings.PKI_DIR, settings.MEDIA_ROOT = tmp_path / "pki", tmp_path / "media"
    pki.ensure_ca()
    dg = factories.member(bailleur, Role.SIGNATAIRE, email="dg@habitat-alice.fr")
    dr = factories.member(als, Role.SIGNATAIRE, email="dr@als.fr")
    convention = conv.validee(bailleur, als, alice, bob)
    document = signature.convention_start_signature(convention=convention, by=alice)
    documents.document_produce(document.pk)
    Convention.objects.filter(pk=convention.pk).update(statut_depuis=timezone.now() - timedelta(days=4))
    services.rappels_envoyer()
    assert [m.to for m in mail.outbox] == [[dg.email]]
    assert "attend la signature de votre organisation" in mail.outbox[0].body
    signature.convention_sign(convention=convention, by=dg, reauthenticated_at=timezone.now())
    Convention.objects.filter(pk=convention.pk).update(statut_depuis=timezone.now() - timedelta(days=4))
    services.rappels_envoyer()
    assert [m.to for m in mail.outbox] == [[dg.email], [dr.email]]


# Bilan annuel 2025, due on 28/02/2026 (CCH R.441-5-1): reminded from 31/01/2026, late from 01/03/2026.
PARIS = ZoneInfo("Europe/Paris")


def _le(annee, mois, jour, heure=9):
    return datetime(annee, mois, jour, heure, tzinfo=PARIS)


@pytest.fixture
def bilan_du(bailleur, als, alice, bob):
    """A convention of Habitat Alice with one dwelling oriented to ALS in 2025: it owes the 2025 bilan."""
    convention = conv.brouillon(bailleur, als, alice)
    wb.orientation(convention, wb.logement(bailleur), 2025)
    return convention


def test_the_bailleur_is_reminded_once_of_a_bilan_due_on_28_february(bilan_du, bailleur, alice, bob):
    lecteur = factories.member(bailleur, Role.LECTEUR, email="lecteur@habitat-alice.fr")
    assert services.rappels_envoyer(now=_le(2026, 2, 10)) == {"enregistres": 1, "envoyes": 1, "echecs": 0}
    assert [m.to for m in mail.outbox] == [[alice.email]]  # not ALS, not a reader of the bailleur
    message = mail.outbox[0]
    assert "Bilan annuel à transmettre" in message.subject and bilan_du.numero in message.subject
    assert "en retard" not in message.subject
    assert "Le bilan annuel 2025 de la convention" in message.body
    assert "à transmettre au réservataire avant le 28/02/2026 (CCH R.441-5-1)" in message.body
    assert f"{reverse('flux:bilan_list')}?annee=2025" in message.body
    assert f"/conventions/{bilan_du.pk}/" not in message.body
    assert lecteur.email not in message.to and bob.email not in message.to
    assert Rappel.objects.get().cle == "bilan-2025"

    assert services.rappels_envoyer(now=_le(2026, 2, 28, 23)) == {"enregistres": 0, "envoyes": 0, "echecs": 0}
    assert len(mail.outbox) == 1
    event = Evenement.objects.filter(convention=bilan_du, type=TypeEvenement.RAPPEL).get()
    assert "bilan annuel à transmettre" in event.message


def test_nobody_is_reminded_of_a_bilan_before_the_28_days_window(bilan_du):
    assert services.rappels_envoyer(now=_le(2026, 1, 30, 23))["enregistres"] == 0
    # Midnight on 31 January in Paris is still 30 January in UTC: the window follows the French date.
    assert services.rappels_envoyer(now=_le(2026, 1, 31, 0))["enregistres"] == 1


def test_a_convention_without_flux_that_year_is_not_reminded(bailleur, als, alice):
    convention = conv.brouillon(bailleur, als, alice)
    wb.orientation(convention, wb.logement(bailleur), 2024)
    assert services.rappels_envoyer(now=_le(2026, 2, 10))["enregistres"] == 0


def test_a_computed_bilan_is_reminded_until_it_is_sent(bilan_du):
    from flux.services import bilan_documents as documents
    from flux.services.bilan import calculer_bilan

    bilan = calculer_bilan(bilan_du, 2025)
    assert services.rappels_envoyer(now=_le(2026, 2, 10))["enregistres"] == 1
    documents.bilan_pdf_produire(bilan.pk)
    assert documents.bilan_envoyer(bilan.pk) is True
    mail.outbox.clear()
    assert services.rappels_envoyer(now=_le(2026, 3, 2)) == {"enregistres": 0, "envoyes": 0, "echecs": 0}
    assert mail.outbox == []


def test_a_bilan_still_not_sent_after_28_february_gets_a_late_reminder(bilan_du, alice):
    services.rappels_envoyer(now=_le(2026, 2, 10))
    assert services.rappels_envoyer(now=_le(2026, 2, 28, 22))["enregistres"] == 0
    assert services.rappels_envoyer(now=_le(2026, 3, 1, 8)) == {"enregistres": 1, "envoyes": 1, "echecs": 0}
    message = mail.outbox[-1]
    assert message.to == [alice.email]
    assert "Bilan annuel à transmettre (en retard)" in message.subject
    assert "Le bilan annuel 2025 de la convention" in message.body and "est en retard" in message.body
    assert "avant le 28/02/2026" in message.body
    assert f"{reverse('flux:bilan_list')}?annee=2025" in message.body
    assert set(Rappel.objects.values_list("cle", flat=True)) == {"bilan-2025", "bilan-2025-retard"}

    assert services.rappels_envoyer(now=_le(2026, 12, 31, 23))["enregistres"] == 0
    # In January 2027 the 2025 bilan is no longer chased, and the 2026 one is not due yet.
    assert services.rappels_envoyer(now=_le(2027, 1, 15))["enregistres"] == 0
    assert len(mail.outbox) == 2


def test_a_bailleur_member_who_opted_out_is_not_reminded_of_a_bilan(bilan_du, alice):
    services.preference_set(user=alice, actif=False)
    assert services.rappels_envoyer(now=_le(2026, 2, 10))["enregistres"] == 0
    assert services.rappels_envoyer(now=_le(2026, 3, 10))["enregistres"] == 0
    assert mail.outbox == []
