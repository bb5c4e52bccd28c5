"""A validated convention becomes a PDF that both parties sign in turn; anyone can verify it later."""

import subprocess

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone

from conventions import documents, services, signature
from conventions.models import DocumentConvention, EtatDocument, Evenement, Statut, TypeEvenement
from conventions.pdfverify import Verdict, verify_pdf
from core.jobs import run_job
from core.models import Job, JobStatus
from reservataires.models import Role
from tests import factories
from tests.conventions import factories as conv

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def signataires(bailleur, als):
    return (
        factories.member(
            bailleur, Role.SIGNATAIRE, email="dg@habitat-alice.fr", first_name="Hélène", last_name="Martin"
        ),
        factories.member(als, Role.SIGNATAIRE, email="dr@als.fr", first_name="Marc", last_name="Petit"),
    )


@pytest.fixture
def a_signer(ca, alice, bob, bailleur, als, signataires, django_capture_on_commit_callbacks):
    """A validated convention with EPCI objectives whose PDF has been produced."""
    convention = conv.validee(
        bailleur,
        als,
        alice,
        bob,
        terms={"nombre_annuel": 12},
        objectifs=[{"epci": "200093201", "nombre": 9}, {"epci": "200042190", "nombre": 3}],
    )
    document = signature.convention_start_signature(convention=convention, by=alice)
    run_job(str(document.job_id), lambda job: documents.document_produce(document.pk, job=job))
    document.refresh_from_db()
    convention.refresh_from_db()
    return convention, document


def _text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def _bytes(document: DocumentConvention) -> bytes:
    document.refresh_from_db()
    with document.fichier.open("rb") as f:
        return f.read()


def _sign(convention, user):
    return signature.convention_sign(convention=convention, by=user, reauthenticated_at=timezone.now())


def test_the_pdf_is_rendered_from_the_validated_version_with_every_term(a_signer, bailleur, als):
    convention, document = a_signer
    assert convention.statut == Statut.EN_SIGNATURE
    assert document.etat == EtatDocument.PRET and document.reference == f"{convention.numero}-v1"
    text = _text(_bytes(document))
    for expected in (
        "Convention de réservation de logements locatifs",
        bailleur.nom,
        als.nom,
        "décret n° 2020-145",
        "Conditions de la convention",
        "Part du flux annuel",
        "25 %",
        "Répartition territoriale des objectifs",
        "Métropole Européenne de Lille",
        "Assiette du flux",
        "Page 1 sur",
        "Signatures des parties",
    ):
        assert expected in text, expected
    assert Job.objects.get(pk=document.job_id).status == JobStatus.TERMINEE
    assert Evenement.objects.filter(convention=convention, type=TypeEvenement.DOCUMENT).exists()


def test_both_parties_sign_in_turn_and_both_signatures_validate(a_signer, signataires, bailleur, als):
    convention, document = a_signer
    helene, marc = signataires
    with pytest.raises(ValidationError, match="Le bailleur signe en premier"):
        _sign(convention, marc)
    _sign(convention, helene)
    document.refresh_from_db()
    assert document.etat == EtatDocument.SIGNE_EN_PARTIE
    with pytest.raises(ValidationError, match="a déjà signé"):
        _sign(convention, helene)
    _sign(convention, marc)
    convention.refresh_from_db()
    document.refresh_from_db()
    assert convention.statut == Statut.SIGNEE
    assert convention.version_en_vigueur == document.version
    assert document.etat == EtatDocument.SIGNE and document.signe_le is not None
    result = verify_pdf(_bytes(document))
    assert result.verdict == Verdict.AUTHENTIQUE, result.message
    assert [s.organisation for s in result.signatures] == [bailleur.nom, als.nom]
    assert all(s.trusted and s.intact and s.valid for s in result.signatures)
    assert "Hélène Martin" in result.message
    import hashlib

    assert document.sha256 == hashlib.sha256(_bytes(document)).hexdigest()
    check = signature.document_verify(_bytes(document))
    assert check.conforme and check.document == document


def test_a_user_who_is_not_signataire_cannot_sign(a_signer, alice, bob):
    convention, _ = a_signer
    for user in (alice, bob):
        with pytest.raises(PermissionDenied):
            _sign(convention, user)


def test_signing_needs_a_fresh_reauthentication(a_signer, signataires, settings):
    convention, _ = a_signer
    stale = timezone.now() - settings.REAUTH_MAX_AGE - timezone.timedelta(seconds=1)
    for when in (None, stale):
        with pytest.raises(PermissionDenied, match="confirmez votre mot de passe"):
            signature.convention_sign(convention=convention, by=signataires[0], reauthenticated_at=when)


def test_a_signed_document_can_never_be_replaced(a_signer, signataires):
    convention, document = a_signer
    _sign(convention, signataires[0])
    _sign(convention, signataires[1])
    document.refresh_from_db()
    document.sha256 = "0" * 64
    with pytest.raises(ValidationError, match="ne peut plus être modifié"):
        document.save()
    with pytest.raises(ValidationError):
        document.delete()
    with (
        pytest.raises(DatabaseError, match="Un document signé ne peut être ni modifié ni supprimé"),
        transaction.atomic(),
    ):
        DocumentConvention.objects.filter(pk=document.pk).update(sha256="0" * 64)


def test_a_signed_convention_cannot_be_edited_except_by_avenant(a_signer, signataires, alice):
    convention, document = a_signer
    _sign(convention, signataires[0])
    _sign(convention, signataires[1])
    convention.refresh_from_db()
    with pytest.raises(ValidationError):
        services.version_draft_start(convention=convention, by=alice)
    version = convention.version_en_vigueur
    version.nb_candidats = 9
    with pytest.raises(ValidationError, match="figée"):
        version.save()
    avenant = services.avenant_open(convention=convention, by=alice)
    assert avenant.avenant_numero == 1 and avenant.convention == convention


def test_a_tampered_file_is_detected(a_signer, signataires):
    convention, document = a_signer
    _sign(convention, signataires[0])
    _sign(convention, signataires[1])
    data = bytearray(_bytes(document))
    index = data.index(b"Assiette") if b"Assiette" in data else len(data) // 3
    data[index] ^= 0x01
    check = signature.document_verify(bytes(data))
    assert not check.resultat.ok
    assert not check.conforme


def test_refusing_to_sign_reopens_the_negotiation(a_signer, signataires):
    convention, document = a_signer
    with pytest.raises(ValidationError):
        signature.signature_refuse(convention=convention, by=signataires[1], motif="")
    signature.signature_refuse(convention=convention, by=signataires[1], motif="La part QPV n'est pas celle convenue")
    convention.refresh_from_db()
    document.refresh_from_db()
    assert convention.statut == Statut.EN_NEGOCIATION
    assert document.etat == EtatDocument.ABANDONNE


def test_the_signature_page_requires_the_password(client_for, a_signer, signataires):
    convention, document = a_signer
    client = client_for(signataires[0])
    url = reverse("conventions:sign", args=[convention.pk])
    page = client.get(url).content.decode()
    assert "Confirmez votre mot de passe" in page and document.reference in page
    wrong = client.post(url, {"mot_de_passe": "pas-le-bon"})
    assert "Mot de passe incorrect" in wrong.content.decode()
    assert not document.signatures.exists()
    done = client.post(url, {"mot_de_passe": "mot-de-passe-de-test"}, follow=True)
    assert "Signature apposée pour Habitat Alice" in done.content.decode()
    assert document.signatures.count() == 1


def test_the_document_preview_and_download_are_scoped(client_for, a_signer, fede, charlie):
    convention, document = a_signer
    preview = reverse("conventions:document_preview", args=[convention.pk, document.pk])
    download = reverse("conventions:document_download", args=[convention.pk, document.pk])
    assert "Conditions de la convention" in client_for(fede).get(preview).content.decode()
    response = client_for(fede).get(download)
    assert response["Content-Type"] == "application/pdf"
    assert client_for(charlie).get(download).status_code == 404


def test_anyone_can_verify_a_signed_pdf_on_the_public_page(client, a_signer, signataires):
    convention, document = a_signer
    _sign(convention, signataires[0])
    _sign(convention, signataires[1])
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("convention.pdf", _bytes(document), content_type="application/pdf")
    page = client.post(reverse("verification"), {"fichier": upload}).content.decode()
    assert "Document authentique" in page
    assert f"Identique à un état enregistré du document {document.reference}" in page


def test_the_verification_api_answers_in_french(client, a_signer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("api-verification"), {"fichier": SimpleUploadedFile("x.pdf", b"pas un pdf", "application/pdf")}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["document_de_la_plateforme"] is False
    assert body["verdict"] == "illisible"
    convention, document = a_signer
    ok = client.post(reverse("api-verification"), {"fichier": SimpleUploadedFile("c.pdf", _bytes(document))})
    assert ok.json()["conforme_a_l_original"] is True


def test_signing_through_the_api_needs_the_password(api_client_for, a_signer, signataires):
    convention, document = a_signer
    api = api_client_for(signataires[0])
    url = f"/api/v1/conventions/{convention.pk}/signer/"
    assert api.post(url, {"mot_de_passe": "faux"}, format="json").status_code == 403
    assert api.post(url, {"mot_de_passe": "mot-de-passe-de-test"}, format="json").status_code == 200
    docs = api.get(f"/api/v1/conventions/{convention.pk}/documents/").json()["documents"]
    assert docs[0]["etat"] == "signe_en_partie" and docs[0]["partie_attendue"] == "reservataire"


@pytest.mark.django_db(transaction=True)
def test_the_document_is_produced_by_a_celery_worker_through_redis(celery_worker_redis, ca, settings, tmp_path):
    import time

    bailleur = factories.BailleurFactory(nom="Habitat Worker")
    als = factories.ALSFactory(nom="ALS Worker")
    alice = factories.member(bailleur, email="alice@worker.fr")
    bob = factories.member(als, email="bob@worker.fr")
    convention = conv.validee(bailleur, als, alice, bob)
    document = signature.convention_start_signature(convention=convention, by=alice)  # enqueued on commit
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        document.refresh_from_db()
        if document.etat != EtatDocument.A_PRODUIRE:
            break
        time.sleep(0.2)
    assert document.etat == EtatDocument.PRET
    assert Job.objects.get(pk=document.job_id).status == JobStatus.TERMINEE
    assert _bytes(document).startswith(b"%PDF")
