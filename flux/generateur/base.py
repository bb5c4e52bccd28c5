"""Writing the synthetic world to the database: organisations, dwellings (bulk), inventories."""

import datetime
import random
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from flux.generateur.plan import BailleurPlan
from flux.models import CategorieExclusion, Exclusion, Fondement, Logement, ReservationStock, SourceReservation
from flux.models.etat_des_lieux import fin_des_droits_garantie
from flux.services.conversion import rotation_par_defaut
from flux.services.staging import StagingLogements
from reservataires.models import Organisation, TypeOrganisation
from territoires.models import EPCI, Commune, Departement, Region

TAILLE_LOT = 20_000


def _organisations(specs: list[dict]) -> dict[str, Organisation]:
    """get_or_create by name, in two queries whatever the number."""
    noms = [s["nom"] for s in specs]
    existantes = {o.nom: o for o in Organisation.objects.filter(nom__in=noms)}
    nouvelles = [Organisation(**s) for s in specs if s["nom"] not in existantes]
    Organisation.objects.bulk_create(nouvelles, batch_size=1000)
    return {o.nom: o for o in Organisation.objects.filter(nom__in=noms)}


def creer_bailleurs(plans: list[BailleurPlan]) -> dict[str, Organisation]:
    regions = {r.code: r for r in Region.objects.filter(code__in={p.region for p in plans})}
    federations = _organisations(
        [
            {"nom": f"Union régionale Hlm synthétique – {r.nom}", "type": TypeOrganisation.URH, "region": r}
            for r in regions.values()
        ]
    )
    par_region = {r: federations[f"Union régionale Hlm synthétique – {regions[r].nom}"] for r in regions}
    orgs = _organisations(
        [
            {"nom": p.nom, "type": p.type, "departement_id": p.departement, "federation": par_region[p.region]}
            for p in plans
        ]
    )
    return {p.cle: orgs[p.nom] for p in plans}


@transaction.atomic
def inserer_logements(logements, bailleurs: dict[str, int]) -> dict:
    """Bulk upsert (COPY on PostgreSQL) of generated dwellings; ``bailleurs``: key → Organisation id."""
    staging = StagingLogements("flux_staging_generateur")
    staging.create()
    lot = []
    for ligne, logement in enumerate(logements, start=1):
        lot.append(logement.staging(ligne, bailleurs[logement.bailleur]))
        if len(lot) >= TAILLE_LOT:
            staging.write(lot)
            lot = []
    if lot:
        staging.write(lot)
    staging.seal()
    stats = staging.upsert(timezone.now())
    staging.drop()
    return stats


class _Lignes:
    """The generated état des lieux lines of one bailleur × département."""

    def __init__(self, bailleur_id: int, departement: str, rng: random.Random, rotation: Decimal):
        self.bailleur_id, self.departement, self.rng, self.rotation_defaut = bailleur_id, departement, rng, rotation
        self.lignes: list[dict] = []

    def ajouter(self, cle: str, fondement: str, nb, **extra) -> None:
        if nb < 1:
            return
        self.lignes.append(
            {
                "reservataire": cle,
                "bailleur_id": self.bailleur_id,
                "departement_id": self.departement,
                "fondement": fondement,
                "nb_logements": int(nb),
                "reference": f"GEN-{self.bailleur_id}-{self.departement}-{len(self.lignes) + 1:04d}",
                "source": SourceReservation.GENERATEUR,
                **extra,
            }
        )

    def rotation(self) -> Decimal | None:
        """Half of the contingents carry their own turnover, around the périmètre's default."""
        if self.rng.random() < 0.5:
            return None
        return (self.rotation_defaut + Decimal(self.rng.uniform(-2.0, 2.0))).quantize(Decimal("0.01"))


@transaction.atomic
def comptes_par_perimetre(logements) -> tuple[dict, dict]:
    """Dwellings per (bailleur, département), and per EPCI inside it: (bailleur, dép.) → [(n, siren)]."""
    stock = {(b, d): n for b, d, n in logements.values_list("bailleur_id", "departement_id").annotate(n=Count("id"))}
    par_epci = defaultdict(list)
    for b, d, e, n in (
        logements.filter(epci__isnull=False)
        .values_list("bailleur_id", "departement_id", "epci_id")
        .annotate(n=Count("id"))
    ):
        par_epci[(b, d)].append((n, e))
    return stock, par_epci


def generer_inventaire(bailleurs: list[Organisation], *, annee: int, seed: int, fournis: dict | None = None) -> dict:
    """État des lieux and exclusions for each bailleur × département of its stock.

    ``fournis`` maps « prefet:59 », « cd:59 », « als:32 », « epci:<siren> », « commune:<code> »
    to existing organisations (the demo's named réservataires); others are created as synthetic.
    Idempotent: the generated lines (source « generateur ») of these bailleurs are replaced.
    """
    fournis = fournis or {}
    ids = [b.pk for b in bailleurs]
    ReservationStock.objects.filter(bailleur_id__in=ids, source=SourceReservation.GENERATEUR).delete()
    Exclusion.objects.filter(bailleur_id__in=ids, annee=annee, commentaire__startswith="Généré").delete()
    logements = Logement.objects.filter(bailleur_id__in=ids, conventionne=True)
    stock, par_epci = comptes_par_perimetre(logements)
    if not stock:
        return {"lignes": 0, "exclusions": 0}
    par_commune = defaultdict(list)
    for b, d, c, n in logements.values_list("bailleur_id", "departement_id", "commune_id").annotate(n=Count("id")):
        par_commune[(b, d)].append((n, c))
    par_programme = defaultdict(list)
    for b, d, p, n in logements.values_list("bailleur_id", "departement_id", "programme").annotate(n=Count("id")):
        par_programme[(b, d)].append((n, p))
    deps = {d.code: d for d in Departement.objects.filter(code__in={d for _, d in stock}).select_related("region")}

    besoins: dict[str, dict] = {}

    def reservataire(cle: str, spec: dict) -> str:
        if cle not in fournis:
            besoins[cle] = spec
        return cle

    lignes, exclusions = [], []
    for (b, d), s in sorted(stock.items()):
        dep = deps[d]
        rng = random.Random(f"{seed}:inventaire:{b}:{d}")
        rotation, _ = rotation_par_defaut(dep)
        idf = dep.region_id == "11"
        lignes_bd = _Lignes(b, d, rng, rotation)
        ligne, rot = lignes_bd.ajouter, lignes_bd.rotation

        prefet = reservataire(
            f"prefet:{d}",
            {"nom": f"Préfet – {dep.nom} (synthétique)", "type": TypeOrganisation.PREFET, "departement": dep},
        )
        ligne(
            prefet,
            Fondement.PREFET_PRIORITAIRES,
            round(s * rng.uniform(0.18, 0.25)),
            commentaire="Contingent historique",
        )
        ligne(prefet, Fondement.PREFET_AGENTS, round(s * rng.uniform(0.02, 0.05)))
        als = reservataire(
            f"als:{dep.region_id}",
            {
                "nom": f"Action Logement Services – {dep.region.nom} (synthétique)",
                "type": TypeOrganisation.ALS,
                "region": dep.region,
            },
        )
        programmes = sorted(par_programme[(b, d)], reverse=True)
        cible_als = s * (rng.uniform(0.25, 0.35) if idf else rng.uniform(0.15, 0.30))
        for i, (n, programme) in enumerate(programmes[:40]):
            if cible_als < 1:
                break
            nb = min(round(n * rng.uniform(0.4, 0.6)), round(cible_als))
            cible_als -= nb
            fin = datetime.date(rng.randint(2010, 2060), 12, 31) if rng.random() < 0.6 else None
            ligne(
                als,
                Fondement.ACTION_LOGEMENT,
                nb,
                programmes=[programme],
                date_fin=fin,
                taux_rotation=rot(),
                droit_de_suite=i % 10 != 9,
            )
        if cible_als >= 1:
            ligne(als, Fondement.ACTION_LOGEMENT, round(cible_als), commentaire="Droits non localisés")
        if rng.random() < 0.5:
            cd = reservataire(
                f"cd:{d}",
                {
                    "nom": f"Département – {dep.nom} (synthétique)",
                    "type": TypeOrganisation.DEPARTEMENT,
                    "departement": dep,
                },
            )
            pret = datetime.date(rng.randint(2030, 2055), 6, 30)
            ligne(
                cd,
                Fondement.GARANTIE_EMPRUNT,
                round(s * rng.uniform(0.01, 0.04)),
                date_fin_pret=pret,
                date_fin=fin_des_droits_garantie(pret),
            )
        for n, siren in sorted(par_epci[(b, d)], reverse=True)[:2]:
            if n < 200:
                continue
            cle = reservataire(f"epci:{siren}", {"nom": None, "type": TypeOrganisation.EPCI, "epci_id": siren})
            pret = datetime.date(rng.randint(2028, 2060), 12, 31)
            ligne(
                cle,
                Fondement.GARANTIE_EMPRUNT,
                round(n * rng.uniform(0.05, 0.12)),
                date_fin_pret=pret,
                date_fin=fin_des_droits_garantie(pret),
                taux_rotation=rot(),
            )
        for n, code in sorted(par_commune[(b, d)], reverse=True)[:6]:
            if n < 50:
                continue
            cle = reservataire(f"commune:{code}", {"nom": None, "type": TypeOrganisation.COMMUNE, "commune_id": code})
            eteinte = rng.random() < 0.15
            pret = (
                datetime.date(rng.randint(2008, 2017), 12, 31)
                if eteinte
                else datetime.date(rng.randint(2026, 2060), 12, 31)
            )
            ligne(
                cle,
                Fondement.GARANTIE_EMPRUNT,
                round(n * rng.uniform(0.10, 0.20)),
                commune_id=code,
                date_fin_pret=pret,
                date_fin=fin_des_droits_garantie(pret),
                taux_rotation=rot(),
            )
        flux = s * rotation / 100
        exclusions.append((b, d, CategorieExclusion.MUTATION, round(flux * Decimal(rng.uniform(0.20, 0.30)))))
        if rng.random() < 0.5:
            exclusions.append(
                (b, d, CategorieExclusion.RELOGEMENT_NPNRU, round(flux * Decimal(rng.uniform(0.01, 0.06))))
            )
        if rng.random() < 0.5:
            exclusions.append((b, d, CategorieExclusion.RESTE_EN_STOCK, round(s * rng.uniform(0.001, 0.005))))

        lignes.extend(lignes_bd.lignes)

    orgs = dict(fournis)
    if besoins:
        epcis = dict(
            EPCI.objects.filter(siren__in=[s["epci_id"] for s in besoins.values() if s.get("epci_id")]).values_list(
                "siren", "nom"
            )
        )
        communes = {
            c.code: c
            for c in Commune.objects.filter(code__in=[s["commune_id"] for s in besoins.values() if s.get("commune_id")])
        }
        for spec in besoins.values():
            if spec.get("epci_id"):
                spec["nom"] = f"{epcis[spec['epci_id']]} (synthétique)"
            elif spec.get("commune_id"):
                commune = communes[spec["commune_id"]]
                spec["nom"] = f"Ville de {commune.nom} (synthétique)"
                spec["departement_id"] = commune.departement_id
        crees = _organisations(list(besoins.values()))
        orgs.update({cle: crees[spec["nom"]] for cle, spec in besoins.items()})
    objets = []
    for data in lignes:
        data = dict(data)
        data["reservataire"] = orgs[data["reservataire"]]
        objets.append(ReservationStock(**data))
    ReservationStock.objects.bulk_create(objets, batch_size=2000)
    Exclusion.objects.bulk_create(
        [
            Exclusion(
                bailleur_id=b,
                departement_id=d,
                annee=annee,
                categorie=c,
                nb_logements=n,
                commentaire="Généré (prévision synthétique)",
            )
            for b, d, c, n in exclusions
            if n > 0
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )
    return {"lignes": len(objets), "exclusions": len(exclusions), "reservataires_crees": len(besoins)}
