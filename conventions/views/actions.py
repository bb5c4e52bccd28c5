"""POST-only actions of the convention page: each calls one service and comes back to the page.

PermissionDenied propagates (the French 403 page); a ValidationError or a conflict becomes a message.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from conventions import selectors, services, signature
from conventions.forms import CommentForm, MotifForm
from conventions.models import Annexe, Commentaire, Convention, ConventionVersion
from conventions.views.edition import _propose
from conventions.views.pages import commentaires_context
from core.concurrency import ConflictError
from core.scoping import get_visible_or_404, scoped


def _back(convention):
    return redirect("conventions:convention_detail", pk=convention.pk)


def _run(request, convention, call, success: str):
    try:
        result = call()
    except ConflictError as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success(result) if callable(success) else success)
    return _back(convention)


def _motif(request) -> tuple[str, object]:
    form = MotifForm(request.POST)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    return (data.get("motif") or "").strip(), data.get("date_effet")


def _convention(request, pk) -> Convention:
    return get_visible_or_404(Convention, request.user, pk=pk)


@scoped(Convention)
@login_required
@require_POST
def draft_start(request, pk):
    convention = _convention(request, pk)
    try:
        services.version_draft_start(convention=convention, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back(convention)
    messages.success(request, "Nouvelle version en préparation : modifiez-la puis transmettez-la.")
    return redirect("conventions:draft_edit", pk=convention.pk)


@scoped(Convention)
@login_required
@require_POST
def draft_propose(request, pk):
    convention = _convention(request, pk)
    return _propose(request, convention, request.POST.get("resume", "")[:500])


@scoped(Convention)
@login_required
@require_POST
def draft_discard(request, pk):
    convention = _convention(request, pk)
    return _run(
        request,
        convention,
        lambda: services.version_draft_discard(convention=convention, by=request.user),
        "Projet de version abandonné.",
    )


@scoped(Convention)
@login_required
@require_POST
def approve(request, pk):
    convention = _convention(request, pk)
    version = get_visible_or_404(ConventionVersion, request.user, pk=request.POST.get("version"), convention=convention)

    return _run(
        request,
        convention,
        lambda: services.version_approve(convention=convention, version=version, by=request.user),
        lambda c: f"Version {version.numero} approuvée. Convention : {c.get_statut_display().lower()}.",
    )


@scoped(Convention)
@login_required
@require_POST
def reopen(request, pk):
    convention = _convention(request, pk)
    motif, _ = _motif(request)
    return _run(
        request,
        convention,
        lambda: services.convention_reopen(convention=convention, by=request.user, motif=motif),
        "Négociation rouverte : les approbations sont retirées.",
    )


@scoped(Convention)
@login_required
@require_POST
def abandon(request, pk):
    convention = _convention(request, pk)
    motif, _ = _motif(request)
    return _run(
        request,
        convention,
        lambda: services.convention_abandon(convention=convention, by=request.user, motif=motif),
        "Convention abandonnée.",
    )


@scoped(Convention)
@login_required
@require_POST
def avenant_open(request, pk):
    convention = _convention(request, pk)
    try:
        services.avenant_open(convention=convention, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back(convention)
    messages.success(request, "Avenant en préparation : la version signée reste en vigueur.")
    return redirect("conventions:draft_edit", pk=convention.pk)


@scoped(Convention)
@login_required
@require_POST
def avenant_abandon(request, pk):
    convention = _convention(request, pk)
    motif, _ = _motif(request)
    return _run(
        request,
        convention,
        lambda: services.avenant_abandon(convention=convention, by=request.user, motif=motif),
        "Avenant abandonné : la version signée reste en vigueur.",
    )


@scoped(Convention)
@login_required
@require_POST
def terminate(request, pk):
    convention = _convention(request, pk)
    motif, date_effet = _motif(request)
    return _run(
        request,
        convention,
        lambda: services.convention_terminate(
            convention=convention, by=request.user, motif=motif, date_effet=date_effet
        ),
        "Convention résiliée.",
    )


@scoped(Convention)
@login_required
@require_POST
def start_signature(request, pk):
    convention = _convention(request, pk)
    return _run(
        request,
        convention,
        lambda: signature.convention_start_signature(convention=convention, by=request.user),
        "Signature lancée : le document à signer est en cours de production (voir ci-dessous).",
    )


def _comments_response(request, convention, version=None, form=None):
    if request.htmx:
        if version is None:
            version = convention.version_courante or selectors.brouillon_de(convention)
        context = commentaires_context(request, convention, version)
        if form is not None and context["comment_form"] is not None:
            context["comment_form"] = form
        return render(request, "conventions/_commentaires.html", context)
    return redirect(reverse("conventions:convention_detail", kwargs={"pk": convention.pk}) + "#commentaires")


@scoped(Convention)
@login_required
@require_POST
def comment_add(request, pk):
    convention = _convention(request, pk)
    version = get_visible_or_404(ConventionVersion, request.user, pk=request.POST.get("version"), convention=convention)
    form = CommentForm(request.POST, version=version)
    if form.is_valid():
        try:
            services.comment_add(
                convention=convention,
                by=request.user,
                texte=form.cleaned_data["texte"],
                version=version,
                cible=form.cleaned_data["cible"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            if not request.htmx:
                messages.success(request, "Commentaire ajouté.")
            return _comments_response(request, convention, version)
    if not request.htmx:
        for error in form.errors.values():
            messages.error(request, " ".join(error))
    return _comments_response(request, convention, version, form)


@scoped(Convention, Commentaire)
@login_required
@require_POST
def comment_resolve(request, pk, commentaire_pk):
    convention = _convention(request, pk)
    commentaire = selectors.commentaires_visibles(convention, request.user).filter(pk=commentaire_pk).first()
    if commentaire is None:
        raise Http404("Commentaire introuvable.")
    version = None
    if request.POST.get("version"):
        version = get_visible_or_404(
            ConventionVersion, request.user, pk=request.POST.get("version"), convention=convention
        )
    try:
        services.comment_resolve(commentaire=commentaire, by=request.user)
    except ValidationError as exc:
        if not request.htmx:
            messages.error(request, " ".join(exc.messages))
    return _comments_response(request, convention, version)


@scoped(Convention, Annexe)
@login_required
def annexe_download(request, pk, annexe_pk):
    convention = _convention(request, pk)
    annexe = (
        Annexe.objects.filter(version__in=selectors.versions_visibles(convention, request.user).values("pk"))
        .filter(pk=annexe_pk)
        .first()
    )
    if annexe is None or not annexe.fichier:
        raise Http404("Annexe introuvable.")
    return FileResponse(annexe.fichier.open("rb"), as_attachment=True, filename=annexe.fichier.name.rsplit("/", 1)[-1])
