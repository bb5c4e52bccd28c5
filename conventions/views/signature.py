"""Signature pages: the document to sign (preview and PDF), signing after re-authentication, refusal,
and the public verification page."""

from datetime import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from conventions import documents, signature
from conventions.models import Convention, DocumentConvention
from conventions.views.actions import _back, _convention, _motif
from core.forms import StyledForm
from core.pdf import render_html
from core.scoping import scoped

SESSION_REAUTH = "reauthentifie_le"
MAX_UPLOAD = 20 * 1024 * 1024


class ReauthForm(StyledForm):
    mot_de_passe = forms.CharField(
        label="Confirmez votre mot de passe", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class VerificationForm(StyledForm):
    fichier = forms.FileField(label="Fichier PDF à vérifier", help_text="20 Mo au plus.")

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if fichier.size > MAX_UPLOAD:
            raise ValidationError("Le fichier dépasse 20 Mo.")
        return fichier


def reauthenticated_at(request) -> datetime | None:
    raw = request.session.get(SESSION_REAUTH)
    return datetime.fromisoformat(raw) if raw else None


def _document(convention: Convention, document_pk: int) -> DocumentConvention:
    try:
        return convention.documents.get(pk=document_pk)
    except DocumentConvention.DoesNotExist as exc:
        raise Http404("Document introuvable.") from exc


@scoped(Convention, DocumentConvention)
@login_required
def document_download(request, pk, documentconvention_pk):
    document = _document(_convention(request, pk), documentconvention_pk)
    if not document.fichier:
        raise Http404("Le document n'est pas encore produit.")
    return FileResponse(
        document.fichier.open("rb"), content_type="application/pdf", filename=f"{document.reference}.pdf"
    )


@scoped(Convention, DocumentConvention)
@login_required
def document_preview(request, pk, documentconvention_pk):
    """The same template as the PDF, as HTML: what the signatory reads is what gets signed."""
    document = _document(_convention(request, pk), documentconvention_pk)
    return HttpResponse(render_html(documents.TEMPLATE, documents.pdf_context(document), request=request))


@scoped(Convention)
@login_required
@require_http_methods(["GET", "POST"])
def sign(request, pk):
    convention = _convention(request, pk)
    document = signature.document_en_cours(convention)
    if document is None:
        messages.error(request, "Aucun document n'est en cours de signature.")
        return _back(convention)
    form = ReauthForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, username=request.user.email, password=form.cleaned_data["mot_de_passe"])
        if user is None or user.pk != request.user.pk:
            form.add_error("mot_de_passe", "Mot de passe incorrect : la signature n'a pas été apposée.")
        else:
            request.session[SESSION_REAUTH] = timezone.now().isoformat()
            try:
                done = signature.convention_sign(
                    convention=convention, by=request.user, reauthenticated_at=reauthenticated_at(request)
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return _back(convention)
            convention.refresh_from_db()
            if convention.statut == "signee":
                messages.success(request, "Signature apposée : la convention est signée par les deux parties.")
            else:
                messages.success(request, f"Signature apposée pour {done.organisation.nom}.")
            return _back(convention)
    return render(
        request,
        "conventions/signer.html",
        {
            "convention": convention,
            "document": document,
            "form": form,
            "peut_signer": signature.signer_peut(convention, request.user),
            **signature.signature_context(convention, request.user),
        },
    )


@scoped(Convention)
@login_required
@require_POST
def refuse_signature(request, pk):
    convention = _convention(request, pk)
    motif, _ = _motif(request)
    try:
        signature.signature_refuse(convention=convention, by=request.user, motif=motif)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Signature refusée : la négociation est rouverte.")
    return _back(convention)


@require_http_methods(["GET", "POST"])
def verification(request):
    """Public: anyone holding a PDF can check whether the platform produced it and who signed it."""
    form = VerificationForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = signature.document_verify(form.cleaned_data["fichier"].read())
    return render(request, "conventions/verification.html", {"form": form, "verification": result})
