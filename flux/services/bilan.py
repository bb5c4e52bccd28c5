"""Bilan annuel per convention and year (CCH R.441-5-1), due before 28 February of the next year.

Objective of the year: the year's FluxAllocation ``en_vigueur`` rows of the convention (motif
« convention »); when the engine has not allocated anything for that convention, the version's
« nombre annuel de logements », else the sum of its EPCI objectives. The incoming carry-over is
the previous bilan's ``report`` (a deficit is negative and raises the objective, a surplus lowers
it, never below zero). The écart is carried to the next year ONLY when the convention's version
says so (``ConventionVersion.report_ecarts``).

Figures (one aggregate query per breakdown):
- proposés: dwellings oriented to the réservataire under the convention and imputed to it;
- attribués: CALEOL decisions « attribution » or « sous condition »;
- remis à disposition (deadline passed) and, among them, compensés, shown separately.
See docs/bilans.md.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, CharField, Count, Exists, OuterRef, Q, Sum, Value, When

from conventions.models import RegleAbsenceCandidat
from flux.models import CategorieExclusion, Exclusion
from flux.models.flux_annuel import FluxAllocation, MotifAllocation
from flux.models.orientation import Bilan, DecisionCaleol, Orientation, StatutBilan
from flux.services.journal import evenement_log

DECISIONS_ATTRIBUEES = (DecisionCaleol.ATTRIBUTION, DecisionCaleol.SOUS_CONDITION)

# Construction-period bands (the décret names no bands: DRIHL-style bands, see docs/bilans.md).
PERIODES_CONSTRUCTION = (
    ("avant_1949", "Avant 1949", None, 1948),
    ("1949_1974", "1949–1974", 1949, 1974),
    ("1975_1989", "1975–1989", 1975, 1989),
    ("1990_2004", "1990–2004", 1990, 2004),
    ("2005_et_apres", "2005 et après", 2005, None),
)
PERIODE_INCONNUE = "Non renseignée"


def _periode_expression():
    cases = []
    for _code, libelle, debut, fin in PERIODES_CONSTRUCTION:
        condition = Q(annee_construction__isnull=False)
        if debut is not None:
            condition &= Q(annee_construction__gte=debut)
        if fin is not None:
            condition &= Q(annee_construction__lte=fin)
        cases.append(When(condition, then=Value(libelle)))
    return Case(*cases, default=Value(PERIODE_INCONNUE), output_field=CharField())


def _ordre_periode(libelle: str) -> int:
    libelles = [p[1] for p in PERIODES_CONSTRUCTION]
    return libelles.index(libelle) if libelle in libelles else len(libelles)


# key: (title, field grouped on, label field or None)
VENTILATIONS = {
    "typologie": ("Typologie", "typologie", None),
    "financement": ("Financement", "financement", None),
    "qpv": ("Localisation QPV", "qpv", None),
    "epci": ("EPCI", "epci_id", "epci__nom"),
    "commune": ("Commune", "commune_id", "commune__nom"),
    "periode": ("Période de construction", "periode", None),
}


def _libelle(cle: str, valeur, nom) -> str:
    if cle == "typologie":
        return f"T{valeur}" if valeur and valeur < 6 else "T6 et +"
    if cle == "qpv":
        return "En QPV" if valeur else "Hors QPV"
    return str(nom if nom is not None else valeur)


@dataclass(frozen=True)
class Solde:
    objectif: int
    ecart: int
    report: int


def solde(objectif_annee: int, report_entrant: int, realise: int, *, reporter: bool = True) -> Solde:
    """Objective including the incoming carry-over (a deficit is negative), écart and carry-over out
    (zero when the convention does not carry écarts)."""
    objectif = max(0, objectif_annee - report_entrant)
    ecart = realise - objectif
    return Solde(objectif=objectif, ecart=ecart, report=ecart if reporter else 0)


def due_le(annee: int) -> datetime.date:
    return datetime.date(annee + 1, 2, 28)


def en_retard(bilan: Bilan, aujourd_hui: datetime.date | None = None) -> bool:
    aujourd_hui = aujourd_hui or datetime.date.today()
    return bilan.statut != StatutBilan.ENVOYE and aujourd_hui > due_le(bilan.annee)


def version_de(convention):
    """The version the bilan reads its terms from: the one in force, else the latest one."""
    return (
        convention.version_en_vigueur or convention.version_courante or convention.versions.order_by("-numero").first()
    )


def objectifs_de_l_annee(convention, annee: int, version) -> tuple[int, str, dict[str, int]]:
    """(objective of the year, its source, objective per EPCI id)."""
    allocations = FluxAllocation.objects.en_vigueur(annee).filter(
        convention=convention, motif=MotifAllocation.CONVENTION
    )
    par_epci = {
        ligne["epci_id"]: ligne["total"] for ligne in allocations.values("epci_id").annotate(total=Sum("logements"))
    }
    if par_epci:
        return sum(par_epci.values()), "allocations", par_epci
    if version is None:
        return 0, "aucun", {}
    objectifs = list(version.objectifs.values("epci_id", "commune_id", "nombre"))
    par_epci_version: dict[str, int] = {}
    epci_sans_commune = {o["epci_id"] for o in objectifs if o["commune_id"] is None}
    for o in objectifs:
        # An EPCI objective is the total; commune objectives count only for EPCI without their own total.
        if o["commune_id"] is None or o["epci_id"] not in epci_sans_commune:
            par_epci_version[o["epci_id"]] = par_epci_version.get(o["epci_id"], 0) + o["nombre"]
    if version.nombre_annuel:
        return version.nombre_annuel, "nombre_annuel", par_epci_version
    if par_epci_version:
        return sum(par_epci_version.values()), "objectifs_epci", par_epci_version
    return 0, "aucun", {}


SOURCES_OBJECTIF = {
    "allocations": "Allocations du flux annuel en vigueur",
    "nombre_annuel": "Nombre annuel de logements fixé par la convention",
    "objectifs_epci": "Somme des objectifs par EPCI de la convention",
    "aucun": "Aucun objectif chiffré",
}


def _compteurs():
    return {
        "proposes": Count("id", filter=Q(impute=True)),
        "attribues": Count("id", filter=Q(attribution__decision__in=DECISIONS_ATTRIBUEES)),
        "remis": Count("id", filter=Q(remis_le__isnull=False)),
        "compenses": Count("id", filter=Q(regle_appliquee=RegleAbsenceCandidat.COMPENSE)),
    }


def _ventilations(orientations) -> dict[str, list[dict]]:
    orientations = orientations.annotate(periode=_periode_expression())
    resultat = {}
    for cle, (_titre, champ, nom) in VENTILATIONS.items():
        champs = [champ] + ([nom] if nom else [])
        lignes = orientations.values(*champs).annotate(**_compteurs()).order_by(*champs)
        rangees = [
            {
                "code": str(ligne[champ]),
                "valeur": _libelle(cle, ligne[champ], ligne.get(nom) if nom else None),
                **{k: ligne[k] for k in ("proposes", "attribues", "remis", "compenses")},
            }
            for ligne in lignes
        ]
        if cle == "periode":
            rangees.sort(key=lambda r: _ordre_periode(r["valeur"]))
        resultat[cle] = rangees
    return resultat


def _exclusions_prevues(convention, annee: int) -> list[dict]:
    """Forecast of the dwellings left out of the flux for ``annee`` (the year the bilan is sent in)."""
    libelles = dict(CategorieExclusion.choices)
    lignes = Exclusion.objects.filter(
        bailleur_id=convention.bailleur_id, departement_id=convention.departement_id, annee=annee
    ).order_by("categorie")
    return [{"categorie": libelles.get(e.categorie, e.categorie), "logements": e.nb_logements} for e in lignes]


def _donnees(convention, annee: int, version, orientations, objectif_annee: int, source: str, par_epci) -> dict:
    ventilations = _ventilations(orientations)
    realise_epci = {ligne["code"]: ligne for ligne in ventilations["epci"]}
    from territoires.models import EPCI

    noms = dict(EPCI.objects.filter(pk__in=set(par_epci) | set(realise_epci)).values_list("pk", "nom"))
    objectifs_epci = [
        {
            "epci_id": epci_id,
            "epci": noms.get(epci_id, epci_id),
            "objectif": par_epci.get(epci_id, 0),
            "realise": realise_epci.get(epci_id, {}).get("proposes", 0),
            "ecart": realise_epci.get(epci_id, {}).get("proposes", 0) - par_epci.get(epci_id, 0),
        }
        for epci_id in sorted(set(par_epci) | set(realise_epci), key=lambda e: noms.get(e, e))
    ]
    totaux = orientations.aggregate(total=Count("id"), **_compteurs())
    from flux.models.orientation import Attribution
    from flux.services.indicateurs import mixite_par_epci, prioritaires_par_reservataire

    attributions = Attribution.objects.filter(orientation__in=orientations.values("pk"))
    return {
        "objectif_annee": objectif_annee,
        "source_objectif": source,
        "source_objectif_libelle": SOURCES_OBJECTIF[source],
        "report_ecarts": bool(version.report_ecarts) if version else False,
        "version": version.numero if version else None,
        "totaux": totaux,
        "ventilations": ventilations,
        "objectifs_epci": objectifs_epci,
        "exclusions_prevues": _exclusions_prevues(convention, annee + 1),
        "annee_prevision": annee + 1,
        "mixite": {
            "epci": mixite_par_epci(attributions, annee),
            "prioritaires": prioritaires_par_reservataire(attributions, annee),
        },
    }


def calculer_bilan(convention, annee: int, *, by=None) -> Bilan:
    """Compute or refresh the Bilan of ``convention`` for ``annee``; a sent bilan is never recomputed."""
    with transaction.atomic():
        bilan, _ = Bilan.objects.select_for_update().get_or_create(convention=convention, annee=annee)
        if bilan.statut == StatutBilan.ENVOYE:
            raise ValidationError("Ce bilan a déjà été envoyé : il ne peut plus être recalculé.")
        version = version_de(convention)
        objectif_annee, source, par_epci = objectifs_de_l_annee(convention, annee, version)
        precedent = Bilan.objects.filter(convention=convention, annee=annee - 1).only("report").first()
        report_entrant = precedent.report if precedent else 0
        orientations = Orientation.objects.filter(
            convention=convention, annee=annee, reservataire_id=convention.reservataire_id
        )
        donnees = _donnees(convention, annee, version, orientations, objectif_annee, source, par_epci)
        realise = donnees["totaux"]["proposes"]
        s = solde(objectif_annee, report_entrant, realise, reporter=donnees["report_ecarts"])
        bilan.objectif, bilan.report_entrant, bilan.realise = s.objectif, report_entrant, realise
        bilan.ecart, bilan.report, bilan.donnees = s.ecart, s.report, donnees
        if bilan.pdf:
            bilan.pdf.delete(save=False)  # the document no longer matches the figures
        bilan.sha256 = ""
        bilan.statut = StatutBilan.BROUILLON
        bilan.lock_version += 1
        bilan.save()
        evenement_log(
            bailleur=convention.bailleur,
            type="bilan",
            by=by,
            message=(
                f"Bilan {annee} calculé pour {convention.reservataire} : objectif {s.objectif}, "
                f"réalisé {realise}, écart {s.ecart:+d}."
            ),
            details={"bilan": bilan.pk},
        )
        return bilan


def conventions_devant_un_bilan(annee: int):
    """Conventions of every bailleur that owe a bilan for ``annee``: not abandoned, and a version in
    force, or any allocation or orientation of their bailleur under them that year.

    One query whatever the number of bailleurs (the daily reminders read it for all of them)."""
    from conventions.models import Convention, Statut

    meme_convention = {"convention_id": OuterRef("pk"), "bailleur_id": OuterRef("bailleur_id")}
    avec_flux = Exists(Orientation.objects.filter(annee=annee, **meme_convention)) | Exists(
        FluxAllocation.objects.en_vigueur(annee).filter(**meme_convention)
    )
    return Convention.objects.exclude(statut=Statut.ABANDONNEE).filter(Q(version_en_vigueur__isnull=False) | avec_flux)


def conventions_a_dresser(bailleur, annee: int):
    """Conventions of ``bailleur`` that owe a bilan for ``annee`` (see ``conventions_devant_un_bilan``)."""
    return (
        conventions_devant_un_bilan(annee)
        .filter(bailleur=bailleur)
        .select_related("reservataire", "version_en_vigueur", "version_courante")
        .order_by("reservataire__nom", "pk")
    )


def bilans_calculer(*, bailleur, annee: int, by) -> dict[str, int]:
    """Compute every bilan of ``bailleur`` for ``annee``; sent bilans are left as they are."""
    from flux.services.patrimoine import verifier_redacteur

    verifier_redacteur(by, bailleur, "calculer les bilans")
    calcules = envoyes = 0
    for convention in conventions_a_dresser(bailleur, annee):
        if Bilan.objects.filter(convention=convention, annee=annee, statut=StatutBilan.ENVOYE).exists():
            envoyes += 1
            continue
        calculer_bilan(convention, annee, by=by)
        calcules += 1
    return {"calcules": calcules, "envoyes": envoyes}


__all__ = [
    "DECISIONS_ATTRIBUEES",
    "PERIODES_CONSTRUCTION",
    "Solde",
    "bilans_calculer",
    "calculer_bilan",
    "conventions_devant_un_bilan",
    "due_le",
    "en_retard",
    "solde",
]
