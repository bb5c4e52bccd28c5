from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.scoping import get_visible_or_404, scoped
from reservataires import services
from reservataires.forms import MembershipInviteForm
from reservataires.models import Capacite, Membership, Organisation
from reservataires.selectors import user_can


@login_required
def organisation_list(request):
    organisations = Organisation.objects.visible_to(request.user).select_related(
        "region", "departement", "epci", "commune", "federation"
    )
    return render(request, "reservataires/organisation_list.html", {"organisations": organisations})


@scoped(Organisation)
@login_required
def organisation_detail(request, pk):
    organisation = get_visible_or_404(Organisation, request.user, pk=pk)
    can_admin = user_can(request.user, organisation, Capacite.ADMINISTRER)
    form = MembershipInviteForm()
    if request.method == "POST":
        if not can_admin:
            raise PermissionDenied
        form = MembershipInviteForm(request.POST)
        if form.is_valid():
            try:
                services.membership_invite(
                    organisation=organisation, by=request.user, request=request, **form.cleaned_data
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, f"{form.cleaned_data['email']} a été ajouté(e) à l'organisation.")
                return redirect("reservataires:organisation_detail", pk=organisation.pk)
    members = organisation.memberships.select_related("user").order_by("role", "user__last_name")
    adherents = organisation.adherents.order_by("nom") if organisation.est_federation else None
    return render(
        request,
        "reservataires/organisation_detail.html",
        {
            "organisation": organisation,
            "members": members,
            "can_admin": can_admin,
            "form": form,
            "adherents": adherents,
        },
    )


@scoped(Organisation, Membership)
@login_required
@require_POST
def membership_remove(request, pk, membership_pk):
    organisation = get_visible_or_404(Organisation, request.user, pk=pk)
    try:
        membership = organisation.memberships.get(pk=membership_pk)
    except Membership.DoesNotExist:
        return redirect("reservataires:organisation_detail", pk=organisation.pk)
    try:
        services.membership_remove(membership=membership, by=request.user)
    except PermissionDenied:
        raise
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{membership.user} a été retiré(e) de l'organisation.")
    return redirect("reservataires:organisation_detail", pk=organisation.pk)
