"""Signing a validated convention: production of the PDF, one signature per party, verification.

Order: the bailleur's signatory signs first, then the réservataire's; each after re-authenticating
(REAUTH_MAX_AGE). Each signature is an incremental PAdES update (conventions.pdfsign), written as a
new file with its SHA-256, under a row lock on the document so two signatories never sign from
the same bytes. After the second signature the convention is "signée", the signed version is in
force, and the document is frozen (model guard and, on PostgreSQL, a trigger).
"""

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from conventions import documents, pdfsign, pki, workflow
from conventions.models import (
    Convention,
    DocumentConvention,
    EtatDocument,
    Partie,
    Signature,
    Statut,
    TypeEvenement,
)
from conventions.pdfverify import VerificationResult, verify_pdf
from conventions.services import approvals_withdraw, convention_lock
from core.jobs import job_create, job_enqueue
from reservataires.models import Capacite, Membership, User
from reservataires.selectors import user_can

logger = logging.getLogger(__name__)
ORDRE = (Partie.BAILLEUR, Partie.RESERVATAIRE)


def document_en_cours(convention: Convention) -> DocumentConvention | None:
    return (
        convention.documents.filter(etat__in=(EtatDocument.A_PRODUIRE, EtatDocument.PRET, EtatDocument.SIGNE_EN_PARTIE))
        .select_related("job")
        .first()
    )


def document_signe(convention: Convention) -> DocumentConvention | None:
    return convention.documents.filter(etat=EtatDocument.SIGNE).order_by("-signe_le").first()


def parties_signees(document: DocumentConvention | None) -> set[str]:
    if document is None:
        return set()
    return set(document.signatures.values_list("partie", flat=True))


def partie_attendue(document: DocumentConvention | None) -> str | None:
    """Whose turn it is to sign (None when nobody can sign now)."""
    if document is None or document.etat not in (EtatDocument.PRET, EtatDocument.SIGNE_EN_PARTIE):
        return None
    done = parties_signees(document)
    return next((p for p in ORDRE if p not in done), None)


def parties_sans_signature(convention: Convention) -> list[str]:
    """Parties still expected to sign the document in progress (for reminders)."""
    document = document_en_cours(convention)
    if document is None:
        return []
    done = parties_signees(document)
    return [p for p in ORDRE if p not in done]


@transaction.atomic
def convention_start_signature(*, convention: Convention, by: User) -> DocumentConvention:
    """validée → en signature: the PDF of the validated version is produced by a Celery task."""
    convention = convention_lock(convention)
    workflow.check(convention, "lancer_signature", by)
    version = convention.version_courante
    document = DocumentConvention.objects.create(
        convention=convention, version=version, reference=documents.reference_for(convention, version)
    )
    job = job_create(
        kind="convention_pdf",
        label=f"Production du document à signer {document.reference}",
        by=by,
        organisation=convention.bailleur,
        params={"document": document.pk},
    )
    DocumentConvention.objects.filter(pk=document.pk).update(job=job)
    document.job = job
    workflow.perform(
        convention,
        "lancer_signature",
        by=by,
        version=version,
        message=f"Signature lancée sur la version {version.numero} : production du document {document.reference}.",
        details={"document": document.pk},
    )
    from conventions.tasks import produce_document

    job_enqueue(job, produce_document)
    return document


def _check_reauth(reauthenticated_at: datetime | None) -> None:
    if reauthenticated_at is None or timezone.now() - reauthenticated_at > settings.REAUTH_MAX_AGE:
        minutes = int(settings.REAUTH_MAX_AGE.total_seconds() // 60)
        raise PermissionDenied(
            f"Pour signer, confirmez votre mot de passe (valable {minutes} minutes) : la signature n'a pas été apposée."
        )


@transaction.atomic
def convention_sign(*, convention: Convention, by: User, reauthenticated_at: datetime | None) -> Signature:
    """Apply the signature of ``by``'s party to the document in progress."""
    _check_reauth(reauthenticated_at)
    convention = convention_lock(convention)
    org = workflow.check(convention, "signer", by)
    partie = convention.partie_de(org)
    document = document_en_cours(convention)
    if document is None:
        raise ValidationError("Aucun document n'est en cours de signature.")
    document = DocumentConvention.objects.select_for_update().get(pk=document.pk)
    if document.etat == EtatDocument.A_PRODUIRE:
        raise ValidationError("Le document à signer est en cours de production : réessayez dans quelques instants.")
    attendue = partie_attendue(document)
    if partie != attendue:
        if partie in parties_signees(document):
            raise ValidationError(f"{org.nom} a déjà signé ce document.")
        raise ValidationError("Le bailleur signe en premier : la signature du réservataire suivra.")
    membership = Membership.objects.get(user=by, organisation=org)
    when = timezone.now()
    with document.fichier.open("rb") as handle:
        current = handle.read()
    if hashlib.sha256(current).hexdigest() != document.sha256:
        raise ValidationError("Le fichier enregistré ne correspond plus à son empreinte : signature impossible.")
    try:
        signed = pdfsign.sign_pdf(
            current,
            slot=partie,
            organisation_id=org.pk,
            organisation_name=org.nom,
            siren=org.siren,
            signer_name=by.get_full_name() or by.email,
            signer_function=membership.fonction,
            reason=f"Signature de la convention de réservation {convention.numero}",
            location=convention.perimetre_libelle,
            when=when,
        )
    except pdfsign.SignatureRefused as exc:
        raise ValidationError(str(exc)) from exc
    except pki.PkiError as exc:
        logger.error("Signature impossible, PKI indisponible : %s", exc)
        raise ValidationError(
            "La signature électronique est momentanément indisponible (autorité de certification de la plateforme "
            "absente ou illisible) : l'administrateur de la plateforme est prévenu. Rien n'a été signé."
        ) from exc
    digest = hashlib.sha256(signed).hexdigest()
    suffix = "signe" if len(parties_signees(document)) + 1 == len(ORDRE) else f"signe-{partie}"
    document.fichier.save(f"{document.reference}-{suffix}.pdf", ContentFile(signed), save=False)
    document.sha256, document.taille = digest, len(signed)
    complete = len(parties_signees(document)) + 1 == len(ORDRE)
    document.etat = EtatDocument.SIGNE_EN_PARTIE
    document.save()
    signature = Signature.objects.create(
        document=document,
        partie=partie,
        organisation=org,
        signataire=by,
        nom=by.get_full_name() or by.email,
        fonction=membership.fonction,
        le=when,
        sha256=digest,
    )
    workflow.perform(
        convention,
        "signer",
        by=by,
        version=document.version,
        type_evenement=TypeEvenement.SIGNATURE,
        message=f"{signature.nom} ({membership.fonction or 'signataire'}) signe pour {org.nom}.",
        details={"document": document.pk, "sha256": digest},
    )
    if complete:
        DocumentConvention.objects.filter(pk=document.pk).update(etat=EtatDocument.SIGNE, signe_le=when)
        workflow.perform(
            convention,
            "finaliser",
            version=document.version,
            message=f"Convention signée par les deux parties (document {document.reference}, SHA-256 {digest}).",
            details={"document": document.pk, "sha256": digest},
            version_en_vigueur=document.version,
            version_courante=document.version,
        )
    return signature


@transaction.atomic
def signature_refuse(*, convention: Convention, by: User, motif: str) -> Convention:
    """A signatory refuses to sign: back to negotiation, approvals withdrawn, document abandoned."""
    convention = convention_lock(convention)
    action = (
        "refuser_signature_avenant" if workflow.negociation_de(convention) == workflow.AVENANT else "refuser_signature"
    )
    workflow.check(convention, action, by)
    if not (motif or "").strip():
        raise ValidationError({"motif": "Indiquez pourquoi vous refusez de signer."})
    document = document_en_cours(convention)
    if document is not None:
        DocumentConvention.objects.filter(pk=document.pk).update(etat=EtatDocument.ABANDONNE)
    approvals_withdraw(convention.version_courante)
    workflow.perform(
        convention,
        action,
        by=by,
        version=convention.version_courante,
        message=f"Signature refusée. Motif : {motif}",
        details={"motif": motif, "document": document.pk if document else None},
    )
    return convention


def signer_peut(convention: Convention, user: User) -> bool:
    """Whether ``user`` may sign now (their party's turn, signataire role)."""
    if convention.statut != Statut.EN_SIGNATURE:
        return False
    partie = partie_attendue(document_en_cours(convention))
    return partie is not None and user_can(user, convention.organisation_de(partie), Capacite.SIGNER)


def signature_context(convention: Convention, user) -> dict:
    """The signature panel of the convention page."""
    document = document_en_cours(convention) or document_signe(convention)
    return {
        "document": document,
        "signatures": list(document.signatures.select_related("organisation")) if document else [],
        "partie_attendue": partie_attendue(document),
        "peut_signer": signer_peut(convention, user),
    }


@dataclass
class Verification:
    """What the verification page says of an uploaded file."""

    resultat: VerificationResult
    document: DocumentConvention | None
    conforme: bool  # byte-identical to a state the platform stored (after a signature, or the current file)

    @property
    def message_plateforme(self) -> str:
        if self.document is None:
            if self.resultat.reference:
                return (
                    "Ce fichier porte une référence de la plateforme, mais aucun document enregistré ne lui correspond."
                )
            return "Ce fichier n'est pas un document produit par la plateforme."
        if self.conforme:
            return (
                f"Identique à un état enregistré du document {self.document.reference} "
                f"({self.document.get_etat_display().lower()})."
            )
        return (
            f"Référence {self.document.reference} connue de la plateforme, mais ce fichier diffère de la version "
            "enregistrée (empreinte différente)."
        )


def document_verify(data: bytes) -> Verification:
    """Check an uploaded PDF: signatures (pyHanko against the platform CA) and the stored original."""
    resultat = verify_pdf(data)
    document = None
    if resultat.reference:
        document = DocumentConvention.objects.filter(reference=resultat.reference).select_related("convention").first()
    known = set()
    if document is not None:
        known = {document.sha256, *document.signatures.values_list("sha256", flat=True)}
    return Verification(resultat, document, resultat.sha256 in known)
