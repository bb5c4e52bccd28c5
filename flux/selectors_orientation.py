"""Reads of the orientation pages: filtered list, the réservataire's pending dwellings, the timeline."""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from conventions.models import Convention
from flux.models import Orientation, StatutOrientation
from reservataires.models import Capacite, Organisation

FILTRES = ("annee", "statut", "reservataire", "epci", "bailleur")
EN_ATTENTE = (StatutOrientation.ORIENTE, StatutOrientation.CANDIDATS)


def orientations_filtrees(user, params) -> tuple:
    """The orientations ``user`` may see, filtered by the query string; returns (queryset, filters)."""
    qs = Orientation.objects.visible_to(user).select_related("logement", "bailleur", "reservataire", "commune", "epci")
    f = {k: str(params.get(k, "")).strip() for k in FILTRES}
    if f["annee"].isdigit() and 2000 <= int(f["annee"]) <= 2100:
        qs = qs.filter(annee=int(f["annee"]))
    if f["statut"] in StatutOrientation.values:
        qs = qs.filter(statut=f["statut"])
    if f["reservataire"] == "bailleur":
        qs = qs.filter(reservataire__isnull=True)
    elif f["reservataire"].isdigit():
        qs = qs.filter(reservataire_id=int(f["reservataire"]))
    if f["epci"].isdigit():
        qs = qs.filter(epci_id=f["epci"][:9])
    if f["bailleur"].isdigit():
        qs = qs.filter(bailleur_id=int(f["bailleur"]))
    return qs, f


def a_pourvoir(user):
    """Dwellings oriented to one of the user's réservataires and still waiting for candidates."""
    mine = Organisation.objects.acting_for(user).reservataires().values("pk")
    return (
        Orientation.objects.visible_to(user)
        .filter(reservataire__in=mine, statut__in=EN_ATTENTE)
        .select_related("logement", "bailleur", "reservataire", "commune")
        .order_by("date_limite_candidats", "date_disponibilite", "pk")
    )


def en_retard(orientation: Orientation, aujourd_hui: datetime.date | None = None) -> bool:
    aujourd_hui = aujourd_hui or timezone.localdate()
    return (
        orientation.statut == StatutOrientation.ORIENTE
        and orientation.date_limite_candidats is not None
        and orientation.date_limite_candidats < aujourd_hui
    )


def destinataires_possibles(bailleur: Organisation, proposees: list) -> list[Organisation]:
    """Réservataires the bailleur may orient to instead: those of its conventions and of the proposal."""
    ids = {o.pk for o in proposees if o is not None}
    conventions = Convention.objects.filter(bailleur=bailleur).values("reservataire")
    return list(
        Organisation.objects.reservataires()
        .filter(actif=True)
        .filter(Q(pk__in=conventions) | Q(pk__in=ids))
        .order_by("nom")
    )


@dataclass
class Evenement:
    quand: datetime.date | datetime.datetime | None
    titre: str
    detail: str = ""
    classe: str = ""


def chronologie(o: Orientation) -> list[Evenement]:
    """What happened to the orientation, in order: declaration, proposal, notice, candidates, outcome."""
    destinataire = o.reservataire.nom if o.reservataire else "part propre du bailleur"
    propose = o.reservataire_propose.nom if o.reservataire_propose else "part propre du bailleur"
    par = f" par {o.declare_par.get_full_name() or o.declare_par.email}" if o.declare_par else ""
    evenements = [
        Evenement(
            o.declare_le, "Logement déclaré disponible", f"{o.get_nature_display()}{par} ({o.get_source_display()})."
        ),
    ]
    if o.reservataire_id == o.reservataire_propose_id:
        evenements.append(
            Evenement(o.declare_le, f"Orienté vers {destinataire}", "Proposition de l'application suivie.")
        )
    else:
        evenements.append(
            Evenement(
                o.declare_le,
                f"Orienté vers {destinataire}",
                f"Proposition de l'application : {propose}. Motif : {o.motif_derogation}",
                "evenement-derogation",
            )
        )
    if o.notifie_le:
        evenements.append(
            Evenement(
                o.notifie_le,
                "Réservataire notifié",
                f"Date limite de proposition des candidats : {o.date_limite_candidats:%d/%m/%Y}."
                if o.date_limite_candidats
                else "",
            )
        )
    for p in o.propositions.all().order_by("propose_le", "pk"):
        refs = f" Références : {p.references}" if p.references else ""
        evenements.append(Evenement(p.propose_le, f"{p.nb_candidats} candidat(s) proposé(s)", refs.strip()))
    if o.remis_le:
        regles = {
            "impute": "imputé au réservataire (compte dans son flux)",
            "compense": "non imputé, compensation due au réservataire",
            "restitue": "rendu au bailleur sans imputation",
        }
        evenements.append(
            Evenement(
                o.remis_le,
                "Remis à disposition : délai dépassé sans candidat",
                f"Règle de la convention appliquée : {regles.get(o.regle_appliquee, o.regle_appliquee)}.",
                "evenement-retard",
            )
        )
    attribution = getattr(o, "attribution", None)
    if attribution is not None:
        drapeaux = [
            libelle
            for actif, libelle in (
                (attribution.premier_quartile, "premier quartile"),
                (attribution.dalo, "DALO"),
                (attribution.prioritaire, "prioritaire"),
                (attribution.relogement_renouvellement, "relogement NPNRU / ORCOD"),
            )
            if actif
        ]
        evenements.append(
            Evenement(
                attribution.date_caleol,
                f"CALEOL : {attribution.get_decision_display()}",
                ("Ménage : " + ", ".join(drapeaux) + ".") if drapeaux else "",
            )
        )
        if attribution.bail_signe_le:
            evenements.append(Evenement(attribution.bail_signe_le, "Bail signé"))
    return evenements


def bailleurs_declarants(user):
    return Organisation.objects.acting_for(user, Capacite.REDIGER).bailleurs().order_by("nom")
