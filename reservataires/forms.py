from django import forms

from core.forms import StyledForm
from reservataires.models import Role


class MembershipInviteForm(StyledForm):
    email = forms.EmailField(label="Adresse électronique")
    first_name = forms.CharField(label="Prénom", max_length=150, required=False)
    last_name = forms.CharField(label="Nom", max_length=150, required=False)
    role = forms.ChoiceField(label="Rôle", choices=Role.choices, initial=Role.LECTEUR)
    fonction = forms.CharField(label="Fonction", max_length=200, required=False)
