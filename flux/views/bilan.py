"""Bilans annuels (CCH R.441-5-1) and mixité indicators: thin views over flux.services.bilan*."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.scoping import get_visible_or_404, scoped
from flux.exports_bilan import bilan_xlsx
from flux.models.orientation import Bilan
from flux.services import bilan as services
from flux.services import bilan_documents as documents
from flux.services import indicateurs
from reservataires.models import Capacite, Organisation
from territoires.models import Departement


def _annee(valeur, defaut: int) -> int:
    valeur = str(valeur or "").strip()
    return int(valeur) if valeur.isdigit() and 2000 <= int(valeur) <= 2100 else defaut


def _annee_du_bilan() -> int:
    """The year whose bilan is due now (before 28 February): last year."""
    return datetime.date.today().year - 1


def _bailleurs_redacteur(user):
    return Organisation.objects.acting_for(user, Capacite.REDIGER).bailleurs().order_by("nom")


def _bailleur_de_la_demande(request):
    pk = str(request.POST.get("bailleur", "")).strip()
    bailleur = _bailleurs_redacteur(request.user).filter(pk=pk).first() if pk.isdigit() else None
    if bailleur is None:
        raise Http404("Bailleur introuvable.")
    return bailleur


def _messages_erreur(request, exc) -> None:
    for message in getattr(exc, "messages", [str(exc)]):
        messages.error(request, message)


@login_required
def bilan_list(request):
    annee = _annee(request.GET.get("annee"), _annee_du_bilan())
    bilans = (
        Bilan.objects.visible_to(request.user)
        .filter(annee=annee)
        .select_related("convention__bailleur", "convention__reservataire")
        .order_by("convention__bailleur__nom", "convention__reservataire__nom")
    )
    aujourd_hui = datetime.date.today()
    lignes = [{"bilan": b, "en_retard": services.en_retard(b, aujourd_hui)} for b in bilans]
    return render(
        request,
        "flux/bilan/list.html",
        {
            "annee": annee,
            "annees": range(aujourd_hui.year - 4, aujourd_hui.year + 1),
            "lignes": lignes,
            "due_le": services.due_le(annee),
            "bailleurs": _bailleurs_redacteur(request.user),
        },
    )


@require_POST
@login_required
def bilan_calculer_annee(request):
    bailleur = _bailleur_de_la_demande(request)
    annee = _annee(request.POST.get("annee"), _annee_du_bilan())
    try:
        compte = services.bilans_calculer(bailleur=bailleur, annee=annee, by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        _messages_erreur(request, exc)
    else:
        messages.success(
            request,
            f"{compte['calcules']} bilan(s) {annee} calculé(s) pour {bailleur}"
            + (f" ; {compte['envoyes']} déjà envoyé(s), laissé(s) en l'état." if compte["envoyes"] else "."),
        )
    return redirect(f"{reverse('flux:bilan_list')}?annee={annee}")


def _lot(request, demander):
    bailleur = _bailleur_de_la_demande(request)
    annee = _annee(request.POST.get("annee"), _annee_du_bilan())
    bilans = list(
        Bilan.objects.visible_to(request.user, "edit")
        .filter(convention__bailleur=bailleur, annee=annee)
        .select_related("convention__bailleur")
    )
    try:
        job = demander(bilans=bilans, by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        _messages_erreur(request, exc)
        return redirect(f"{reverse('flux:bilan_list')}?annee={annee}")
    messages.info(request, "Tâche lancée : suivez son avancement ci-dessous.")
    return redirect("job_detail", pk=job.pk)


@require_POST
@login_required
def bilans_produire(request):
    return _lot(request, documents.bilans_pdf_demander)


@require_POST
@login_required
def bilans_envoyer(request):
    return _lot(request, documents.bilans_envoi_demander)


@scoped(Bilan)
@login_required
def bilan_detail(request, pk):
    bilan = get_visible_or_404(Bilan, request.user, pk=pk)
    contexte = documents.pdf_context(bilan)
    contexte.update(
        en_retard=services.en_retard(bilan),
        peut_rediger=Bilan.objects.visible_to(request.user, "edit").filter(pk=bilan.pk).exists(),
        organisations_destinataires=documents.organisations_destinataires(bilan),
    )
    return render(request, "flux/bilan/detail.html", contexte)


def _bilan_modifiable(request, pk) -> Bilan:
    return get_visible_or_404(Bilan, request.user, "edit", pk=pk)


@scoped(Bilan)
@require_POST
@login_required
def bilan_recalculer(request, pk):
    bilan = _bilan_modifiable(request, pk)
    try:
        services.calculer_bilan(bilan.convention, bilan.annee, by=request.user)
        messages.success(request, "Bilan recalculé.")
    except ValidationError as exc:
        _messages_erreur(request, exc)
    return redirect("flux:bilan_detail", pk=bilan.pk)


def _un(request, pk, demander):
    bilan = _bilan_modifiable(request, pk)
    try:
        job = demander(bilans=[bilan], by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        _messages_erreur(request, exc)
        return redirect("flux:bilan_detail", pk=bilan.pk)
    messages.info(request, "Tâche lancée : suivez son avancement ci-dessous.")
    return redirect("job_detail", pk=job.pk)


@scoped(Bilan)
@require_POST
@login_required
def bilan_produire(request, pk):
    return _un(request, pk, documents.bilans_pdf_demander)


@scoped(Bilan)
@require_POST
@login_required
def bilan_envoyer(request, pk):
    return _un(request, pk, documents.bilans_envoi_demander)


@scoped(Bilan)
@login_required
def bilan_pdf(request, pk):
    bilan = get_visible_or_404(Bilan, request.user, pk=pk)
    if not bilan.pdf:
        raise Http404("Le PDF de ce bilan n'a pas encore été produit.")
    return FileResponse(bilan.pdf.open("rb"), as_attachment=True, filename=f"{documents.reference_de(bilan)}.pdf")


@scoped(Bilan)
@login_required
def bilan_export_xlsx(request, pk):
    return bilan_xlsx(get_visible_or_404(Bilan, request.user, pk=pk))


@login_required
def indicateurs_mixite(request):
    annee = _annee(request.GET.get("annee"), _annee_du_bilan())
    departement = str(request.GET.get("departement", "")).strip()
    if departement and not Departement.objects.filter(pk=departement).exists():
        departement = ""
    attributions = indicateurs.attributions_visibles(request.user)
    return render(
        request,
        "flux/bilan/indicateurs.html",
        {
            "annee": annee,
            "annees": range(datetime.date.today().year - 4, datetime.date.today().year + 1),
            "departement": departement,
            "departements": Departement.objects.order_by("code"),
            "epcis": indicateurs.mixite_par_epci(attributions, annee, departement or None),
            "reservataires": indicateurs.prioritaires_par_reservataire(attributions, annee, departement or None),
        },
    )
