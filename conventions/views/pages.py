"""Reading pages: the list of conventions, the creation form, the convention page."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from conventions import diff, rules, selectors, services, signature, workflow
from conventions.forms import CommentForm, ConventionCreateForm, ConventionFilterForm, chercher_reservataires
from conventions.models import STATUTS_TERMINES, Convention, Partie
from core.scoping import get_visible_or_404, scoped
from reservataires.models import Capacite, Organisation
from reservataires.selectors import user_can


@login_required
def convention_list(request):
    visibles = Convention.objects.visible_to(request.user)
    form = ConventionFilterForm(request.GET or None, conventions=visibles)
    qs = form.filter(visibles).select_related("bailleur", "reservataire", "departement", "epci", "commune")
    qs = qs.select_related("version_courante", "version_en_vigueur").order_by("-modifie_le")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    can_create = Organisation.objects.acting_for(request.user, Capacite.REDIGER).bailleurs().exists()
    is_bailleur = Organisation.objects.acting_for(request.user).bailleurs().exists()
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "conventions/convention_list.html",
        {"form": form, "page": page, "can_create": can_create, "is_bailleur": is_bailleur, "query": query.urlencode()},
    )


@login_required
def convention_create(request):
    if not Organisation.objects.acting_for(request.user, Capacite.REDIGER).bailleurs().exists():
        raise PermissionDenied("Seul un rédacteur ou un administrateur d'un bailleur peut ouvrir une convention.")
    form = ConventionCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            convention = services.convention_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                f"Projet de convention {convention.numero} ouvert avec {convention.reservataire.nom} : "
                "complétez les conditions puis transmettez-le.",
            )
            return redirect("conventions:draft_edit", pk=convention.pk)
    return render(request, "conventions/convention_form.html", {"form": form})


@login_required
def reservataire_choices(request):
    """htmx: the <option>s of the réservataires matching the search (the public directory)."""
    q = request.GET.get("recherche", "")[:100]
    reservataires = list(chercher_reservataires(request.user, q))
    return render(
        request,
        "conventions/_reservataire_options.html",
        {"reservataires": reservataires, "trop_court": len(q.strip()) < 2},
    )


@dataclass
class Bouton:
    """One action button of the convention page (a POST form)."""

    url_name: str
    libelle: str
    css: str = "btn-outline-primary"
    confirm: str = ""
    motif: str = ""  # "", "facultatif" or "obligatoire"
    date_effet: bool = False
    version_id: int | None = None
    resume: bool = False
    desactive: str = ""  # why the button is disabled

    @property
    def dom_id(self) -> str:
        return self.url_name.replace(":", "-").replace("_", "-")


def boutons(convention: Convention, user, *, brouillon_mien, brouillon_autre, bloquantes: list) -> list[Bouton]:
    """The buttons of the page, from workflow.actions_for (the one table of who may do what)."""
    codes = {t.action for t in workflow.actions_for(convention, user)}
    org = workflow.acting_party(convention, user, (Capacite.REDIGER,))
    autre = convention.organisation_de(convention.autre_partie(convention.partie_de(org))) if org else None
    out: list[Bouton] = []
    if brouillon_mien is not None and codes & {"transmettre", "contre_proposer"}:
        out.append(Bouton("conventions:draft_propose", f"Transmettre à {autre.nom}", "btn-primary", resume=True))
    elif "contre_proposer" in codes and brouillon_autre is None and brouillon_mien is None:
        out.append(Bouton("conventions:draft_start", "Préparer une contre-proposition", "btn-outline-primary"))
    version = convention.version_courante
    if "approuver" in codes and version is not None and brouillon_mien is None:
        if not version.approbations.filter(organisation=org, retiree_le__isnull=True).exists():
            out.append(
                Bouton(
                    "conventions:approve",
                    f"Approuver la version {version.numero}",
                    "btn-success",
                    version_id=version.pk,
                    desactive="Règles bloquantes non respectées : voir les contrôles." if bloquantes else "",
                )
            )
    if "lancer_signature" in codes:
        out.append(
            Bouton(
                "conventions:start_signature",
                "Lancer la signature",
                "btn-primary",
                confirm="Lancer la signature de la version validée ? Elle ne pourra plus être modifiée.",
            )
        )
    if codes & {"refuser_signature", "refuser_signature_avenant"}:
        out.append(
            Bouton(
                "conventions:refuse_signature",
                "Refuser de signer",
                "btn-outline-danger",
                confirm="Refuser de signer ? La négociation sera rouverte et les approbations retirées.",
                motif="obligatoire",
            )
        )
    if codes & {"rouvrir", "rouvrir_avenant"}:
        out.append(
            Bouton(
                "conventions:reopen",
                "Rouvrir la négociation",
                confirm="Rouvrir la négociation ? Les approbations des deux parties seront retirées.",
                motif="facultatif",
            )
        )
    if "ouvrir_avenant" in codes:
        out.append(Bouton("conventions:avenant_open", "Préparer un avenant"))
    if "abandonner_avenant" in codes:
        out.append(
            Bouton(
                "conventions:avenant_abandon",
                "Abandonner l'avenant",
                "btn-outline-danger",
                confirm="Abandonner l'avenant ? La version signée reste en vigueur.",
                motif="facultatif",
            )
        )
    if "abandonner" in codes:
        out.append(
            Bouton(
                "conventions:abandon",
                "Abandonner le projet de convention",
                "btn-outline-danger",
                confirm="Abandonner définitivement ce projet de convention ?",
            )
        )
    if "abandonner_negociation" in codes:
        out.append(
            Bouton(
                "conventions:abandon",
                "Abandonner la négociation",
                "btn-outline-danger",
                confirm="Abandonner définitivement la négociation de cette convention ?",
                motif="obligatoire",
            )
        )
    if "resilier" in codes:
        out.append(
            Bouton(
                "conventions:terminate",
                "Résilier la convention",
                "btn-outline-danger",
                confirm="Résilier la convention ? Cette action est définitive.",
                motif="obligatoire",
                date_effet=True,
            )
        )
    return out


def _pick(versions, raw):
    try:
        wanted = int(raw)
    except (TypeError, ValueError):
        return None
    return next((v for v in versions if v.pk == wanted), None)


def commentaires_context(request, convention: Convention, version, *, org=None, can_write=None) -> dict:
    """The comments panel: every visible comment (unresolved first) and the form, for ``version``."""
    user = request.user
    if can_write is None:
        org = workflow.acting_party(convention, user, (Capacite.LIRE,))
        can_write = org is not None and user_can(user, org, Capacite.REDIGER)
    can_comment = can_write and convention.statut not in STATUTS_TERMINES and version is not None
    can_comment = can_comment and not (version.est_brouillon and version.organisation_id != org.pk)
    commentaires = list(selectors.commentaires_visibles(convention, user).order_by("resolu_le", "cree_le"))
    par_cible: dict[str, int] = {}
    for c in commentaires:
        c.libelle_cible = services.cible_libelle(c.version, c.cible)
        if not c.est_resolu and version is not None and c.version_id == version.pk:
            par_cible[c.cible] = par_cible.get(c.cible, 0) + 1
    return {
        "convention": convention,
        "commentaires": commentaires,
        "par_cible": par_cible,
        "comment_form": CommentForm(version=version) if can_comment else None,
    }


def detail_context(request, convention: Convention) -> dict:
    user = request.user
    org = workflow.acting_party(convention, user, (Capacite.LIRE,))
    versions = list(selectors.versions_visibles(convention, user).select_related("organisation", "auteur"))
    draft = selectors.brouillon_de(convention)
    brouillon_mien = draft if draft is not None and any(v.pk == draft.pk for v in versions) else None
    brouillon_autre = draft if draft is not None and brouillon_mien is None else None
    version = _pick(versions, request.GET.get("version")) or convention.version_courante or brouillon_mien
    redline = None
    if version is not None:
        base = _pick(versions, request.GET.get("base"))
        if base is None or base.pk == version.pk:
            base = selectors.base_de_comparaison(version, org)
        redline = diff.redline(version, base)
    violations = selectors.violations(version) if version is not None else []
    bloquantes = rules.bloquantes(violations)
    can_write = org is not None and user_can(user, org, Capacite.REDIGER)
    comments = commentaires_context(request, convention, version, org=org, can_write=can_write)
    courante = convention.version_courante
    approbations = selectors.approbations_actives(courante)
    lignes = diff.objectifs(version) if version is not None else []
    par_cible = comments["par_cible"]
    termes = diff.termes(version) if version is not None else []
    seen_champs = set()
    for t in termes:  # the count shows once per term, on its first row
        t.nb_commentaires = 0 if t.champ in seen_champs else par_cible.get(f"terme:{t.champ}", 0)
        seen_champs.add(t.champ)
    clauses = list(version.clauses.all()) if version is not None else []
    for c in clauses:
        c.nb_commentaires = par_cible.get(f"clause:{c.cle}", 0)
    # Any party member may hold an action (a signataire résilie); workflow.actions_for decides.
    buttons = (
        boutons(convention, user, brouillon_mien=brouillon_mien, brouillon_autre=brouillon_autre, bloquantes=bloquantes)
        if org is not None
        else []
    )
    return {
        "convention": convention,
        "partie": org,
        "partie_libelle": Partie(convention.partie_de(org)).label if org else "",
        "lecture_seule": not can_write and not buttons,
        "versions": versions,
        "version": version,
        "brouillon_mien": brouillon_mien,
        "brouillon_autre": brouillon_autre,
        "termes": termes,
        "clauses": clauses,
        "nb_commentaires_objectifs": par_cible.get("terme:objectifs", 0),
        "objectifs": lignes,
        "totaux": diff.totaux_objectifs(lignes),
        "redline": redline,
        "violations": violations,
        "bloquantes": bloquantes,
        "avertissements": [v for v in violations if not v.bloquant],
        "approbations": [
            (convention.bailleur, approbations.get(Partie.BAILLEUR)),
            (convention.reservataire, approbations.get(Partie.RESERVATAIRE)),
        ],
        "boutons": buttons,
        "commentaires": comments["commentaires"],
        "comment_form": comments["comment_form"],
        "evenements": list(selectors.evenements_visibles(convention, user).order_by("-le", "-pk")),
        "signature": signature.signature_context(convention, user),
    }


@scoped(Convention)
@login_required
def convention_detail(request, pk):
    convention = get_visible_or_404(Convention, request.user, pk=pk)
    context = detail_context(request, convention)
    if context["partie"] is not None:
        # After the redline was computed against the version last seen.
        services.convention_mark_seen(convention=convention, by=request.user)
    return render(request, "conventions/convention_detail.html", context)
