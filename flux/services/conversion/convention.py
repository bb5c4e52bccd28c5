"""Seeding a convention draft from one réservataire's share of a conversion.

flux reads conventions, never the reverse: this calls the conventions service with the share, the
State agents' part for the préfet, the loan-guarantee part for a collectivité, and two annexes (the
calculation note and the état des lieux lines retained), so the negotiated percentage can be traced
back to its inputs from the convention itself.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from conventions.models import Convention
from conventions.services import convention_create
from flux.models import ConversionLigne, Fondement
from flux.selectors import conversion_convention_terms
from reservataires.models import TYPES_COLLECTIVITE, TypeOrganisation

CENTIEME = Decimal("0.01")


def _pct(value) -> Decimal:
    return Decimal(value).quantize(CENTIEME, rounding=ROUND_HALF_UP)


def _etat_des_lieux(ligne: ConversionLigne) -> str:
    labels = dict(Fondement.choices)
    lines = [
        f"État des lieux des réservations de {ligne.reservataire.nom} retenues pour la conversion "
        f"n° {ligne.conversion_id} ({ligne.conversion.annee}) :"
    ]
    for d in ligne.detail:
        lines.append(
            f"- {labels.get(d['fondement'], d['fondement'])} : {d['nb']} logement(s), rotation {d['rotation']} % "
            f"({d['rotation_source']}), ligne n° {d['reservation']} de l'état des lieux"
        )
    lines.append(f"Total retenu : {ligne.nb_logements_reserves} logement(s).")
    return "\n".join(lines)


def _part_garantie(ligne: ConversionLigne) -> Decimal | None:
    """For a collectivité: the share coming from loan guarantees, pro rata of the reserved dwellings."""
    if ligne.reservataire.type not in TYPES_COLLECTIVITE or not ligne.nb_logements_reserves:
        return None
    garantie = sum(Decimal(d["nb"]) for d in ligne.detail if d["fondement"] == Fondement.GARANTIE_EMPRUNT)
    if not garantie:
        return None
    return _pct(ligne.part_flux_pct * garantie / ligne.nb_logements_reserves)


@transaction.atomic
def conversion_seed_convention(*, ligne: ConversionLigne, by) -> Convention:
    """Open the convention draft of ``ligne``'s réservataire with the converted share (bailleur drafters)."""
    t = conversion_convention_terms(ligne)
    ligne = ConversionLigne.objects.select_related("conversion", "reservataire").get(pk=ligne.pk)
    terms = {"part_flux_pct": _pct(t["part_flux_pct"])}
    if ligne.reservataire.type == TypeOrganisation.PREFET and ligne.dont_agents_pct is not None:
        terms["part_agents_pct"] = _pct(ligne.dont_agents_pct)
    garantie = _part_garantie(ligne)
    if garantie is not None:
        terms["part_garantie_pct"] = garantie
    return convention_create(
        bailleur=t["bailleur"],
        reservataire=t["reservataire"],
        by=by,
        departement=t["departement"],
        epci=t["epci"] if ligne.reservataire.type == TypeOrganisation.EPCI else None,
        commune=t["commune"] if ligne.reservataire.type == TypeOrganisation.COMMUNE else None,
        terms=terms,
        annexes=[
            {"titre": "Note de calcul de la conversion du stock en flux", "texte": t["note_calcul"]},
            {"titre": "État des lieux des réservations", "texte": _etat_des_lieux(ligne)},
        ],
        origine=f"Projet issu du calcul de conversion n° {t['conversion_id']} ({t['annee']}).",
    )
