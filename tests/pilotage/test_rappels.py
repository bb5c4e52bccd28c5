"""Reminders: sent once per reason to the people concerned, journaled, with an opt-out."""

from datetime import timedelta

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
