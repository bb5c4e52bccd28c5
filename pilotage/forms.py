from django import forms

from conventions.models import Statut
from core.forms import StyledForm
from reservataires.models import TYPES_RESERVATAIRE, TypeOrganisation


class FiltresForm(StyledForm):
    departement = forms.ChoiceField(label="Département", required=False)
    type_reservataire = forms.ChoiceField(
        label="Type de réservataire",
        required=False,
        choices=[("", "Tous")] + [(t, TypeOrganisation(t).label) for t in TYPES_RESERVATAIRE],
    )
    statut = forms.ChoiceField(label="Statut", required=False, choices=[("", "Tous")] + list(Statut.choices))

    def __init__(self, *args, departements=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departement"].choices = [("", "Tous")] + [(d.pk, str(d)) for d in departements]


class PreferencesForm(StyledForm):
    actif = forms.BooleanField(
        label=(
            "Recevoir par courriel les relances (approbations, signatures, bilans) des conventions de mes organisations"
        ),
        required=False,
    )
