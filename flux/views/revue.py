"""Review screens: a réservataire's objectives per EPCI across bailleurs, with its own targets."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.concurrency import ConflictError
from flux import exports_revue
from flux import selectors_revue as selectors
from flux.forms import annee_courante
from flux.models import ModeCalcul
from flux.services import revue as services
from reservataires.models import Capacite, Organisation
from territoires.models import Departement


def _parametres(request, donnees):
    reservataires = list(selectors.reservataires_de(request.user))
    choisi = str(donnees.get("reservataire", "")).strip()
    reservataire = next((r for r in reservataires if str(r.pk) == choisi), reservataires[0] if reservataires else None)
    annee = str(donnees.get("annee", "")).strip()
    annee = int(annee) if annee.isdigit() and 2000 <= int(annee) <= 2100 else annee_courante()
    departement = str(donnees.get("departement", "")).strip()
    if departement and not Departement.objects.filter(pk=departement).exists():
        departement = ""
    return reservataires, reservataire, annee, departement or None


@login_required
def revue_objectifs(request):
    reservataires, reservataire, annee, departement = _parametres(request, request.GET)
    contexte = {"reservataires": reservataires, "reservataire": reservataire, "annee": annee}
    if reservataire is None:
        return render(request, "flux/revue/objectifs.html", contexte)
    revue = selectors.revue_objectifs(request.user, reservataire, annee, departement)
    editable = selectors.reservataires_de(request.user, Capacite.REDIGER).filter(pk=reservataire.pk).exists()
    contexte.update(
        revue=revue,
        totaux=revue.totaux,
        graphique=selectors.graphique(revue),
        editable=editable,
        departement=departement or "",
        departements=Departement.objects.order_by("code"),
        annees=range(annee_courante() - 3, annee_courante() + 3),
        query=f"reservataire={reservataire.pk}&annee={annee}&departement={departement or ''}",
    )
    return render(request, "flux/revue/objectifs.html", contexte)


@login_required
def revue_objectifs_xlsx(request):
    _, reservataire, annee, departement = _parametres(request, request.GET)
    if reservataire is None:
        raise Http404("Cette revue est réservée aux réservataires.")
    return exports_revue.revue_xlsx(
        selectors.revue_objectifs(request.user, reservataire, annee, departement), departement
    )


@require_POST
@login_required
def revue_cible(request):
    _, reservataire, annee, departement = _parametres(request, request.POST)
    if reservataire is None or str(reservataire.pk) != request.POST.get("reservataire", "").strip():
        raise Http404("Réservataire introuvable.")
    epci_id = request.POST.get("epci", "").strip()[:9]
    try:
        services.cible_enregistrer(
            user=request.user,
            reservataire=reservataire,
            epci_id=epci_id,
            annee=annee,
            nombre=request.POST.get("nombre", ""),
            attendu=request.POST.get("modifie_le", "").strip(),
        )
        messages.success(request, "Objectif enregistré.")
    except PermissionDenied:
        raise
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except ConflictError as exc:
        messages.error(request, str(exc))
    url = reverse("flux:revue_objectifs")
    return redirect(f"{url}?reservataire={reservataire.pk}&annee={annee}&departement={departement or ''}")


@login_required
def flux_resultats(request):
    annee = request.GET.get("annee", "").strip()
    annee = int(annee) if annee.isdigit() and 2000 <= int(annee) <= 2100 else annee_courante()
    mode = request.GET.get("mode", "").strip()
    mode = mode if mode in ModeCalcul.values else ModeCalcul.SIGNEES
    bailleurs = Organisation.objects.visible_to(request.user).bailleurs().order_by("nom")
    bailleur = request.GET.get("bailleur", "").strip()
    bailleur = int(bailleur) if bailleur.isdigit() and bailleurs.filter(pk=int(bailleur)).exists() else None
    departement = request.GET.get("departement", "").strip()[:3]
    departement = departement if departement and Departement.objects.filter(pk=departement).exists() else None
    resultats = selectors.resultats_par_epci(request.user, annee, mode, bailleur, departement)
    return render(
        request,
        "flux/revue/resultats.html",
        {
            **resultats,
            "annee": annee,
            "mode": mode,
            "modes": ModeCalcul.choices,
            "bailleur": bailleur,
            "bailleurs": bailleurs,
            "departement": departement or "",
            "departements": Departement.objects.order_by("code"),
            "annees": range(annee_courante() - 3, annee_courante() + 3),
        },
    )
