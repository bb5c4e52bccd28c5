"""The draft editing page: structured terms, objectives, clauses (rich text) and annexes.

The form carries the lock number of the draft it was loaded from; a stale number is a conflict:
the page then keeps everything the user typed and shows what the other person saved.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from conventions import diff, rules, selectors, services
from conventions.forms import (
    AnnexeFormSet,
    ClauseFormSet,
    ObjectifFormSet,
    VersionTermsForm,
    annexes_initial,
    clauses_initial,
    objectifs_initial,
)
from conventions.models import Convention, ConventionVersion, Statut
from core.concurrency import ConflictError
from core.scoping import get_visible_or_404, scoped
from reservataires.models import Capacite
from reservataires.selectors import user_can
from territoires.models import Commune

EDITABLE = (Statut.BROUILLON, Statut.EN_NEGOCIATION, Statut.AVENANT_EN_COURS)


def communes_du_perimetre(convention: Convention):
    if convention.commune_id:
        return Commune.objects.filter(pk=convention.commune_id)
    qs = Commune.objects.filter(departement_id=convention.departement_id)
    if convention.epci_id:
        qs = qs.filter(epci_id=convention.epci_id)
    return qs.order_by("nom")


def _formsets(convention, draft, data=None, files=None):
    kwargs = {
        "epci_qs": selectors.epci_du_perimetre(convention).order_by("nom"),
        "commune_qs": communes_du_perimetre(convention),
    }
    if data is None:
        return (
            ObjectifFormSet(prefix="objectifs", initial=objectifs_initial(draft), form_kwargs=kwargs),
            ClauseFormSet(prefix="clauses", initial=clauses_initial(draft)),
            AnnexeFormSet(prefix="annexes", initial=annexes_initial(draft)),
        )
    # What the rich-text editor posted is sanitised before it is shown again (after a conflict, an error).
    data = data.copy()
    for key in list(data):
        if key.startswith("clauses-") and key.endswith("-texte"):
            data[key] = services.sanitize_clause(data[key])
    return (
        ObjectifFormSet(data, prefix="objectifs", form_kwargs=kwargs),
        ClauseFormSet(data, prefix="clauses"),
        AnnexeFormSet(data, files, prefix="annexes"),
    )


def _objectifs(rows):
    return [
        {
            "epci": r["epci"].pk,
            "commune": r["commune"].pk if r.get("commune") else None,
            "nombre": r["nombre"],
            "nombre_hors_qpv": r.get("nombre_hors_qpv"),
        }
        for r in rows
    ]


def _clauses(rows):
    return [{"cle": r.get("cle") or "", "titre": r["titre"], "texte": r.get("texte") or ""} for r in rows]


def _annexes(rows):
    return [
        {"id": r.get("id"), "titre": r["titre"], "texte": r.get("texte") or "", "fichier": r.get("fichier")}
        for r in rows
    ]


def _draft_for(request, convention) -> ConventionVersion:
    """The user's side's draft (404 for anyone else: a draft is visible only to the side writing it)."""
    draft = selectors.brouillon_de(convention)
    if draft is None:
        return None
    draft = get_visible_or_404(ConventionVersion, request.user, pk=draft.pk)
    if not user_can(request.user, draft.organisation, Capacite.REDIGER):
        raise PermissionDenied(
            "Seuls les rédacteurs et administrateurs de la partie qui rédige ce projet le modifient."
        )
    return draft


@scoped(Convention)
@login_required
def draft_edit(request, pk):
    convention = get_visible_or_404(Convention, request.user, pk=pk)
    draft = _draft_for(request, convention)
    if draft is None:
        messages.info(request, "Aucun projet de version n'est en cours de rédaction pour cette convention.")
        return redirect("conventions:convention_detail", pk=convention.pk)
    if convention.statut not in EDITABLE:
        messages.error(request, f"La convention est « {convention.get_statut_display()} » : le projet est figé.")
        return redirect("conventions:convention_detail", pk=convention.pk)

    conflict = None
    conflict_lignes = []
    if request.method == "POST":
        form = VersionTermsForm(request.POST, instance=draft)
        objectifs, clauses, annexes = _formsets(convention, draft, request.POST, request.FILES)
        if all(x.is_valid() for x in (form, objectifs, clauses, annexes)):
            try:
                services.version_update(
                    version=draft,
                    by=request.user,
                    expected_lock_version=form.cleaned_data["lock_version"],
                    terms=form.terms(),
                    objectifs=_objectifs(objectifs.kept()),
                    clauses=_clauses(clauses.kept()),
                    annexes=_annexes(annexes.kept()),
                )
            except ConflictError as exc:
                conflict = str(exc)
                saved = ConventionVersion.objects.visible_to(request.user).filter(pk=draft.pk).first()
                if saved is not None:
                    conflict_lignes = [
                        ligne
                        for ligne in diff.comparer_termes(saved, ConventionVersion(**form.terms()))
                        if ligne.change
                    ]
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                if request.POST.get("action") == "transmettre":
                    return _propose(request, convention, form.cleaned_data.get("resume", ""))
                messages.success(request, "Projet enregistré.")
                return redirect("conventions:draft_edit", pk=convention.pk)
        if conflict is None:
            messages.error(request, "Le projet n'a pas été enregistré : corrigez les erreurs signalées.")
    else:
        form = VersionTermsForm(instance=draft, initial={"lock_version": draft.lock_version})
        objectifs, clauses, annexes = _formsets(convention, draft)

    draft.refresh_from_db()
    violations = selectors.violations(draft)
    autre = convention.organisation_de(convention.autre_partie(convention.partie_de(draft.organisation)))
    return render(
        request,
        "conventions/version_edit.html",
        {
            "convention": convention,
            "draft": draft,
            "autre": autre,
            "form": form,
            "objectifs": objectifs,
            "clauses": clauses,
            "annexes": annexes,
            "conflict": conflict,
            "conflict_lignes": conflict_lignes,
            "bloquantes": rules.bloquantes(violations),
            "avertissements": [v for v in violations if not v.bloquant],
            "premier_projet": draft.base_id is None,
            "modifications": diff.redline(draft, draft.base) if draft.base_id else None,
        },
        status=409 if conflict else 200,
    )


def _propose(request, convention, resume: str):
    try:
        version = services.version_propose(convention=convention, by=request.user, resume=resume or "")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("conventions:draft_edit", pk=convention.pk)
    autre = convention.organisation_de(convention.autre_partie(convention.partie_de(version.organisation)))
    messages.success(request, f"Version {version.numero} transmise à {autre.nom}.")
    return redirect("conventions:convention_detail", pk=convention.pk)
