"""Sending a bilan: PDF attached, to the réservataire's members and the EPCI organisation, once only."""

import pytest
from django.core.exceptions import ValidationError

from flux.models.orientation import StatutBilan
from flux.services import bilan_documents as documents
from flux.services.bilan import calculer_bilan
from flux.tasks_bilan import bilans_envoi
from reservataires.models import Organisation, Role, TypeOrganisation
from tests import factories
from tests.conventions import factories as conv
from tests.flux import world_bilan as wb


@pytest.fixture
def bilan(bailleur, als, alice, bob):
    convention = wb.jeu(conv.brouillon(bailleur, als, alice))
    bilan = calculer_bilan(convention, 2025)
    documents.bilan_pdf_produire(bilan.pk)
    bilan.refresh_from_db()
    return bilan


@pytest.fixture
def mel(db):
    epci = Organisation.objects.create(nom="MEL (test)", type=TypeOrganisation.EPCI, epci_id="200093201")
    factories.member(epci, Role.LECTEUR, email="habitat@mel.fr")
    autre = Organisation.objects.create(nom="CU Dunkerque (test)", type=TypeOrganisation.EPCI, epci_id="245900428")
    factories.member(autre, Role.LECTEUR, email="habitat@dunkerque.fr")
    return epci


def test_envoye_une_seule_fois_au_reservataire_et_a_l_epci(
    bilan, mel, alice, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        job = documents.bilans_envoi_demander(bilans=[bilan], by=alice)
    bilans_envoi.apply(args=[str(job.pk)])
    job.refresh_from_db()
    assert job.status == "terminee", job.error
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["bob@als.fr", "habitat@mel.fr"]
    (nom, contenu, type_) = message.attachments[0]
    assert nom.endswith(".pdf") and type_ == "application/pdf" and contenu.startswith(b"%PDF")
    assert "Bilan annuel 2025" in message.subject and bilan.sha256 in message.body
    bilan.refresh_from_db()
    assert bilan.statut == StatutBilan.ENVOYE and bilan.envoye_le is not None
    assert bilan.destinataires == [
        {"organisation": "Action Logement Services HdF (test)", "email": "bob@als.fr"},
        {"organisation": "MEL (test)", "email": "habitat@mel.fr"},
    ]
    # Re-running the job (redelivered message) or sending again mails nobody.
    job.status = "en_cours"
    job.save()
    bilans_envoi.apply(args=[str(job.pk)])
    assert documents.bilan_envoyer(bilan.pk) is False
    assert len(mailoutbox) == 1
    with pytest.raises(ValidationError, match="déjà été envoyé"):
        calculer_bilan(bilan.convention, 2025)


def test_un_bilan_sans_pdf_ne_part_pas(bailleur, als, alice, bob, mailoutbox):
    convention = wb.jeu(conv.brouillon(bailleur, als, alice))
    bilan = calculer_bilan(convention, 2025)
    with pytest.raises(ValidationError, match="produisez d'abord"):
        documents.bilans_envoi_demander(bilans=[bilan], by=alice)
    with pytest.raises(ValidationError, match="doit être produit"):
        documents.bilan_envoyer(bilan.pk)
    assert mailoutbox == []


def test_seul_le_bailleur_redacteur_envoie(bilan, bob):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        documents.bilans_envoi_demander(bilans=[bilan], by=bob)
