from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.scoping import get_visible_or_404, scoped
from flux import exports, selectors
from flux.forms import ImportFichierForm, ReservationForm, annee_courante
from flux.models import Fondement, ReservationStock
from flux.services import etat_des_lieux as services
from flux.services.etat_des_lieux import COLONNES
from flux.views.communs import bailleur_ou_404, peut_rediger
from reservataires.models import Organisation


def _filtrer(request):
    reservations = ReservationStock.objects.visible_to(request.user).select_related(
        "bailleur", "reservataire", "departement", "commune"
    )
    f = {k: request.GET.get(k, "").strip() for k in ("bailleur", "reservataire", "departement", "fondement", "annee")}
    if f["bailleur"].isdigit():
        reservations = reservations.filter(bailleur_id=int(f["bailleur"]))
    if f["reservataire"].isdigit():
        reservations = reservations.filter(reservataire_id=int(f["reservataire"]))
    if f["departement"]:
        reservations = reservations.filter(departement_id=f["departement"])
    if f["fondement"] in Fondement.values:
        reservations = reservations.filter(fondement=f["fondement"])
    if f["annee"].isdigit() and 2000 <= int(f["annee"]) <= 2100:
        reservations = reservations.vivantes(int(f["annee"]))
    return reservations, f


@login_required
def stock_list(request):
    reservations, filtres = _filtrer(request)
    visibles = ReservationStock.objects.visible_to(request.user)
    bailleurs = Organisation.objects.filter(pk__in=visibles.values("bailleur")).order_by("nom")
    reservataires = Organisation.objects.filter(pk__in=visibles.values("reservataire")).order_by("nom")
    page = Paginator(reservations, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "flux/stock_list.html",
        {
            "page": page,
            "filtres": filtres,
            "bailleurs": bailleurs,
            "reservataires": reservataires,
            "fondements": Fondement.choices,
            "redigeables": selectors.bailleurs_redigeables(request.user),
            "query": query.urlencode(),
            "annee": annee_courante(),
        },
    )


@login_required
def stock_export(request):
    reservations, _ = _filtrer(request)
    return exports.reservations_csv(reservations)


@scoped(Organisation)
@login_required
def stock_create(request, pk):
    bailleur = bailleur_ou_404(request, pk)
    if not peut_rediger(request, bailleur):
        raise PermissionDenied("Seuls les rédacteurs et administrateurs du bailleur modifient l'état des lieux.")
    form = ReservationForm(initial={"departement": bailleur.departement_id, "droit_de_suite": True})
    if request.method == "POST":
        form = ReservationForm(request.POST)
        if form.is_valid():
            try:
                reservation = services.reservation_create(bailleur=bailleur, by=request.user, **form.donnees_service())
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, f"Ligne ajoutée à l'état des lieux : {reservation}.")
                return redirect(f"{_liste_url()}?bailleur={bailleur.pk}")
    return render(request, "flux/stock_form.html", {"bailleur": bailleur, "form": form, "reservation": None})


def _liste_url():
    return reverse("flux:stock_list")


@scoped(ReservationStock)
@login_required
def stock_edit(request, pk):
    reservation = get_visible_or_404(ReservationStock, request.user, pk=pk)
    peut = peut_rediger(request, reservation.bailleur)
    form = ReservationForm(initial=ReservationForm.initial_de(reservation))
    if request.method == "POST":
        if not peut:
            raise PermissionDenied("Seuls les rédacteurs et administrateurs du bailleur modifient l'état des lieux.")
        form = ReservationForm(request.POST)
        if form.is_valid() and form.apply_service(
            lambda: services.reservation_update(
                reservation=reservation,
                by=request.user,
                expected_version=form.cleaned_data.get("lock_version"),
                **form.donnees_service(),
            )
        ):
            messages.success(request, "Ligne de l'état des lieux enregistrée.")
            return redirect(f"{_liste_url()}?bailleur={reservation.bailleur_id}")
    return render(
        request,
        "flux/stock_form.html",
        {
            "bailleur": reservation.bailleur,
            "form": form,
            "reservation": reservation,
            "peut_rediger": peut,
            "logements": reservation.logements.select_related("commune")[:200],
        },
    )


@scoped(ReservationStock)
@login_required
@require_POST
def stock_delete(request, pk):
    reservation = get_visible_or_404(ReservationStock, request.user, pk=pk)
    bailleur_id = reservation.bailleur_id
    services.reservation_delete(reservation=reservation, by=request.user)
    messages.success(request, "Ligne supprimée de l'état des lieux.")
    return redirect(f"{_liste_url()}?bailleur={bailleur_id}")


@scoped(Organisation)
@login_required
def stock_import(request, pk):
    bailleur = bailleur_ou_404(request, pk)
    if not peut_rediger(request, bailleur):
        raise PermissionDenied("Seuls les rédacteurs et administrateurs du bailleur importent l'état des lieux.")
    form = ImportFichierForm()
    if request.method == "POST":
        form = ImportFichierForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                job = services.etat_des_lieux_import_demander(
                    bailleur=bailleur, fichier=form.cleaned_data["fichier"], by=request.user
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                return redirect("job_detail", pk=job.pk)
    return render(
        request,
        "flux/stock_import.html",
        {"bailleur": bailleur, "form": form, "colonnes": COLONNES, "fondements": Fondement.choices},
    )
