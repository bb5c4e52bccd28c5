"""Bulk synthetic conventions for benchmarks and scale tests (not for the demo: it uses the services).

Rows are written with bulk_create: thousands of conventions with their proposed version, EPCI
objectives and the journal transitions a real negotiation leaves, in a few seconds.
"""

import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from conventions.models import (
    Convention,
    ConventionVersion,
    EtatVersion,
    Evenement,
    Objectif,
    Statut,
    TypeEvenement,
)
from reservataires.models import Organisation, TypeOrganisation
from territoires.models import Commune

# A plausible spread of statuses three years after the legal deadline.
POIDS_STATUTS = {
    Statut.SIGNEE: 55,
    Statut.EN_NEGOCIATION: 15,
    Statut.VALIDEE: 5,
    Statut.EN_SIGNATURE: 6,
    Statut.BROUILLON: 8,
    Statut.AVENANT_EN_COURS: 6,
    Statut.RESILIEE: 2,
    Statut.EXPIREE: 3,
}
PARCOURS = {
    Statut.BROUILLON: [Statut.BROUILLON],
    Statut.EN_NEGOCIATION: [Statut.BROUILLON, Statut.EN_NEGOCIATION],
    Statut.VALIDEE: [Statut.BROUILLON, Statut.EN_NEGOCIATION, Statut.VALIDEE],
    Statut.EN_SIGNATURE: [Statut.BROUILLON, Statut.EN_NEGOCIATION, Statut.VALIDEE, Statut.EN_SIGNATURE],
    Statut.SIGNEE: [Statut.BROUILLON, Statut.EN_NEGOCIATION, Statut.VALIDEE, Statut.EN_SIGNATURE, Statut.SIGNEE],
}
PARCOURS[Statut.AVENANT_EN_COURS] = PARCOURS[Statut.SIGNEE] + [Statut.AVENANT_EN_COURS]
PARCOURS[Statut.RESILIEE] = PARCOURS[Statut.SIGNEE] + [Statut.RESILIEE]
PARCOURS[Statut.EXPIREE] = PARCOURS[Statut.SIGNEE] + [Statut.EXPIREE]


@dataclass
class Generated:
    bailleurs: list[Organisation]
    reservataires: list[Organisation]
    conventions: int


@transaction.atomic
def generate(
    *, conventions: int, federation: Organisation, departements: list[str], seed: int = 2026, prefix: str = "Gén."
) -> Generated:
    """About ``conventions`` conventions between synthetic bailleurs adherent to ``federation`` and
    réservataires of ``departements`` (préfet and département per département, one ALS, EPCI and
    communes), each bailleur present in one or two départements."""
    rng = random.Random(seed)
    communes = list(
        Commune.objects.filter(departement_id__in=departements, epci__isnull=False, parent__isnull=True)
        .order_by("-population")
        .values_list("pk", "nom", "departement_id", "epci_id")[: 40 * len(departements)]
    )
    reservataires = [Organisation(nom=f"{prefix} Action Logement Services", type=TypeOrganisation.ALS)]
    by_dept: dict[str, list[Organisation]] = {d: [] for d in departements}
    for d in departements:
        by_dept[d] += [
            Organisation(nom=f"{prefix} Préfet {d}", type=TypeOrganisation.PREFET, departement_id=d),
            Organisation(nom=f"{prefix} Département {d}", type=TypeOrganisation.DEPARTEMENT, departement_id=d),
        ]
    epcis = sorted({c[3] for c in communes})
    for epci in epcis:
        dept = next(c[2] for c in communes if c[3] == epci)
        by_dept[dept].append(
            Organisation(nom=f"{prefix} EPCI {epci}", type=TypeOrganisation.EPCI, epci_id=epci, departement_id=dept)
        )
    for code, nom, dept, _ in communes:
        by_dept[dept].append(
            Organisation(
                nom=f"{prefix} Ville de {nom}", type=TypeOrganisation.COMMUNE, commune_id=code, departement_id=dept
            )
        )
    for orgs in by_dept.values():
        reservataires += orgs
    Organisation.objects.bulk_create(reservataires)
    als = reservataires[0]

    per_bailleur = 4 + len(departements) * 3
    n_bailleurs = max(1, conventions // per_bailleur)
    bailleurs = Organisation.objects.bulk_create(
        [
            Organisation(
                nom=f"{prefix} Habitat {i:04d}",
                type=rng.choice([TypeOrganisation.OPH, TypeOrganisation.ESH, TypeOrganisation.SEM]),
                departement_id=rng.choice(departements),
                federation=federation,
            )
            for i in range(n_bailleurs)
        ]
    )
    epci_of_dept = {d: [c[3] for c in communes if c[2] == d] for d in departements}
    statuts, poids = zip(*POIDS_STATUTS.items(), strict=True)
    now = timezone.now()
    rows: list[tuple[Convention, str]] = []
    seen = set()
    while len(rows) < conventions:
        bailleur = rng.choice(bailleurs)
        dept = rng.choice(departements)
        local = by_dept[dept]
        reservataire = rng.choice([als, als, local[0], local[0], local[1]] + local[2:])
        key = (bailleur.pk, reservataire.pk, dept)
        if key in seen:
            if len(seen) > conventions * 3:
                break
            continue
        seen.add(key)
        statut = rng.choices(statuts, poids)[0]
        convention = Convention(
            bailleur=bailleur,
            reservataire=reservataire,
            departement_id=dept,
            epci_id=reservataire.epci_id if reservataire.type == TypeOrganisation.EPCI else None,
            commune_id=reservataire.commune_id if reservataire.type == TypeOrganisation.COMMUNE else None,
            statut=statut,
        )
        convention.perimetre_code = Convention.code_perimetre(
            departement_id=dept, epci_id=convention.epci_id, commune_id=convention.commune_id
        )
        rows.append((convention, statut))
    created = Convention.objects.bulk_create([c for c, _ in rows])
    for convention in created:
        convention.numero = f"GEN-{convention.departement_id}-{convention.pk:06d}"
    Convention.objects.bulk_update(created, ["numero"])

    versions, events, objectifs = [], [], []
    for (convention, statut), saved in zip(rows, created, strict=True):
        started = now - timedelta(days=rng.randint(60, 1100))
        choices = [25, 28, 30] if convention.reservataire.type == TypeOrganisation.PREFET else [5, 10, 15, 20, 25]
        share = Decimal(rng.choice(choices))
        versions.append(
            ConventionVersion(
                convention=saved,
                numero=1,
                etat=EtatVersion.BROUILLON if statut == Statut.BROUILLON else EtatVersion.PROPOSEE,
                organisation_id=saved.bailleur_id,
                proposee_le=None if statut == Statut.BROUILLON else started + timedelta(days=5),
                part_flux_pct=share,
                nombre_annuel=rng.randint(5, 120),
                delai_signalement_jours=8,
                delai_proposition_jours=30,
                nb_candidats=3,
            )
        )
        when = started
        previous = ""
        milestones = {}
        for step in PARCOURS[statut]:
            milestones.setdefault(step, when)
            events.append(
                Evenement(
                    convention=saved,
                    type=TypeEvenement.CREATION if not previous else TypeEvenement.TRANSITION,
                    statut_avant=previous or step,
                    statut_apres=step,
                    message=f"{Statut(step).label} (données générées)",
                )
            )
            events[-1]._when = when
            previous = step
            when += timedelta(days=rng.randint(5, 120))
        saved.statut_depuis = min(when, now)
        saved.transmise_le = milestones.get(Statut.EN_NEGOCIATION)
        saved.validee_le = milestones.get(Statut.VALIDEE)
        saved.signee_le = milestones.get(Statut.SIGNEE)
    ConventionVersion.objects.bulk_create(versions)
    for v in versions:
        epcis_here = epci_of_dept.get(v.convention.departement_id) or []
        if v.convention.epci_id:
            epcis_here = [v.convention.epci_id]
        if v.convention.commune_id or not epcis_here:
            continue
        distinct = sorted(set(epcis_here))
        chosen = rng.sample(distinct, k=min(len(distinct), rng.randint(1, 4)))
        remaining = v.nombre_annuel
        for i, epci in enumerate(chosen):
            n = remaining if i == len(chosen) - 1 else rng.randint(0, remaining)
            remaining -= n
            objectifs.append(Objectif(version=v, epci_id=epci, nombre=n))
    Objectif.objects.bulk_create(objectifs)
    Evenement.objects.bulk_create(events)
    # auto_now_add wrote "now": spread the journal and the statuses over time, as a real history would be.
    for e in events:
        e.le = e._when
    Evenement.objects.bulk_update(events, ["le"], batch_size=5000)
    for saved, v in zip(created, versions, strict=True):
        saved.version_courante = v if v.etat == EtatVersion.PROPOSEE else None
        saved.version_en_vigueur = v if saved.statut in (Statut.SIGNEE, Statut.AVENANT_EN_COURS) else None
    Convention.objects.bulk_update(
        created,
        ["version_courante", "version_en_vigueur", "statut_depuis", "transmise_le", "validee_le", "signee_le"],
        batch_size=5000,
    )
    return Generated(bailleurs, reservataires, len(created))
