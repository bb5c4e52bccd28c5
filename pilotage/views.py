"""Dashboards for federations, réservataires and bailleurs; exports; reminder preferences."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods

from core.cache import generation
from pilotage import exports, selectors, services
from pilotage.forms import FiltresForm, PreferencesForm
from territoires.models import Departement


def _tableau(request) -> selectors.Tableau:
    organisation = selectors.organisation_du_tableau(request.user, request.GET.get("organisation"))
    return selectors.Tableau(request.user, organisation, selectors.Filtres.from_query(request.GET))


def _departements(t: selectors.Tableau):
    if t.organisation.est_federation and t.organisation.region_id:
        return Departement.objects.filter(region_id=t.organisation.region_id)
    return Departement.objects.filter(pk__in=t.toutes.values("departement_id"))


def _contenu(request, t: selectors.Tableau) -> str:
    """The dashboard panels, rendered once per organisation, filters and data generation.

    They depend only on the organisation (the user is one of its members: conventions_du_tableau
    restricts visible_to to that organisation's own conventions) and on the query string, so the
    rendered HTML is cached under those, and any convention write changes the generation.
    """
    params = sorted((k, v) for k, v in request.GET.items())
    key = f"pilotage:tableau:{generation('conventions')}:{t.organisation.pk}:{urlencode(params)}"
    seconds = settings.PILOTAGE_CACHE_SECONDS
    html = cache.get(key) if seconds else None
    if html is None:
        page = request.GET.get("page", "1")
        query = request.GET.copy()
        query["organisation"] = t.organisation.pk
        query.pop("page", None)
        context = {
            "organisation": t.organisation,
            "matrice": selectors.matrice(t, page=int(page) if page.isdigit() else 1),
            "statuts": selectors.compte_par_statut(t),
            "alertes": selectors.alertes(t),
            "graphiques": {"statuts": selectors.statuts_dans_le_temps(t), "objectifs": selectors.objectifs_par_epci(t)},
            "query": query.urlencode(),
            "liste_url": f"{reverse('pilotage:liste')}?{query.urlencode()}",
        }
        html = render_to_string("pilotage/_tableau.html", context)
        if seconds:
            cache.set(key, html, seconds)
    return mark_safe(html)  # noqa: S308 - our own template's output


@login_required
def tableau_de_bord(request):
    t = _tableau(request)
    return render(
        request,
        "pilotage/tableau_de_bord.html",
        {
            "organisation": t.organisation,
            "organisations": selectors.organisations_pilotees(request.user),
            "form": FiltresForm(request.GET or None, departements=_departements(t)),
            "contenu": _contenu(request, t),
        },
    )


@login_required
def liste(request):
    t = _tableau(request)
    organisation = t.organisation
    conventions = selectors.liste_conventions(t)
    paginator = Paginator(conventions, 100)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "pilotage/liste.html",
        {"organisation": organisation, "page": page, "query": query.urlencode(), "total": paginator.count},
    )


@login_required
def export(request, quoi, format):
    t = _tableau(request)
    base = f"{slugify(t.organisation.nom)[:40]}"
    if quoi == "matrice":
        rows = exports.matrice_rows(selectors.matrice(t, par_page=None))
        title, filename = "Matrice", f"matrice-{base}"
    else:
        rows = exports.convention_rows(selectors.liste_conventions(t))
        title, filename = "Conventions", f"conventions-{base}"
    if format == "csv":
        return exports.csv_response(rows, f"{filename}.csv")
    return exports.xlsx_response(rows, f"{filename}.xlsx", title)


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    form = PreferencesForm(
        request.POST if request.method == "POST" else None, initial={"actif": services.relances_actives(request.user)}
    )
    if request.method == "POST" and form.is_valid():
        services.preference_set(user=request.user, actif=form.cleaned_data["actif"])
        messages.success(
            request,
            "Vous recevrez les relances par courriel."
            if form.cleaned_data["actif"]
            else "Vous ne recevrez plus de relances par courriel.",
        )
        return redirect("pilotage:preferences")
    rappels = request.user.rappels.select_related("convention")[:50]
    return render(request, "pilotage/preferences.html", {"form": form, "rappels": rappels})
