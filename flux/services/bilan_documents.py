"""The bilan as a document: its PDF (the conventions' WeasyPrint pipeline, core.pdf), and its sending
by email to the réservataire and to the EPCI concerned (CCH R.441-5-1).

Both run in Celery through core Job (one job for a batch of bilans, progress visible in the
browser). Both are idempotent: a produced PDF is not re-rendered, a sent bilan is never sent again
(the row is locked, checked, mailed and marked in one transaction).
"""

from __future__ import annotations

import hashlib
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.jobs import Job, job_create, job_enqueue
from core.pdf import DocumentKind, DocumentPdf, render_pdf
from flux.models.orientation import Bilan, StatutBilan
from flux.services import bilan as calcul
from flux.services.journal import evenement_log
from flux.services.patrimoine import verifier_redacteur
from reservataires.models import Organisation, TypeOrganisation, User

TEMPLATE = "pdf/bilan.html"
TITRE = "Bilan annuel des logements proposés et attribués"


def reference_de(bilan: Bilan) -> str:
    base = bilan.convention.numero or f"CONV-{bilan.convention_id}"
    return re.sub(r"[^A-Za-z0-9._-]", "-", f"BIL-{bilan.annee}-{base}")[:64]


def pdf_context(bilan: Bilan) -> dict:
    convention = bilan.convention
    donnees = bilan.donnees or {}
    ventilations = [
        {"cle": cle, "titre": titre, "lignes": donnees.get("ventilations", {}).get(cle, [])}
        for cle, (titre, _champ, _nom) in calcul.VENTILATIONS.items()
    ]
    return {
        "document": DocumentPdf(
            reference=reference_de(bilan),
            kind=DocumentKind.BILAN,
            title=f"{TITRE} en {bilan.annee}",
            subject=f"{convention.bailleur.nom} – {convention.reservataire.nom} – {convention.perimetre_libelle}",
        ),
        "bilan": bilan,
        "convention": convention,
        "donnees": donnees,
        "totaux": donnees.get("totaux", {}),
        "ventilations": ventilations,
        "due_le": calcul.due_le(bilan.annee),
        "seuil_prioritaires": settings.FLUX_SEUIL_PRIORITAIRES,
    }


def bilan_pdf_produire(bilan_id: int) -> bool:
    """Render and store the PDF of a computed bilan; False when there is nothing to do."""
    bilan = Bilan.objects.select_related("convention__bailleur", "convention__reservataire").get(pk=bilan_id)
    if bilan.statut != StatutBilan.BROUILLON:
        return False
    pdf = render_pdf(TEMPLATE, pdf_context(bilan))
    digest = hashlib.sha256(pdf).hexdigest()
    with transaction.atomic():
        locked = Bilan.objects.select_for_update().get(pk=bilan.pk)
        if locked.statut != StatutBilan.BROUILLON or locked.lock_version != bilan.lock_version:
            return False  # produced meanwhile, or recomputed: the rendered figures are stale
        locked.pdf.save(f"{reference_de(bilan)}.pdf", ContentFile(pdf), save=False)
        locked.sha256, locked.statut = digest, StatutBilan.PRODUIT
        locked.save(update_fields=["pdf", "sha256", "statut"])
        evenement_log(
            bailleur=bilan.convention.bailleur,
            type="bilan",
            message=f"Bilan {bilan.annee} de {bilan.convention.reservataire} : PDF produit (SHA-256 {digest[:12]}…).",
            details={"bilan": bilan.pk, "sha256": digest},
        )
    return True


def organisations_destinataires(bilan: Bilan) -> list[Organisation]:
    """The réservataire, then the EPCI organisations whose territory appears in the bilan's figures."""
    epcis = {ligne["code"] for ligne in (bilan.donnees or {}).get("ventilations", {}).get("epci", [])}
    epcis |= {ligne["epci_id"] for ligne in (bilan.donnees or {}).get("objectifs_epci", [])}
    organisations = [bilan.convention.reservataire]
    organisations += list(
        Organisation.objects.filter(type=TypeOrganisation.EPCI, actif=True, epci_id__in=epcis)
        .exclude(pk=bilan.convention.reservataire_id)
        .order_by("nom")
    )
    return organisations


def destinataires_de(bilan: Bilan) -> list[dict]:
    vus, resultat = set(), []
    for organisation in organisations_destinataires(bilan):
        emails = (
            User.objects.filter(memberships__organisation=organisation, is_active=True)
            .order_by("email")
            .values_list("email", flat=True)
        )
        for email in emails:
            if email and email not in vus:
                vus.add(email)
                resultat.append({"organisation": organisation.nom, "email": email})
    return resultat


def bilan_envoyer(bilan_id: int) -> bool:
    """Send the produced PDF once; False when already sent (a re-run never mails twice)."""
    with transaction.atomic():
        bilan = (
            Bilan.objects.select_for_update(of=("self",))
            .select_related("convention__bailleur", "convention__reservataire")
            .get(pk=bilan_id)
        )
        if bilan.statut == StatutBilan.ENVOYE:
            return False
        if bilan.statut != StatutBilan.PRODUIT or not bilan.pdf:
            raise ValidationError("Le PDF du bilan doit être produit avant l'envoi.")
        destinataires = destinataires_de(bilan)
        if not destinataires:
            raise ValidationError(
                f"Aucun destinataire : {bilan.convention.reservataire} n'a aucun membre actif avec une adresse."
            )
        convention = bilan.convention
        message = EmailMessage(
            subject=f"Bilan annuel {bilan.annee} des attributions – {convention.bailleur.nom}",
            body=(
                f"Bonjour,\n\nVeuillez trouver ci-joint le bilan annuel {bilan.annee} des logements proposés et "
                f"attribués au titre de la convention {convention.numero or ''} entre {convention.bailleur.nom} et "
                f"{convention.reservataire.nom} ({convention.perimetre_libelle}), établi en application de "
                f"l'article R.441-5-1 du code de la construction et de l'habitation.\n\n"
                f"Réalisé : {bilan.realise} logement(s) pour un objectif de {bilan.objectif} "
                f"(écart {bilan.ecart:+d}).\nEmpreinte SHA-256 du document : {bilan.sha256}\n\n"
                f"Ce message est envoyé automatiquement par la plateforme Flux réservations."
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[d["email"] for d in destinataires],
        )
        with bilan.pdf.open("rb") as fichier:
            message.attach(f"{reference_de(bilan)}.pdf", fichier.read(), "application/pdf")
        message.send()
        bilan.statut, bilan.envoye_le, bilan.destinataires = StatutBilan.ENVOYE, timezone.now(), destinataires
        bilan.save(update_fields=["statut", "envoye_le", "destinataires"])
        evenement_log(
            bailleur=convention.bailleur,
            type="bilan",
            message=(
                f"Bilan {bilan.annee} envoyé à {len(destinataires)} destinataire(s) : "
                + ", ".join(sorted({d["organisation"] for d in destinataires}))
            ),
            details={"bilan": bilan.pk, "destinataires": [d["email"] for d in destinataires]},
        )
    return True


# --- Jobs ----------------------------------------------------------------------------------------


def _demander(*, bilans, by, statut: str, kind: str, libelle: str, task) -> Job:
    bilans = [b for b in bilans if b.statut == statut]
    if not bilans:
        raise ValidationError(
            "Aucun bilan à traiter : "
            + ("calculez d'abord les bilans." if statut == StatutBilan.BROUILLON else "produisez d'abord les PDF.")
        )
    bailleurs = {b.convention.bailleur_id for b in bilans}
    if len(bailleurs) != 1:
        raise ValidationError("Une demande ne porte que sur les bilans d'un seul bailleur.")
    bailleur = bilans[0].convention.bailleur
    verifier_redacteur(by, bailleur, libelle)
    annees = sorted({b.annee for b in bilans})
    job = job_create(
        kind=kind,
        label=f"{libelle[0].upper()}{libelle[1:]} ({len(bilans)} bilan(s) {', '.join(map(str, annees))})",
        by=by,
        organisation=bailleur,
        params={"bilans": [b.pk for b in bilans]},
    )
    job_enqueue(job, task)
    return job


def bilans_pdf_demander(*, bilans, by) -> Job:
    from flux.tasks_bilan import bilans_pdf

    return _demander(
        bilans=bilans, by=by, statut=StatutBilan.BROUILLON, kind="flux.bilan_pdf", libelle="produire les PDF",
        task=bilans_pdf,
    )  # fmt: skip


def bilans_envoi_demander(*, bilans, by) -> Job:
    from flux.tasks_bilan import bilans_envoi

    return _demander(
        bilans=bilans, by=by, statut=StatutBilan.PRODUIT, kind="flux.bilan_envoi", libelle="envoyer les bilans",
        task=bilans_envoi,
    )  # fmt: skip


def _lot(job: Job, travail, verbe: str) -> dict:
    ids = job.params.get("bilans", [])
    faits, erreurs = 0, []
    for i, bilan_id in enumerate(ids):
        job.report_progress(i, len(ids), f"Bilan {i + 1} sur {len(ids)}")
        try:
            faits += bool(travail(bilan_id))
        except ValidationError as exc:  # one bilan in error does not stop the batch
            erreurs.append(" ".join(exc.messages))
    job.report_progress(len(ids), len(ids))
    if erreurs and not faits:
        raise ValidationError(erreurs)
    url = reverse("flux:bilan_detail", args=[ids[0]]) if len(ids) == 1 else reverse("flux:bilan_list")
    resume = {"Bilans demandés": len(ids), f"Bilans {verbe}": faits}
    if erreurs:
        resume["Bilans en erreur"] = f"{len(erreurs)} : " + " ; ".join(erreurs[:5])
    return {
        "message": f"{faits} bilan(s) {verbe} ; {len(ids) - faits - len(erreurs)} déjà traité(s).",
        "url": url,
        "result": {"resume": resume},
    }


def bilans_pdf_job(job: Job) -> dict:
    return _lot(job, bilan_pdf_produire, "produits")


def bilans_envoi_job(job: Job) -> dict:
    return _lot(job, bilan_envoyer, "envoyés")
