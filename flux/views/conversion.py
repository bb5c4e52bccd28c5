from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from conventions.models import Convention
from core.scoping import get_visible_or_404, scoped
from flux import exports, selectors
from flux.forms import ConversionForm, ExclusionForm, SyntheseForm, annee_courante
from flux.models import CATEGORIES_STOCK, CategorieExclusion, Conversion, ConversionLigne, Exclusion, Methode
from flux.services import conversion as conversion_services
from flux.services import exclusions as exclusion_services
from flux.services.conversion.convention import conversion_seed_convention
from flux.views.communs import bailleur_ou_404, peut_rediger
from reservataires.models import Organisation


def _exclusions_url(bailleur_id: int, annee: int) -> str:
    return f"{reverse('flux:exclusion_list', args=[bailleur_id])}?annee={annee}"


def _annee(request) -> int:
    valeur = request.GET.get("annee", "")
    return int(valeur) if valeur.isdigit() and 2018 <= int(valeur) <= 2100 else annee_courante()


# --- Exclusions ----------------------------------------------------------------------------
@scoped(Organisation)
@login_required
def exclusion_list(request, pk):
    bailleur = bailleur_ou_404(request, pk)
    annee = _annee(request)
    peut = peut_rediger(request, bailleur)
    form = ExclusionForm(initial={"annee": annee, "departement": bailleur.departement_id})
    if request.method == "POST":
        if not peut:
            raise PermissionDenied("Seuls les rédacteurs et administrateurs du bailleur configurent les exclusions.")
        form = ExclusionForm(request.POST)
        if form.is_valid():
            try:
                exclusion_services.exclusion_save(bailleur=bailleur, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, "Prévision d'exclusion enregistrée.")
                return redirect(f"{request.path}?annee={form.cleaned_data['annee']}")
    exclusions = (
        Exclusion.objects.visible_to(request.user).filter(bailleur=bailleur, annee=annee).select_related("departement")
    )
    totaux = exclusions.values("departement_id", "departement__nom").annotate(
        stock=Sum("nb_logements", filter=_q_stock(True)), flux=Sum("nb_logements", filter=_q_stock(False))
    )
    return render(
        request,
        "flux/exclusion_list.html",
        {
            "bailleur": bailleur,
            "annee": annee,
            "exclusions": exclusions,
            "totaux": totaux,
            "form": form,
            "peut_rediger": peut,
            "annees": range(annee_courante() + 2, 2020, -1),
            "categories": CategorieExclusion.choices,
            "categories_stock": CATEGORIES_STOCK,
        },
    )


def _q_stock(stock: bool):
    return Q(categorie__in=CATEGORIES_STOCK) if stock else ~Q(categorie__in=CATEGORIES_STOCK)


@scoped(Exclusion)
@login_required
def exclusion_edit(request, pk):
    exclusion = get_visible_or_404(Exclusion, request.user, pk=pk)
    peut = peut_rediger(request, exclusion.bailleur)
    form = ExclusionForm(
        initial={
            "departement": exclusion.departement_id,
            "annee": exclusion.annee,
            "categorie": exclusion.categorie,
            "nb_logements": exclusion.nb_logements,
            "commentaire": exclusion.commentaire,
        }
    )
    if request.method == "POST":
        if not peut:
            raise PermissionDenied("Seuls les rédacteurs et administrateurs du bailleur configurent les exclusions.")
        form = ExclusionForm(request.POST)
        if form.is_valid():
            try:
                exclusion_services.exclusion_update(exclusion=exclusion, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, "Prévision d'exclusion modifiée.")
                return redirect(_exclusions_url(exclusion.bailleur_id, exclusion.annee))
    return render(request, "flux/exclusion_form.html", {"exclusion": exclusion, "form": form, "peut_rediger": peut})


@scoped(Exclusion)
@login_required
@require_POST
def exclusion_delete(request, pk):
    exclusion = get_visible_or_404(Exclusion, request.user, pk=pk)
    bailleur_id, annee = exclusion.bailleur_id, exclusion.annee
    exclusion_services.exclusion_delete(exclusion=exclusion, by=request.user)
    messages.success(request, "Prévision d'exclusion supprimée.")
    return redirect(_exclusions_url(bailleur_id, annee))


# --- Conversion -------------------------------------------------------------------------------
@scoped(Organisation)
@login_required
def conversion_list(request, pk):
    bailleur = bailleur_ou_404(request, pk)
    peut = peut_rediger(request, bailleur)
    perimetres = selectors.perimetres_du_bailleur(bailleur)
    form = ConversionForm(
        perimetres=perimetres,
        initial={
            "annee": annee_courante(),
            "methode": Methode.RATIO_SIMPLE,
            "perimetre": perimetres[0].valeur if perimetres else None,
        },
    )
    if request.method == "POST":
        if not peut:
            raise PermissionDenied("Seuls les rédacteurs et administrateurs du bailleur calculent la conversion.")
        form = ConversionForm(request.POST, perimetres=perimetres)
        if form.is_valid():
            try:
                conversion = conversion_services.conversion_calculer(
                    bailleur=bailleur, by=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                return redirect("flux:conversion_detail", pk=conversion.pk)
    conversions = (
        Conversion.objects.visible_to(request.user)
        .filter(bailleur=bailleur)
        .select_related("departement", "epci", "commune", "cree_par")[:50]
    )
    return render(
        request,
        "flux/conversion_list.html",
        {
            "bailleur": bailleur,
            "form": form,
            "conversions": conversions,
            "peut_rediger": peut,
            "perimetres": perimetres,
        },
    )


@scoped(Conversion)
@login_required
def conversion_detail(request, pk):
    conversion = get_visible_or_404(Conversion, request.user, pk=pk)
    lignes = list(conversion.lignes.select_related("reservataire"))
    historique = Conversion.objects.visible_to(request.user).filter(
        bailleur=conversion.bailleur_id, perimetre_code=conversion.perimetre_code, annee=conversion.annee
    )
    autre = historique.filter(methode=conversion.autre_methode).first()
    comparaison = {}
    if autre is not None:
        comparaison = {x.reservataire_id: x.part_flux_pct for x in autre.lignes.all()}
    vivantes = dict(
        Convention.objects.visible_to(request.user)
        .vivantes()
        .filter(
            bailleur=conversion.bailleur_id,
            perimetre_code=Convention.code_perimetre(
                departement_id=conversion.departement_id, epci_id=conversion.epci_id, commune_id=conversion.commune_id
            ),
        )
        .values_list("reservataire_id", "pk")
    )
    for ligne in lignes:
        ligne.part_autre_methode = comparaison.get(ligne.reservataire_id)
        ligne.convention_id = vivantes.get(ligne.reservataire_id)
    return render(
        request,
        "flux/conversion_detail.html",
        {
            "conversion": conversion,
            "bailleur": conversion.bailleur,
            "lignes": lignes,
            "autre": autre,
            "historique": historique.select_related("cree_par")[:20],
            "peut_rediger": peut_rediger(request, conversion.bailleur),
            "entrees": conversion.entrees.get("lignes_etat_des_lieux", []),
            "exclusions": conversion.entrees.get("exclusions", []),
            "categories": dict(CategorieExclusion.choices),
        },
    )


@scoped(Conversion, ConversionLigne)
@login_required
@require_POST
def conversion_convention(request, pk, conversionligne_pk):
    """« Créer un projet de convention » from one réservataire's share."""
    conversion = get_visible_or_404(Conversion, request.user, pk=pk)
    try:
        ligne = conversion.lignes.get(pk=conversionligne_pk)
    except ConversionLigne.DoesNotExist as exc:
        raise Http404("Ligne inconnue.") from exc
    try:
        convention = conversion_seed_convention(ligne=ligne, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("flux:conversion_detail", pk=conversion.pk)
    messages.success(
        request,
        f"Projet de convention {convention.numero} ouvert avec {convention.reservataire.nom} à "
        f"{convention.versions.get().part_flux_pct} % : complétez les conditions puis transmettez-le.",
    )
    return redirect("conventions:draft_edit", pk=convention.pk)


@scoped(Conversion)
@login_required
@require_POST
def conversion_basculer(request, pk):
    conversion = get_visible_or_404(Conversion, request.user, pk=pk)
    nouvelle = conversion_services.conversion_basculer(conversion=conversion, by=request.user)
    messages.success(request, f"Recalcul avec la méthode « {nouvelle.get_methode_display()} ».")
    return redirect("flux:conversion_detail", pk=nouvelle.pk)


# --- Synthèse -----------------------------------------------------------------------------------
def _synthese(request):
    form = SyntheseForm(request.GET or None, initial={"annee": annee_courante()})
    annee, departement = annee_courante(), None
    if form.is_valid():
        annee = form.cleaned_data["annee"] or annee
        departement = form.cleaned_data["departement"]
    lignes = selectors.synthese_lignes(request.user, annee=annee, departement=departement.code if departement else None)
    return form, annee, departement, lignes, selectors.synthese_totaux(lignes)


@login_required
def synthese(request):
    form, annee, departement, lignes, totaux = _synthese(request)
    return render(
        request,
        "flux/synthese.html",
        {
            "form": form,
            "annee": annee,
            "departement": departement,
            "lignes": lignes,
            "totaux": totaux,
            "query": request.GET.urlencode(),
        },
    )


@login_required
def synthese_csv(request):
    _, annee, _, lignes, totaux = _synthese(request)
    return exports.synthese_csv(lignes, totaux, annee)


@login_required
def synthese_xlsx(request):
    _, annee, departement, lignes, totaux = _synthese(request)
    parametres = [
        ("Année", str(annee)),
        ("Département", str(departement) if departement else "Tous"),
        ("Logements réservés", "réservations encore actives dans l'année (droit de suite, droits non éteints)"),
        ("Parts", "conversion en vigueur à l'échelle du département, si elle a été calculée"),
    ]
    return exports.synthese_xlsx(lignes, totaux, annee, parametres)
