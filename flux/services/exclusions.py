"""Exclusions from the assiette, configured per bailleur × département × year × category."""

from django.core.exceptions import ValidationError
from django.db import transaction

from flux.models import CategorieExclusion, Exclusion
from flux.services.journal import evenement_log
from flux.services.patrimoine import verifier_redacteur
from reservataires.models import Organisation
from territoires.models import Departement

ANNEE_MIN, ANNEE_MAX = 2018, 2100


def _valider(*, annee: int, categorie: str, nb_logements: int, departement) -> None:
    erreurs = {}
    if not isinstance(annee, int) or not ANNEE_MIN <= annee <= ANNEE_MAX:
        erreurs["annee"] = f"Année entre {ANNEE_MIN} et {ANNEE_MAX}."
    if categorie not in CategorieExclusion.values:
        erreurs["categorie"] = "Catégorie d'exclusion inconnue."
    if not isinstance(nb_logements, int) or not 0 <= nb_logements <= 1_000_000:
        erreurs["nb_logements"] = "Nombre de logements entre 0 et 1 000 000."
    if not isinstance(departement, Departement):
        erreurs["departement"] = "Département inconnu."
    if erreurs:
        raise ValidationError(erreurs)


@transaction.atomic
def exclusion_save(
    *,
    bailleur: Organisation,
    departement: Departement,
    annee: int,
    categorie: str,
    nb_logements: int,
    commentaire: str = "",
    by,
) -> Exclusion:
    """Create the forecast for a category, or replace it (one row per bailleur × département × year × category)."""
    verifier_redacteur(by, bailleur, "configurer les exclusions")
    _valider(annee=annee, categorie=categorie, nb_logements=nb_logements, departement=departement)
    exclusion, cree = Exclusion.objects.update_or_create(
        bailleur=bailleur,
        departement=departement,
        annee=annee,
        categorie=categorie,
        defaults={"nb_logements": nb_logements, "commentaire": commentaire.strip(), "modifie_par": by},
    )
    evenement_log(
        bailleur=bailleur,
        type="exclusion",
        by=by,
        message=(
            f"Exclusions {annee} ({departement.code}) : {exclusion.get_categorie_display()} "
            f"{'fixées' if cree else 'modifiées'} à {nb_logements} logement(s)."
        ),
        details={"exclusion": exclusion.pk},
    )
    return exclusion


@transaction.atomic
def exclusion_update(*, exclusion: Exclusion, by, **data) -> Exclusion:
    verifier_redacteur(by, exclusion.bailleur, "configurer les exclusions")
    valeurs = {
        "departement": data.get("departement", exclusion.departement),
        "annee": data.get("annee", exclusion.annee),
        "categorie": data.get("categorie", exclusion.categorie),
        "nb_logements": data.get("nb_logements", exclusion.nb_logements),
    }
    _valider(**valeurs)
    doublon = Exclusion.objects.filter(
        bailleur=exclusion.bailleur,
        departement=valeurs["departement"],
        annee=valeurs["annee"],
        categorie=valeurs["categorie"],
    ).exclude(pk=exclusion.pk)
    if doublon.exists():
        raise ValidationError({"categorie": "Cette catégorie est déjà renseignée pour ce département et cette année."})
    for cle, valeur in valeurs.items():
        setattr(exclusion, cle, valeur)
    exclusion.commentaire = (data.get("commentaire", exclusion.commentaire) or "").strip()
    exclusion.modifie_par = by
    exclusion.save()
    evenement_log(
        bailleur=exclusion.bailleur,
        type="exclusion",
        by=by,
        message=f"Exclusions {exclusion.annee} ({exclusion.departement_id}) : {exclusion.get_categorie_display()} "
        f"modifiées à {exclusion.nb_logements} logement(s).",
        details={"exclusion": exclusion.pk},
    )
    return exclusion


@transaction.atomic
def exclusion_delete(*, exclusion: Exclusion, by) -> None:
    verifier_redacteur(by, exclusion.bailleur, "configurer les exclusions")
    libelle = str(exclusion)
    exclusion.delete()
    evenement_log(bailleur=exclusion.bailleur, type="exclusion", by=by, message=f"Exclusion supprimée : {libelle}.")
