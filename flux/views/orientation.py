"""Pages of the orientations: the bailleur declares and follows, the réservataire proposes candidates."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render

from core.scoping import get_visible_or_404, scoped
from flux import exports_orientation
from flux import selectors_orientation as selectors
from flux.forms import annee_courante
from flux.forms_orientation import (
    PART_BAILLEUR,
    AttributionForm,
    CandidatsForm,
    ConfirmationForm,
    DeclarationForm,
    ImportOrientationsForm,
)
from flux.models import Logement, Orientation, SourceDeclaration, StatutOrientation
from flux.services.orientation import actions
from flux.services.orientation.import_tableur import COLONNES, orientations_import_demander
from reservataires.models import Organisation


@login_required
def orientation_list(request):
    orientations, filtres = selectors.orientations_filtrees(request.user, request.GET)
    visibles = Orientation.objects.visible_to(request.user)
    page = Paginator(orientations, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "flux/orientation/list.html",
        {
            "page": page,
            "filtres": filtres,
            "statuts": StatutOrientation.choices,
            "bailleurs": Organisation.objects.filter(pk__in=visibles.values("bailleur")).order_by("nom"),
            "reservataires": Organisation.objects.filter(pk__in=visibles.values("reservataire")).order_by("nom"),
            "epcis": visibles.values_list("epci_id", "epci__nom").distinct().order_by("epci__nom"),
            "annees": range(annee_courante() + 1, annee_courante() - 4, -1),
            "declarants": selectors.bailleurs_declarants(request.user),
            "query": query.urlencode(),
        },
    )


def _recherche(request, bailleurs):
    """Dwellings of the user's bailleurs matching ``q`` (RPLS id, programme, commune), to pick one."""
    q = request.GET.get("q", "").strip()
    if not q:
        return q, []
    logements = Logement.objects.visible_to(request.user, "edit").filter(bailleur__in=bailleurs)
    logements = logements.filter(
        Q(rpls_id__startswith=q) | Q(programme__icontains=q) | Q(commune__nom__icontains=q)
    ).select_related("commune", "bailleur")
    return q, list(logements.order_by("rpls_id")[:20])


@login_required
def orientation_declarer(request):
    bailleurs = selectors.bailleurs_declarants(request.user)
    if not bailleurs:
        raise PermissionDenied("Seuls les rédacteurs et administrateurs d'un bailleur déclarent des logements.")
    contexte = {}
    donnees = request.POST if request.method == "POST" else None
    initial = {"rpls_id": request.GET.get("rpls_id", ""), "bailleur": request.GET.get("bailleur", "")}
    form = DeclarationForm(donnees, bailleurs=bailleurs, user=request.user, initial=initial)
    if donnees is not None and donnees.get("etape") == "confirmer":
        return _confirmer(request, bailleurs)
    if donnees is not None and form.is_valid():
        d = form.cleaned_data
        try:
            proposition = actions.orientation_proposition(
                logement=d["logement"], date_disponibilite=d["date_disponibilite"], by=request.user
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return _page_confirmation(request, bailleurs, d, proposition)
    q, trouves = _recherche(request, bailleurs)
    contexte.update(form=form, q=q, trouves=trouves)
    return render(request, "flux/orientation/declarer.html", contexte)


def _page_confirmation(request, bailleurs, d, proposition, form=None):
    lignes = actions.proposition_lignes(proposition)
    propose = next((lg for lg in lignes if lg.propose), None)
    destinataires = selectors.destinataires_possibles(d["bailleur"], [lg.reservataire for lg in lignes])
    if form is None:
        form = ConfirmationForm(
            bailleurs=bailleurs,
            user=request.user,
            destinataires=destinataires,
            initial={
                "bailleur": d["bailleur"].pk,
                "rpls_id": d["logement"].rpls_id,
                "nature": d["nature"],
                "date_disponibilite": d["date_disponibilite"],
                "propose_attendu": proposition.reservataire_id or PART_BAILLEUR,
            },
        )
    return render(
        request,
        "flux/orientation/confirmer.html",
        {
            "form": form,
            "logement": d["logement"],
            "proposition": proposition,
            "lignes": lignes,
            "propose_nom": propose.nom if propose else "Part propre du bailleur",
        },
    )


def _confirmer(request, bailleurs):
    base = DeclarationForm(request.POST, bailleurs=bailleurs, user=request.user)
    if not base.is_valid():
        return render(request, "flux/orientation/declarer.html", {"form": base, "q": "", "trouves": []})
    d = base.cleaned_data
    proposition = actions.orientation_proposition(
        logement=d["logement"], date_disponibilite=d["date_disponibilite"], by=request.user
    )
    destinataires = selectors.destinataires_possibles(
        d["bailleur"], [lg.reservataire for lg in actions.proposition_lignes(proposition)]
    )
    form = ConfirmationForm(request.POST, bailleurs=bailleurs, user=request.user, destinataires=destinataires)
    if form.is_valid():
        reservataire, motif = form.choix()
        try:
            orientation = actions.orientation_declarer(
                logement=d["logement"],
                date_disponibilite=d["date_disponibilite"],
                nature=d["nature"],
                source=SourceDeclaration.NAVIGATEUR,
                by=request.user,
                reservataire=reservataire,
                motif=motif,
                propose_attendu=form.attendu(),
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
            if "proposition a changé" in " ".join(exc.messages):
                messages.warning(request, " ".join(exc.messages))
                return _page_confirmation(request, bailleurs, d, proposition)
        else:
            dest = orientation.reservataire.nom if orientation.reservataire else "la part propre du bailleur"
            messages.success(request, f"Logement {d['logement'].rpls_id} orienté vers {dest}.")
            return redirect("flux:orientation_detail", pk=orientation.pk)
    return _page_confirmation(request, bailleurs, d, proposition, form=form)


@scoped(Orientation)
@login_required
def orientation_detail(request, pk):
    o = get_visible_or_404(Orientation, request.user, pk=pk)
    o = (
        Orientation.objects.visible_to(request.user)
        .select_related(
            "logement", "bailleur", "reservataire", "reservataire_propose", "commune", "epci", "declare_par"
        )
        .get(pk=o.pk)
    )
    attribution = getattr(o, "attribution", None)
    return render(
        request,
        "flux/orientation/detail.html",
        {
            "o": o,
            "evenements": selectors.chronologie(o),
            "attribution": attribution,
            "en_retard": selectors.en_retard(o),
            "peut_candidats": o.statut in selectors.EN_ATTENTE and actions.peut_proposer_candidats(request.user, o),
            "peut_attribuer": o.statut in (*selectors.EN_ATTENTE, StatutOrientation.ATTRIBUE)
            and actions.peut_suivre(request.user, o),
        },
    )


@scoped(Orientation)
@login_required
def orientation_candidats(request, pk):
    o = get_visible_or_404(Orientation, request.user, pk=pk)
    if not actions.peut_proposer_candidats(request.user, o):
        raise PermissionDenied("Seuls les rédacteurs du réservataire destinataire proposent des candidats.")
    form = CandidatsForm(initial={"lock_version": o.lock_version})
    if request.method == "POST":
        form = CandidatsForm(request.POST)
        if form.is_valid() and form.apply_service(
            lambda: actions.orientation_candidats(
                orientation=o,
                nb_candidats=form.cleaned_data["nb_candidats"],
                references=form.cleaned_data["references"],
                by=request.user,
                expected_version=form.cleaned_data.get("lock_version"),
            )
        ):
            messages.success(request, "Candidats transmis au bailleur.")
            return redirect("flux:orientation_detail", pk=o.pk)
    return render(
        request, "flux/orientation/candidats.html", {"o": o, "form": form, "en_retard": selectors.en_retard(o)}
    )


@scoped(Orientation)
@login_required
def orientation_attribution(request, pk):
    o = get_visible_or_404(Orientation, request.user, pk=pk)
    if not actions.peut_suivre(request.user, o):
        raise PermissionDenied("Seuls les rédacteurs et administrateurs du bailleur enregistrent l'attribution.")
    existante = getattr(o, "attribution", None)
    initial = {"lock_version": o.lock_version}
    if existante:
        initial.update(
            {
                f: getattr(existante, f)
                for f in (
                    "decision",
                    "date_caleol",
                    "bail_signe_le",
                    "premier_quartile",
                    "dalo",
                    "prioritaire",
                    "relogement_renouvellement",
                )
            }
        )
    form = AttributionForm(initial=initial)
    if request.method == "POST":
        form = AttributionForm(request.POST)
        if form.is_valid() and form.apply_service(
            lambda: actions.orientation_attribuer(
                orientation=o,
                by=request.user,
                expected_version=form.cleaned_data.get("lock_version"),
                **form.donnees(),
            )
        ):
            messages.success(request, "Décision de la CALEOL enregistrée.")
            return redirect("flux:orientation_detail", pk=o.pk)
    return render(request, "flux/orientation/attribution.html", {"o": o, "form": form})


@login_required
def orientation_a_pourvoir(request):
    orientations = selectors.a_pourvoir(request.user)
    page = Paginator(orientations, 50).get_page(request.GET.get("page"))
    for o in page:
        o.en_retard = selectors.en_retard(o)
    return render(request, "flux/orientation/a_pourvoir.html", {"page": page, "query": ""})


@login_required
def orientation_import(request):
    bailleurs = selectors.bailleurs_declarants(request.user)
    if not bailleurs:
        raise PermissionDenied("Seuls les rédacteurs et administrateurs d'un bailleur importent des déclarations.")
    form = ImportOrientationsForm(bailleurs=bailleurs)
    if request.method == "POST":
        form = ImportOrientationsForm(request.POST, request.FILES, bailleurs=bailleurs)
        if form.is_valid():
            try:
                job = orientations_import_demander(
                    bailleur=form.cleaned_data["bailleur"], fichier=form.cleaned_data["fichier"], by=request.user
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.info(request, "Import lancé : suivez son avancement ci-dessous.")
                return redirect("job_detail", pk=job.pk)
    return render(request, "flux/orientation/import.html", {"form": form, "colonnes": COLONNES})


@login_required
def orientation_modele(request, format_):
    return exports_orientation.modele(format_)
