"""Synthetic flux conventions for the benchmark: one per bailleur × réservataire × périmètre of the
generated état des lieux, so that a national run of the annual flux allocates real claims.

- préfet: 25 % + 5 % for State agents, signed; Action Logement: its stock share of the département
  (bounded to 10–35 %), signed, with objectives on the bailleur's three largest EPCI there (three
  quarters hors QPV); département: 1–4 %, signed;
- EPCI and communes réservataires: a territorial convention (their own territory), 10–20 %; one in
  five still under negotiation, so that its share falls to the préfet after the legal deadline.

Deterministic for a given seed; bulk inserts (no per-row save). Skips bailleurs that already hold
conventions.
"""

import random
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from conventions.models import Convention, ConventionVersion, EtatVersion, Objectif, Statut
from flux.generateur.base import comptes_par_perimetre
from flux.models import Logement, ReservationStock, SourceReservation
from reservataires.models import Organisation, TypeOrganisation

TERRITORIAUX = (TypeOrganisation.EPCI, TypeOrganisation.COMMUNE)


def _pct(x: float) -> Decimal:
    return Decimal(str(round(x, 2)))


@transaction.atomic
def generer_conventions(bailleurs: list[Organisation], *, seed: int = 42) -> dict:
    ids = [b.pk for b in bailleurs]
    deja = set(Convention.objects.filter(bailleur_id__in=ids).values_list("bailleur_id", flat=True))
    ids = [i for i in ids if i not in deja]
    lignes = (
        ReservationStock.objects.filter(bailleur_id__in=ids, source=SourceReservation.GENERATEUR)
        .values("bailleur_id", "departement_id", "reservataire_id")
        .annotate(n=Sum("nb_logements"))
        .order_by("bailleur_id", "departement_id", "reservataire_id")
    )
    reservataires = {o.pk: o for o in Organisation.objects.filter(pk__in={lg["reservataire_id"] for lg in lignes})}
    stock, par_epci = comptes_par_perimetre(Logement.objects.filter(bailleur_id__in=ids, conventionne=True))

    conventions, termes, vus = [], [], set()
    for ligne in lignes:
        b, d, r = ligne["bailleur_id"], ligne["departement_id"], ligne["reservataire_id"]
        res = reservataires[r]
        rng = random.Random(f"{seed}:convention:{b}:{d}:{r}")
        statut, objectifs, agents = Statut.SIGNEE, [], None
        epci = commune = None
        if res.type == TypeOrganisation.PREFET:
            pct, agents = Decimal("30"), Decimal("5")
        elif res.type == TypeOrganisation.ALS:
            pct = _pct(min(35.0, max(10.0, 100 * ligne["n"] / max(stock.get((b, d), 1), 1))))
            for n, siren in sorted(par_epci[(b, d)], reverse=True)[:3]:
                nombre = max(1, round(n * 0.09 * float(pct) / 100))
                objectifs.append((siren, nombre, round(nombre * 0.75)))
        elif res.type in TERRITORIAUX:
            pct = _pct(rng.uniform(10, 20))
            epci, commune = (res.epci_id, None) if res.type == TypeOrganisation.EPCI else (None, res.commune_id)
            if rng.random() < 0.2:
                statut = Statut.EN_NEGOCIATION
        else:
            pct = _pct(rng.uniform(1, 4))
        perimetre = Convention.code_perimetre(departement_id=d, epci_id=epci, commune_id=commune)
        if (b, r, perimetre) in vus:
            continue  # an EPCI over two départements: one convention for its territory (R.441-5)
        vus.add((b, r, perimetre))
        conv = Convention(
            bailleur_id=b, reservataire_id=r, departement_id=d, epci_id=epci, commune_id=commune, statut=statut,
            perimetre_code=perimetre,
        )  # fmt: skip
        conventions.append(conv)
        termes.append((pct, agents, objectifs))
    Convention.objects.bulk_create(conventions, batch_size=2000)
    versions = [
        ConventionVersion(
            convention=conv,
            numero=1,
            etat=EtatVersion.PROPOSEE,
            organisation_id=conv.bailleur_id,
            part_flux_pct=pct,
            part_agents_pct=agents,
            resume="Convention synthétique (banc)",
        )  # fmt: skip
        for conv, (pct, agents, _) in zip(conventions, termes, strict=True)
    ]
    ConventionVersion.objects.bulk_create(versions, batch_size=2000)
    Objectif.objects.bulk_create(
        [
            Objectif(version=v, epci_id=siren, nombre=nombre, nombre_hors_qpv=hors)
            for v, (_, _, objectifs) in zip(versions, termes, strict=True)
            for siren, nombre, hors in objectifs
        ],
        batch_size=2000,
    )
    for conv, version in zip(conventions, versions, strict=True):
        conv.version_courante = version
        conv.version_en_vigueur = version if conv.statut == Statut.SIGNEE else None
    Convention.objects.bulk_update(conventions, ["version_courante", "version_en_vigueur"], batch_size=2000)
    return {
        "conventions": len(conventions),
        "conventions non signées": sum(c.statut != Statut.SIGNEE for c in conventions),
        "objectifs": sum(len(t[2]) for t in termes),
    }
