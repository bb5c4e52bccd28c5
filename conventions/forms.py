"""Forms of the conventions pages. They parse input only: every write goes through conventions.services."""

from django import forms

from conventions import rules
from conventions.models import Clause, ConventionVersion, Statut
from conventions.services import TERM_FIELDS
from core.forms import StyledForm, StyledModelForm
from reservataires.models import TYPES_RESERVATAIRE, Capacite, Organisation, TypeOrganisation
from territoires.models import EPCI, Commune, Departement


class ConventionFilterForm(StyledForm):
    q = forms.CharField(label="Bailleur ou réservataire", required=False, max_length=100)
    statut = forms.ChoiceField(label="Statut", required=False, choices=[("", "Tous les statuts")] + Statut.choices)
    type_reservataire = forms.ChoiceField(
        label="Type de réservataire",
        required=False,
        choices=[("", "Tous les types")] + [(t, TypeOrganisation(t).label) for t in TYPES_RESERVATAIRE],
    )
    departement = forms.ModelChoiceField(
        label="Département", required=False, queryset=Departement.objects.none(), empty_label="Tous les départements"
    )

    def __init__(self, *args, conventions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if conventions is not None:
            self.fields["departement"].queryset = Departement.objects.filter(
                pk__in=conventions.values("departement_id")
            ).order_by("code")

    def filter(self, qs):
        """Apply the valid filters (an invalid one, e.g. an unknown status, is ignored and shown in error)."""
        if not self.is_bound:
            return qs
        self.is_valid()
        data = {"q": "", "statut": "", "type_reservataire": "", "departement": None, **self.cleaned_data}
        if data["q"]:
            from django.db.models import Q

            qs = qs.filter(Q(bailleur__nom__icontains=data["q"]) | Q(reservataire__nom__icontains=data["q"]))
        if data["statut"]:
            qs = qs.filter(statut=data["statut"])
        if data["type_reservataire"]:
            qs = qs.filter(reservataire__type=data["type_reservataire"])
        if data["departement"]:
            qs = qs.filter(departement=data["departement"])
        return qs


class ReservataireChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        territoire = obj.commune or obj.epci or obj.departement or obj.region
        return f"{obj.nom} – {obj.get_type_display()}" + (f" ({territoire})" if territoire else "")


class SelectedOnlySelect(forms.Select):
    """Renders only the chosen option: the other choices come from a search (the directory is long)."""

    def optgroups(self, name, value, attrs=None):
        groups = super().optgroups(name, value, attrs)
        return [(group, [o for o in options if o["selected"] or not o["value"]], i) for group, options, i in groups]


def chercher_reservataires(user, q: str, limit: int = 30):
    """Réservataires of the directory whose name or territory contains every word of ``q``."""
    from django.db.models import Q

    words = [w for w in (q or "").split() if w]
    if not words or len(" ".join(words)) < 2:
        return Organisation.objects.none()
    qs = Organisation.objects.visible_to(user, "annuaire").reservataires()
    for word in words:
        qs = qs.filter(
            Q(nom__icontains=word)
            | Q(commune__nom__icontains=word)
            | Q(epci__nom__icontains=word)
            | Q(departement__nom__icontains=word)
            | Q(departement__code=word)
            | Q(region__nom__icontains=word)
        )
    return qs.select_related("commune", "epci", "departement", "region").order_by("nom")[:limit]


class ConventionCreateForm(StyledForm):
    bailleur = forms.ModelChoiceField(label="Bailleur", queryset=Organisation.objects.none())
    reservataire = ReservataireChoiceField(
        label="Réservataire",
        queryset=Organisation.objects.none(),
        widget=SelectedOnlySelect,
        empty_label="— recherchez puis choisissez un réservataire —",
    )
    departement = forms.ModelChoiceField(
        label="Département",
        queryset=Departement.objects.order_by("code"),
        required=False,
        help_text="Pour l'État, Action Logement, un département ou un autre réservataire : le département couvert "
        "(une convention par département, CCH R.441-5). Une commune ou un EPCI réservataire a pour périmètre "
        "son propre territoire.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        bailleurs = Organisation.objects.acting_for(user, Capacite.REDIGER).bailleurs().order_by("nom")
        self.fields["bailleur"].queryset = bailleurs
        if bailleurs.count() == 1:
            self.fields["bailleur"].initial = bailleurs.first()
            self.fields["bailleur"].empty_label = None
        self.fields["reservataire"].queryset = (
            Organisation.objects.visible_to(user, "annuaire")
            .reservataires()
            .select_related("commune", "epci", "departement", "region")
            .order_by("nom")
        )


DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class VersionTermsForm(StyledModelForm):
    """The structured terms of a draft, plus the lock number the editor loaded (optimistic locking)."""

    lock_version = forms.IntegerField(widget=forms.HiddenInput)
    resume = forms.CharField(
        label="Résumé des changements (facultatif, joint à la transmission)",
        required=False,
        max_length=500,
        widget=forms.TextInput,
    )

    class Meta:
        model = ConventionVersion
        fields = [f for f in TERM_FIELDS if not f.startswith("repartition_")]
        widgets = {
            "date_debut": DATE,
            "date_fin": DATE,
            "part_flux_pct": forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "100"}),
            "part_agents_pct": forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "100"}),
            "part_garantie_pct": forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "100"}),
            "part_hors_qpv_pct": forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "100"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for cat in rules.TYPOLOGIES:
            self.fields[f"typo_{cat}"] = forms.DecimalField(
                label=cat, required=False, min_value=0, max_value=100, max_digits=5, decimal_places=2
            )
        for cat in rules.FINANCEMENTS:
            self.fields[f"fin_{cat}"] = forms.DecimalField(
                label=cat, required=False, min_value=0, max_value=100, max_digits=5, decimal_places=2
            )
        if self.instance and self.instance.pk and not self.is_bound:
            for cat, value in (self.instance.repartition_typologie or {}).items():
                self.initial[f"typo_{cat}"] = value
            for cat, value in (self.instance.repartition_financement or {}).items():
                self.initial[f"fin_{cat}"] = value
        # The split fields are added after StyledFormMixin styled the others.
        for name, f in self.fields.items():
            if name.startswith(("typo_", "fin_")):
                f.widget.attrs.update({"class": "form-control form-control-sm", "step": "0.01"})

    def typo_fields(self):
        return [self[f"typo_{cat}"] for cat in rules.TYPOLOGIES]

    def fin_fields(self):
        return [self[f"fin_{cat}"] for cat in rules.FINANCEMENTS]

    def terms(self) -> dict:
        data = self.cleaned_data
        terms = {name: data.get(name) for name in self._meta.fields}
        terms["repartition_typologie"] = {
            cat: str(data[f"typo_{cat}"]) for cat in rules.TYPOLOGIES if data.get(f"typo_{cat}") is not None
        }
        terms["repartition_financement"] = {
            cat: str(data[f"fin_{cat}"]) for cat in rules.FINANCEMENTS if data.get(f"fin_{cat}") is not None
        }
        return terms

    def _post_clean(self):
        """Model validation happens in the service (on the locked row), not on the form's instance."""


class TerritoireChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.nom


class CommuneSelect(forms.Select):
    """Each commune option carries its EPCI (``data-epci``): the page offers only the chosen EPCI's communes."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None and instance.epci_id:
            option["attrs"]["data-epci"] = instance.epci_id
        return option


class ObjectifForm(StyledForm):
    epci = TerritoireChoiceField(label="EPCI", queryset=EPCI.objects.none(), empty_label="— EPCI —")
    commune = TerritoireChoiceField(
        label="Commune (facultatif)",
        queryset=Commune.objects.none(),
        required=False,
        empty_label="(tout l'EPCI)",
        widget=CommuneSelect(attrs={"data-communes-de": "epci"}),
    )
    nombre = forms.IntegerField(label="Logements par an", min_value=0)
    nombre_hors_qpv = forms.IntegerField(label="Dont hors QPV", min_value=0, required=False)

    def __init__(self, *args, epci_qs=None, commune_qs=None, **kwargs):
        super().__init__(*args, **kwargs)
        if epci_qs is not None:
            self.fields["epci"].queryset = epci_qs
        if commune_qs is not None:
            self.fields["commune"].queryset = commune_qs
        for f in self.fields.values():
            f.widget.attrs["class"] = f.widget.attrs.get("class", "") + " form-control-sm"


class ClauseForm(StyledForm):
    cle = forms.CharField(widget=forms.HiddenInput, required=False, max_length=60)
    titre = forms.CharField(label="Titre", max_length=200)
    texte = forms.CharField(
        label="Texte", required=False, widget=forms.Textarea(attrs={"rows": 4, "class": "rte-source"})
    )


class AnnexeForm(StyledForm):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    titre = forms.CharField(label="Titre", max_length=200)
    texte = forms.CharField(label="Contenu", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    fichier = forms.FileField(label="Fichier (facultatif, 10 Mo au plus)", required=False)


class BaseFormSet(forms.BaseFormSet):
    def __init__(self, *args, form_kwargs=None, **kwargs):
        super().__init__(*args, form_kwargs=form_kwargs or {}, **kwargs)

    def kept(self):
        """Cleaned rows, neither deleted nor left empty, in the submitted order."""
        if self.can_order:
            forms_ = self.ordered_forms
        else:
            forms_ = [
                f
                for i, f in enumerate(self.forms)
                if not (self.can_delete and self._should_delete_form(f))
                and (i < self.initial_form_count() or f.has_changed())
            ]
        return [f.cleaned_data for f in forms_ if f.cleaned_data]


ObjectifFormSet = forms.formset_factory(ObjectifForm, formset=BaseFormSet, extra=0, can_delete=True)
ClauseFormSet = forms.formset_factory(ClauseForm, formset=BaseFormSet, extra=0, can_delete=True, can_order=True)
AnnexeFormSet = forms.formset_factory(AnnexeForm, formset=BaseFormSet, extra=0, can_delete=True)


def objectifs_initial(version: ConventionVersion) -> list[dict]:
    return [
        {"epci": o.epci_id, "commune": o.commune_id, "nombre": o.nombre, "nombre_hors_qpv": o.nombre_hors_qpv}
        for o in version.objectifs.select_related("epci", "commune").order_by("epci__nom", "commune__nom")
    ]


def clauses_initial(version: ConventionVersion) -> list[dict]:
    return [
        {"cle": c.cle, "titre": c.titre, "texte": c.texte, "ORDER": i + 1}
        for i, c in enumerate(Clause.objects.filter(version=version).order_by("ordre", "pk"))
    ]


def annexes_initial(version: ConventionVersion) -> list[dict]:
    return [{"id": a.pk, "titre": a.titre, "texte": a.texte} for a in version.annexes.all()]


class CommentForm(StyledForm):
    cible = forms.ChoiceField(label="Porte sur", choices=[("general", "L'ensemble de la version")])
    texte = forms.CharField(label="Commentaire", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, version: ConventionVersion | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("general", "L'ensemble de la version")]
        if version is not None:
            from conventions.diff import libelle

            choices += [(f"terme:{name}", libelle(name)) for name in TERM_FIELDS]
            choices.append(("terme:objectifs", "Objectifs territoriaux"))
            choices += [(f"clause:{c.cle}", f"Clause « {c.titre} »") for c in version.clauses.all()]
            self.fields["version"].initial = version.pk
        self.fields["cible"].choices = choices


class MotifForm(StyledForm):
    motif = forms.CharField(label="Motif", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    date_effet = forms.DateField(label="Date d'effet", required=False, widget=DATE)
