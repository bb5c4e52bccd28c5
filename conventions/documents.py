"""The convention's PDF: its context (one template for the HTML preview and the PDF) and its production.

The document is built from the validated version only: parties and signatories, visas, every
term, the EPCI objectives, the clauses and the annexes of that version (the état des lieux summary
and the calculation note are annexes written when the draft was seeded from the conversion).
"""

import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from conventions import diff
from conventions.models import Convention, ConventionVersion, DocumentConvention, EtatDocument, TypeEvenement
from core.pdf import DocumentKind, DocumentPdf, render_pdf, signature_blocks
from reservataires.models import Membership, Organisation, Role

TEMPLATE = "pdf/convention.html"
TITRE = "Convention de réservation de logements locatifs sociaux en flux"


def reference_for(convention: Convention, version: ConventionVersion) -> str:
    """``CR-59-00012-v3``; a second document for the same version (after a refused signature) gets ``-2``."""
    base = f"{convention.numero}-v{version.numero}"
    existing = DocumentConvention.objects.filter(reference__startswith=base).count()
    return base if existing == 0 else f"{base}-{existing + 1}"


def signataire_de(organisation: Organisation) -> Membership | None:
    """The person expected to sign for ``organisation``: its first active signataire."""
    return (
        Membership.objects.filter(organisation=organisation, role=Role.SIGNATAIRE, user__is_active=True)
        .select_related("user")
        .order_by("cree_le", "pk")
        .first()
    )


def _partie(organisation: Organisation) -> dict:
    membership = signataire_de(organisation)
    return {
        "organisation": organisation,
        "nom": organisation.nom,
        "forme": organisation.get_type_display(),
        "siren": organisation.siren,
        "adresse": organisation.adresse,
        "representant": membership.user.get_full_name() if membership else "",
        "fonction": membership.fonction if membership else "",
    }


def document_kind(version: ConventionVersion) -> DocumentKind:
    return DocumentKind.AVENANT if version.avenant_numero else DocumentKind.CONVENTION


def pdf_context(document: DocumentConvention) -> dict:
    version, convention = document.version, document.convention
    bailleur, reservataire = _partie(convention.bailleur), _partie(convention.reservataire)
    titre = TITRE if not version.avenant_numero else f"Avenant n° {version.avenant_numero} à la {TITRE.lower()}"
    objectifs = diff.objectifs(version)
    signataire = {
        key: (p["nom"], ", ".join(x for x in (p["representant"], p["fonction"]) if x))
        for key, p in (("bailleur", bailleur), ("reservataire", reservataire))
    }
    return {
        "document": DocumentPdf(
            reference=document.reference,
            kind=document_kind(version),
            title=titre,
            subject=f"{convention.bailleur.nom} – {convention.reservataire.nom} – {convention.perimetre_libelle}",
        ),
        "convention": convention,
        "version": version,
        "bailleur": bailleur,
        "reservataire": reservataire,
        "termes": diff.termes(version),
        "objectifs": objectifs,
        "totaux_objectifs": diff.totaux_objectifs(objectifs),
        "clauses": list(version.clauses.all()),
        "annexes": list(version.annexes.all()),
        "est_prefet": convention.reservataire.type == "prefet",
        "signatures": signature_blocks(**signataire),
        "verification_url": settings.SITE_URL + reverse("verification"),
        "approbations": list(version.approbations.filter(retiree_le__isnull=True).select_related("organisation")),
    }


def document_produce(document_id: int, job=None) -> dict:
    """Render the PDF of a document awaiting production (Celery task body). Idempotent."""
    from conventions.services import journal

    document = DocumentConvention.objects.select_related("convention", "version").get(pk=document_id)
    if document.etat != EtatDocument.A_PRODUIRE:
        return {"message": "Document déjà produit."}
    if job is not None:
        job.report_progress(0, 2, "Mise en page du document")
    pdf = render_pdf(TEMPLATE, pdf_context(document))
    if job is not None:
        job.report_progress(1, 2, "Enregistrement du PDF")
    digest = hashlib.sha256(pdf).hexdigest()
    with transaction.atomic():
        locked = DocumentConvention.objects.select_for_update().get(pk=document.pk)
        if locked.etat != EtatDocument.A_PRODUIRE:
            return {"message": "Document déjà produit."}
        locked.fichier.save(f"{locked.reference}.pdf", ContentFile(pdf), save=False)
        locked.sha256, locked.taille = digest, len(pdf)
        locked.etat, locked.produit_le = EtatDocument.PRET, timezone.now()
        locked.save()
        journal(
            locked.convention,
            TypeEvenement.DOCUMENT,
            f"Document à signer produit ({locked.reference}, {len(pdf) // 1024} ko, SHA-256 {digest[:12]}…).",
            version=locked.version,
            details={"document": locked.pk, "sha256": digest},
        )
    return {
        "message": f"Le document {locked.reference} est prêt à être signé.",
        "url": reverse("conventions:convention_detail", args=[locked.convention_id]),
        "result": {"resume": {"Document": locked.reference, "Taille (ko)": len(pdf) // 1024}},
    }
