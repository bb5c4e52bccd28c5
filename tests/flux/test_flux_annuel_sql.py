"""The PostgreSQL set-based path writes exactly the rows of the portable (Python) path.

Random worlds (seeded, so a failure replays): two bailleurs over two départements, dwellings in
several EPCI and communes, QPV / typologies, turnover history and configured rates, first lettings,
exclusions, and every kind of convention: préfet (with agents above 5 %), Action Logement with EPCI
objectives and hors-QPV numbers, département, EPCI and commune réservataires on their territory,
unsigned ones (→ préfet), an annual number without percentage, a périmètre whose shares exceed 100 %.
Each world is computed by both paths; cells, allocations (exact quotas included) and the summary
must be identical."""

import random
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conventions.models import Convention, ConventionVersion, EtatVersion, Objectif, Statut
from flux.models import (
    CalculFlux,
    Exclusion,
    FluxAllocation,
    FluxCellule,
    Logement,
    MiseEnService,
    ModeCalcul,
    RotationObservee,
    TauxRotation,
)
from flux.services.flux_annuel.calcul import calculer_portable
from flux.services.flux_annuel.sql import calculer_sql
from reservataires.models import TypeOrganisation
from territoires.models import EPCI, Commune
from tests import factories

pytestmark = pytest.mark.django_db
ANNEE = 2033


def _communes(departement, rng, n_epci=3):
    epcis = list(EPCI.objects.filter(communes__departement_id=departement).distinct().order_by("siren")[:12])
    choisis = rng.sample(epcis, min(n_epci, len(epcis)))
    return {
        e.siren: list(Commune.objects.filter(epci=e, departement_id=departement).order_by("code")[:4]) for e in choisis
    }


def _monde(seed):
    rng = random.Random(seed)
    prefet = factories.PrefetFactory(nom=f"Préfet {seed}")
    als = factories.ALSFactory(nom=f"ALS {seed}")
    cd = factories.OrganisationFactory(nom=f"Département {seed}", type=TypeOrganisation.DEPARTEMENT)
    lignes, numero = [], 0
    for b in range(2):
        bailleur = factories.BailleurFactory(nom=f"Bailleur {seed}-{b}")
        for departement in ("59", "62"):
            territoire = _communes(departement, rng)
            if rng.random() < 0.7:
                TauxRotation.objects.create(
                    bailleur=bailleur, departement_id=departement, taux_pct=Decimal(rng.choice(["7.5", "8", "11.25"]))
                )
            for siren, communes in territoire.items():
                for commune in communes:
                    for _ in range(rng.randint(1, 3)):
                        qpv, typologie, n = rng.random() < 0.3, rng.randint(1, 5), rng.randint(0, 90)
                        for _ in range(n):
                            numero += 1
                            lignes.append(
                                Logement(
                                    bailleur=bailleur,
                                    rpls_id=f"S{seed}-{numero:07d}",
                                    commune=commune,
                                    departement_id=departement,
                                    epci_id=siren,
                                    qpv=qpv,
                                    nb_pieces=typologie,
                                    typologie=typologie,
                                    financement="PLUS",
                                )  # fmt: skip
                            )
                        if rng.random() < 0.2:
                            RotationObservee.objects.get_or_create(
                                bailleur=bailleur, departement_id=departement, epci_id=siren, annee=ANNEE - 1,
                                qpv=qpv, typologie=typologie,
                                defaults={"logements": max(n, 1), "liberations": rng.randint(0, max(n, 1) // 3)},
                            )  # fmt: skip
                    if rng.random() < 0.25:
                        MiseEnService.objects.create(
                            bailleur=bailleur, commune=commune, annee=ANNEE, programme="Neuf",
                            nb_logements=rng.randint(1, 20), qpv=rng.random() < 0.3, typologie=rng.randint(1, 5),
                        )  # fmt: skip
            Exclusion.objects.create(
                bailleur=bailleur, departement_id=departement, annee=ANNEE, categorie="mutation",
                nb_logements=rng.randint(0, 15),
            )  # fmt: skip
            sirens = sorted(territoire)
            _convention(bailleur, prefet, departement, rng, pct=rng.choice(["25", "30", "32"]), agents="7.5")
            objectifs = [
                (s, rng.randint(0, 12), rng.choice([None, rng.randint(0, 6)]))
                for s in rng.sample(sirens, rng.randint(0, len(sirens)))
            ]
            if rng.random() < 0.3:
                objectifs.append(("200093201" if departement == "59" else "246200364", 4, None))  # maybe no flux
            _convention(
                bailleur, als, departement, rng, pct=rng.choice(["18", "25.5", "33.33", None]),
                nombre=rng.randint(3, 40), objectifs=objectifs, signee=rng.random() < 0.8,
            )  # fmt: skip
            if rng.random() < 0.5:
                _convention(bailleur, cd, departement, rng, pct=rng.choice(["2", "4", "45"]))
            epci_res = factories.EPCIReservataireFactory(epci_id=sirens[0], nom=f"EPCI {seed}-{b}-{departement}")
            _convention(
                bailleur, epci_res, departement, rng, pct=rng.choice(["10", "15", "35"]), epci=sirens[0],
                signee=rng.random() < 0.6,
            )  # fmt: skip
            commune = territoire[sirens[-1]][0]
            ville = factories.CommuneReservataireFactory(commune_id=commune.code, nom=f"Ville {seed}-{b}-{departement}")
            _convention(
                bailleur, ville, departement, rng, pct=rng.choice(["12", "20", "40"]), commune=commune.code,
                signee=rng.random() < 0.6,
            )  # fmt: skip
    Logement.objects.bulk_create(lignes, batch_size=2000)


def _convention(
    bailleur, reservataire, departement, rng, *, pct, agents=None, nombre=None, objectifs=(), signee=True,
    epci=None, commune=None,
):  # fmt: skip
    conv = Convention.objects.create(
        bailleur=bailleur, reservataire=reservataire, departement_id=departement, epci_id=epci, commune_id=commune,
        statut=Statut.SIGNEE if signee else Statut.EN_NEGOCIATION,
    )  # fmt: skip
    version = ConventionVersion.objects.create(
        convention=conv, numero=1, etat=EtatVersion.PROPOSEE, organisation=bailleur,
        part_flux_pct=None if pct is None else Decimal(pct),
        part_agents_pct=None if agents is None else Decimal(agents), nombre_annuel=nombre,
    )  # fmt: skip
    for siren, n, hors_qpv in objectifs:
        Objectif.objects.get_or_create(
            version=version, epci_id=siren, commune=None, defaults={"nombre": n, "nombre_hors_qpv": hors_qpv}
        )
    conv.version_courante = version
    conv.version_en_vigueur = version if signee else None
    conv.save()


def _lignes():
    cellules = {
        (c.bailleur_id, c.departement_id, c.epci_id, c.qpv, c.typologie): (
            c.logements,
            c.taux_rotation_pct,
            c.source_rotation,
            c.relocations,
            c.mises_en_service,
            c.exclusions,
            c.flux,
        )  # fmt: skip
        for c in FluxCellule.objects.filter(annee=ANNEE)
    }
    allocations = {
        (a.bailleur_id, a.epci_id, a.qpv, a.typologie, a.convention_id, a.reservataire_id, a.motif): (
            a.quota,
            a.logements,
        )
        for a in FluxAllocation.objects.filter(annee=ANNEE)
    }
    return cellules, allocations


@pytest.mark.parametrize("mode", [ModeCalcul.SIGNEES, ModeCalcul.PROJETS])
@pytest.mark.parametrize("seed", range(6))
def test_both_paths_write_the_same_rows(seed, mode):
    _monde(seed)
    portable = calculer_portable(CalculFlux.objects.create(annee=ANNEE, mode=mode))
    attendu = _lignes()
    ensembliste = calculer_sql(CalculFlux.objects.create(annee=ANNEE, mode=mode))
    obtenu = _lignes()
    assert obtenu[0] == attendu[0]
    assert obtenu[1] == attendu[1]
    assert ensembliste == portable
    assert portable["flux_total"] > 0 and len(attendu[1]) > len(attendu[0])
    assert {a[6] for a in attendu[1]} >= {"convention", "bailleur"}


def test_a_run_on_one_bailleur_leaves_the_others_rows():
    _monde(7)
    calculer_sql(CalculFlux.objects.create(annee=ANNEE, mode=ModeCalcul.SIGNEES))
    avant = FluxCellule.objects.filter(annee=ANNEE).count()
    bailleur = FluxCellule.objects.filter(annee=ANNEE).values_list("bailleur_id", flat=True).first()
    seul = CalculFlux.objects.create(annee=ANNEE, mode=ModeCalcul.SIGNEES, bailleur_id=bailleur)
    calculer_sql(seul)
    assert FluxCellule.objects.filter(annee=ANNEE).count() == avant
    assert set(FluxCellule.objects.filter(calcul=seul).values_list("bailleur_id", flat=True)) == {bailleur}


def _requetes(chemin) -> int:
    with CaptureQueriesContext(connection) as requetes:
        chemin(CalculFlux.objects.create(annee=ANNEE, mode=ModeCalcul.SIGNEES))
    return len(requetes)


@pytest.mark.parametrize("chemin", [calculer_sql, calculer_portable], ids=["sql", "portable"])
def test_its_queries_do_not_grow_with_the_number_of_conventions(chemin):
    """Conventions, versions and organisations are read with a few queries whatever their number
    (fields left out of ``only()`` would cost a query per convention)."""
    _monde(1)
    conventions = Convention.objects.count()
    une = _requetes(chemin)
    _monde(2)
    _monde(3)
    assert Convention.objects.count() >= 2 * conventions
    # A few statements depend on the data (objectives to read, a ceiling to repair), not on its size.
    assert _requetes(chemin) <= une + 4
