"""Rule checks over all conventions of a bailleur in a département (CCH R.441-5: shares add up)."""

from decimal import Decimal

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from conventions import selectors
from core.forms import StyledForm
from reservataires.models import Organisation
from territoires.models import Departement


class PortefeuilleForm(StyledForm):
    bailleur = forms.ModelChoiceField(label="Bailleur", queryset=Organisation.objects.none(), empty_label=None)
    departement = forms.ModelChoiceField(label="Département", queryset=Departement.objects.none(), empty_label=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        bailleurs = Organisation.objects.acting_for(user).bailleurs().order_by("nom")
        self.fields["bailleur"].queryset = bailleurs
        self.fields["departement"].queryset = Departement.objects.filter(
            pk__in=bailleurs.values("conventions_bailleur__departement_id")
        ).order_by("code")


@login_required
def portefeuille(request):
    form = PortefeuilleForm(request.GET or None, user=request.user)
    if not form.is_bound:
        bailleur = form.fields["bailleur"].queryset.first()
        departement = form.fields["departement"].queryset.first()
        form = PortefeuilleForm(
            {"bailleur": getattr(bailleur, "pk", ""), "departement": getattr(departement, "pk", "")}, user=request.user
        )
    rows, total = [], Decimal(0)
    if form.is_valid():
        rows = selectors.controle_portefeuille(
            form.cleaned_data["bailleur"], form.cleaned_data["departement"].pk, request.user
        )
        total = sum(
            (r["version"].part_flux_pct or Decimal(0))
            for r in rows
            if r["version"] is not None and not r["convention"].epci_id and not r["convention"].commune_id
        )
    return render(
        request,
        "conventions/portefeuille.html",
        {
            "form": form,
            "rows": rows,
            "total": total,
            "nb_bloquantes": sum(len(r["bloquantes"]) for r in rows),
            "aucun_bailleur": not form.fields["bailleur"].queryset.exists(),
        },
    )
