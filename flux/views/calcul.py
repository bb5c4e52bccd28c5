"""Pages of the annual flux runs: list and launch form, then progress and summary of one run."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from core.scoping import get_visible_or_404, scoped
from flux.forms import annee_courante
from flux.models import CalculFlux, ModeCalcul
from flux.services.flux_annuel.calcul import calcul_lancer
from reservataires.models import Capacite, Organisation


def _bailleurs(user):
    return Organisation.objects.acting_for(user, Capacite.REDIGER).bailleurs().order_by("nom")


@login_required
def calcul_list(request):
    bailleurs = _bailleurs(request.user)
    if request.method == "POST":
        annee = request.POST.get("annee", "").strip()
        choisi = request.POST.get("bailleur", "").strip()
        bailleur = bailleurs.filter(pk=int(choisi)).first() if choisi.isdigit() else None
        try:
            if choisi and bailleur is None:
                raise ValidationError("Bailleur inconnu ou non accessible.")
            calcul = calcul_lancer(
                user=request.user,
                annee=int(annee) if annee.isdigit() else 0,
                mode=request.POST.get("mode", ""),
                bailleur=bailleur,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Calcul lancé.")
            return redirect("flux:calcul_detail", pk=calcul.pk)
    calculs = CalculFlux.objects.visible_to(request.user).select_related("bailleur", "job")[:100]
    return render(
        request,
        "flux/calcul/list.html",
        {
            "calculs": calculs,
            "bailleurs": bailleurs,
            "modes": ModeCalcul.choices,
            "annee": annee_courante(),
            "national": request.user.is_staff,
        },
    )


@scoped(CalculFlux)
@login_required
def calcul_detail(request, pk):
    calcul = get_visible_or_404(CalculFlux, request.user, pk=pk)
    job = calcul.job
    progress = job.live_progress() if job else {}
    template = "core/_job_progress.html" if request.htmx and job else "flux/calcul/detail.html"
    return render(request, template, {"calcul": calcul, "job": job, "progress": progress})
