import datetime
import re
from decimal import Decimal

from django import forms

from core.forms import StyledForm
from flux.models import CategorieExclusion, Fondement, Methode, ReservationStock
from reservataires.models import Organisation
from territoires.models import Departement

RE_LISTE = re.compile(r"[,;\s|]+")


def annee_courante() -> int:
    return datetime.date.today().year


def choix_annees():
    annee = annee_courante()
    return [(a, str(a)) for a in range(annee + 2, 2020, -1)]


class ImportFichierForm(StyledForm):
    fichier = forms.FileField(
        label="Fichier CSV ou XLSX",
        help_text="CSV séparé par des points-virgules (UTF-8 ou Windows-1252) ou classeur XLSX : première feuille, "
        "en-têtes sur la première ligne.",
    )


class ImportPatrimoineForm(ImportFichierForm):
    remplacer = forms.BooleanField(
        label="Le fichier décrit tout le patrimoine : retirer les logements absents du fichier",
        required=False,
    )


class ReservationForm(StyledForm):
    reservataire = forms.ModelChoiceField(label="Réservataire", queryset=Organisation.objects.none())
    fondement = forms.ChoiceField(label="Fondement", choices=Fondement.choices)
    departement = forms.ModelChoiceField(label="Département", queryset=Departement.objects.all())
    commune = forms.CharField(
        label="Commune du programme (code INSEE)",
        max_length=5,
        required=False,
        help_text="Pour une réservation sur un programme précis ; déduite pour une commune réservataire.",
    )
    nb_logements = forms.IntegerField(
        label="Logements réservés",
        min_value=1,
        max_value=1_000_000,
        required=False,
        help_text="Par défaut : le nombre de logements identifiés.",
    )
    rpls_ids = forms.CharField(
        label="Logements identifiés (identifiants RPLS)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Séparés par des virgules, espaces ou retours à la ligne.",
    )
    programmes = forms.CharField(
        label="Programmes concernés",
        required=False,
        max_length=2000,
        help_text="Références de programme (colonne « programme » du patrimoine), séparées par des virgules.",
    )
    date_debut = forms.DateField(
        label="Début des droits", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_fin = forms.DateField(label="Fin des droits", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_fin_pret = forms.DateField(
        label="Fin du prêt garanti",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Garantie d'emprunt : la fin des droits proposée est la fin du prêt + 5 ans.",
    )
    droit_de_suite = forms.BooleanField(
        label="Droit de suite (droit sur chaque relocation)", required=False, initial=True
    )
    taux_rotation = forms.DecimalField(
        label="Taux de rotation du contingent (%)",
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=2,
        max_digits=5,
    )
    reference = forms.CharField(label="Référence", max_length=100, required=False)
    commentaire = forms.CharField(label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reservataire"].queryset = Organisation.objects.reservataires().filter(actif=True).order_by("nom")

    @classmethod
    def initial_de(cls, reservation: ReservationStock) -> dict:
        return {
            "reservataire": reservation.reservataire_id,
            "fondement": reservation.fondement,
            "departement": reservation.departement_id,
            "commune": reservation.commune_id or "",
            "nb_logements": reservation.nb_logements,
            "rpls_ids": ", ".join(reservation.logements.values_list("rpls_id", flat=True)),
            "programmes": ", ".join(reservation.programmes),
            "date_debut": reservation.date_debut,
            "date_fin": reservation.date_fin,
            "date_fin_pret": reservation.date_fin_pret,
            "droit_de_suite": reservation.droit_de_suite,
            "taux_rotation": reservation.taux_rotation,
            "reference": reservation.reference,
            "commentaire": reservation.commentaire,
            "lock_version": reservation.lock_version,
        }

    def donnees_service(self) -> dict:
        d = dict(self.cleaned_data)
        d.pop("lock_version", None)
        d["rpls_ids"] = [r for r in RE_LISTE.split(d["rpls_ids"]) if r]
        d["programmes"] = [p.strip() for p in d["programmes"].split(",") if p.strip()]
        d["commune"] = d["commune"].strip().upper()
        return d


class ExclusionForm(StyledForm):
    departement = forms.ModelChoiceField(label="Département", queryset=Departement.objects.all())
    annee = forms.TypedChoiceField(label="Année", coerce=int, choices=choix_annees)
    categorie = forms.ChoiceField(label="Catégorie", choices=CategorieExclusion.choices)
    nb_logements = forms.IntegerField(label="Nombre prévisionnel de logements", min_value=0, max_value=1_000_000)
    commentaire = forms.CharField(label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ConversionForm(StyledForm):
    perimetre = forms.ChoiceField(label="Périmètre")
    annee = forms.TypedChoiceField(label="Année du flux", coerce=int, choices=choix_annees)
    methode = forms.ChoiceField(label="Méthode", choices=Methode.choices, widget=forms.RadioSelect)
    taux_rotation = forms.DecimalField(
        label="Taux de rotation du périmètre (%)",
        required=False,
        min_value=Decimal("0.1"),
        max_value=50,
        decimal_places=2,
        max_digits=5,
        help_text="Vide : 6,3 % en Île-de-France, 9 % ailleurs (rotation 2019).",
    )

    def __init__(self, *args, perimetres=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["perimetre"].choices = [(p.valeur, p.libelle) for p in perimetres]


class SyntheseForm(StyledForm):
    annee = forms.TypedChoiceField(label="Année", coerce=int, choices=choix_annees, required=False)
    departement = forms.ModelChoiceField(
        label="Département", queryset=Departement.objects.all(), required=False, empty_label="Tous"
    )
