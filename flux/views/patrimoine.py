from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render

from core.models import Job
from core.scoping import get_visible_or_404, scoped
from flux import exports, selectors
from flux.forms import ImportPatrimoineForm
from flux.models import Financement, Logement
from flux.services import patrimoine as services
from flux.services.rpls import COLONNES
from flux.views.communs import bailleur_ou_404, peut_rediger
from reservataires.models import Organisation


@login_required
def patrimoine_list(request):
    bailleurs = selectors.bailleurs_visibles(request.user).annotate(
        nb_logements=Count("logements", distinct=True), nb_qpv=Count("logements", filter=Q(logements__qpv=True))
    )
    return render(request, "flux/patrimoine_list.html", {"bailleurs": bailleurs})


@scoped(Organisation)
@login_required
def patrimoine_detail(request, pk):
    bailleur = bailleur_ou_404(request, pk)
    stats = selectors.patrimoine_stats(bailleur)
    return render(
        request,
        "flux/patrimoine_detail.html",
        {
            "bailleur": bailleur,
            "stats": stats,
            "graph_financement": {
                "labels": [f["code"] for f in stats["par_financement"]],
                "valeurs": [f["n"] for f in stats["par_financement"]],
                "titre": "Logements",
            },
            "imports": selectors.imports_recents(bailleur, request.user),
            "evenements": selectors.evenements_recents(bailleur, request.user),
            "peut_rediger": peut_rediger(request, bailleur),
        },
    )


@scoped(Organisation)
@login_required
def logement_list(request, pk):
    bailleur = bailleur_ou_404(request, pk)
    logements = Logement.objects.visible_to(request.user).filter(bailleur=bailleur).select_related("commune", "epci")
    filtres = {
        "departement": request.GET.get("departement", "").strip(),
        "commune": request.GET.get("commune", "").strip(),
        "financement": request.GET.get("financement", ""),
        "qpv": request.GET.get("qpv", ""),
        "typologie": request.GET.get("typologie", ""),
        "q": request.GET.get("q", "").strip(),
    }
    if filtres["departement"]:
        logements = logements.filter(departement_id=filtres["departement"])
    if filtres["commune"]:
        logements = logements.filter(commune_id=filtres["commune"])
    if filtres["financement"] in Financement.values:
        logements = logements.filter(financement=filtres["financement"])
    if filtres["qpv"] in ("oui", "non"):
        logements = logements.filter(qpv=filtres["qpv"] == "oui")
    if filtres["typologie"].isdigit():
        logements = logements.filter(typologie=int(filtres["typologie"]))
    if filtres["q"]:
        logements = logements.filter(Q(rpls_id__startswith=filtres["q"]) | Q(programme__icontains=filtres["q"]))
    page = Paginator(logements.order_by("rpls_id"), 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "flux/logement_list.html",
        {
            "bailleur": bailleur,
            "page": page,
            "filtres": filtres,
            "financements": Financement.choices,
            "typologies": [(t, f"T{t}" if t < 6 else "T6 et +") for t in range(1, 7)],
            "query": query.urlencode(),
        },
    )


@scoped(Organisation)
@login_required
def patrimoine_import(request, pk):
    bailleur = bailleur_ou_404(request, pk)
    if not peut_rediger(request, bailleur):
        raise PermissionDenied("Seuls les rédacteurs et administrateurs du bailleur peuvent importer le patrimoine.")
    form = ImportPatrimoineForm()
    if request.method == "POST":
        form = ImportPatrimoineForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                job = services.patrimoine_import_demander(
                    bailleur=bailleur,
                    fichier=form.cleaned_data["fichier"],
                    by=request.user,
                    remplacer=form.cleaned_data["remplacer"],
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.info(request, "Import lancé : suivez son avancement ci-dessous.")
                return redirect("job_detail", pk=job.pk)
    return render(
        request,
        "flux/patrimoine_import.html",
        {
            "bailleur": bailleur,
            "form": form,
            "colonnes": COLONNES,
            "imports": selectors.imports_recents(bailleur, request.user),
        },
    )


@login_required
def modele(request, type_, format_):
    return exports.modele(type_, format_)


@scoped(Job)
@login_required
def import_rapport(request, pk):
    job = get_visible_or_404(Job, request.user, pk=pk)
    if not job.kind.startswith("flux.import") or not job.result_file:
        raise Http404("Pas de rapport pour cette tâche.")
    return FileResponse(
        job.result_file.open("rb"),
        as_attachment=True,
        filename=f"rapport-import-{job.pk}.csv",
        content_type="text/csv; charset=utf-8",
    )
