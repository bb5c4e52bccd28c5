"""Forms of the orientation pages: declaration (then confirmation), candidates, CALEOL outcome."""

from django import forms

from core.forms import StyledForm
from flux.forms import ImportFichierForm
from flux.models import DecisionCaleol, Logement, NatureDisponibilite
from reservataires.models import Organisation

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PART_BAILLEUR = "bailleur"


class BailleurChoixMixin:
    """A ``bailleur`` field limited to the bailleurs the user drafts for (hidden when there is one)."""

    def _bailleurs(self, bailleurs):
        self.fields["bailleur"].queryset = bailleurs
        premiers = list(bailleurs[:2])
        if len(premiers) == 1:
            self.fields["bailleur"].widget = forms.HiddenInput()
            self.fields["bailleur"].initial = premiers[0].pk


class DeclarationForm(BailleurChoixMixin, StyledForm):
    bailleur = forms.ModelChoiceField(label="Bailleur", queryset=Organisation.objects.none())
    rpls_id = forms.CharField(
        label="Identifiant RPLS du logement",
        max_length=20,
        help_text="Le logement doit figurer dans le patrimoine importé du bailleur.",
    )
    nature = forms.ChoiceField(label="Nature", choices=NatureDisponibilite.choices)
    date_disponibilite = forms.DateField(label="Date de disponibilité", widget=DATE)

    def __init__(self, *args, bailleurs, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self._bailleurs(bailleurs)

    def clean(self):
        data = super().clean()
        bailleur, rpls_id = data.get("bailleur"), (data.get("rpls_id") or "").strip()
        if bailleur and rpls_id:
            rpls_id = rpls_id.zfill(10) if rpls_id.isdigit() and len(rpls_id) < 10 else rpls_id
            logement = (
                Logement.objects.visible_to(self.user, "edit")
                .filter(bailleur=bailleur, rpls_id=rpls_id)
                .select_related("commune", "epci", "bailleur")
                .first()
            )
            if logement is None:
                self.add_error("rpls_id", f"Aucun logement {rpls_id} dans le patrimoine de {bailleur.nom}.")
            data["logement"] = logement
        return data


class ConfirmationForm(DeclarationForm):
    """The declaration again (hidden), the proposal shown, and the bailleur's choice."""

    propose_attendu = forms.CharField(widget=forms.HiddenInput, required=False)
    destinataire = forms.ChoiceField(label="Autre destinataire", required=False, choices=())
    motif = forms.CharField(
        label="Motif du choix d'un autre réservataire",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Obligatoire pour ne pas suivre la proposition (tracé avec l'orientation).",
    )

    def __init__(self, *args, destinataires=(), **kwargs):
        super().__init__(*args, **kwargs)
        for nom in ("rpls_id", "nature", "date_disponibilite", "bailleur"):
            self.fields[nom].widget = forms.HiddenInput()
        self.fields["destinataire"].choices = [
            ("", "— choisir —"),
            (PART_BAILLEUR, "Part propre du bailleur"),
            *[(str(o.pk), o.nom) for o in destinataires],
        ]
        self.destinataires = {str(o.pk): o for o in destinataires}

    def clean(self):
        data = super().clean()
        if self.data.get("action") == "deroger" and not data.get("destinataire"):
            self.add_error("destinataire", "Choisissez le réservataire auquel orienter le logement.")
        return data

    def choix(self):
        """(réservataire, None for the own share, or "propose"; motif) from the button pressed."""
        d = self.cleaned_data
        if self.data.get("action") != "deroger":
            return "propose", ""
        cible = None if d["destinataire"] == PART_BAILLEUR else self.destinataires[d["destinataire"]]
        return cible, d.get("motif", "")

    def attendu(self):
        v = self.cleaned_data.get("propose_attendu", "")
        if v == PART_BAILLEUR:
            return None
        return int(v) if v.isdigit() else ""


class CandidatsForm(StyledForm):
    nb_candidats = forms.IntegerField(label="Nombre de candidats proposés", min_value=1, max_value=50, initial=3)
    references = forms.CharField(
        label="Références des demandes (numéros uniques)",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Un numéro unique par ligne ou séparés par des virgules.",
    )
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AttributionForm(StyledForm):
    decision = forms.ChoiceField(label="Décision de la CALEOL", choices=DecisionCaleol.choices)
    date_caleol = forms.DateField(label="Date de la CALEOL", widget=DATE)
    bail_signe_le = forms.DateField(label="Bail signé le", required=False, widget=DATE)
    premier_quartile = forms.BooleanField(label="Ménage du premier quartile de revenus", required=False)
    dalo = forms.BooleanField(label="Ménage reconnu DALO", required=False)
    prioritaire = forms.BooleanField(label="Ménage prioritaire (L.441-1)", required=False)
    relogement_renouvellement = forms.BooleanField(label="Relogement NPNRU / ORCOD", required=False)
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def donnees(self) -> dict:
        d = dict(self.cleaned_data)
        d.pop("lock_version", None)
        return d


class ImportOrientationsForm(BailleurChoixMixin, ImportFichierForm):
    bailleur = forms.ModelChoiceField(label="Bailleur", queryset=Organisation.objects.none())
    field_order = ["bailleur", "fichier"]

    def __init__(self, *args, bailleurs, **kwargs):
        super().__init__(*args, **kwargs)
        self._bailleurs(bailleurs)
        self.order_fields(self.field_order)
