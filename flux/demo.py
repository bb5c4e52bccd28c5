"""Demo patrimony: a few thousand generated dwellings for the demo bailleurs (Nord, Seine-Saint-Denis),
their état des lieux with the demo réservataires, this year's exclusions and one conversion per method.

Idempotent and fast on SQLite: dwellings are upserted (same seed, same rows), generated lines replaced.
"""

import datetime

from core.demo import DemoContext
from flux import demo_bilans, demo_flux_annuel, demo_orientations, generateur
from flux.models import Conversion, Fondement, Logement, Methode, ReservationStock, SourceReservation
from flux.models.etat_des_lieux import fin_des_droits_garantie
from flux.services.conversion import conversion_calculer

SEED = 2026
DEMO_STOCK = [
    # (ctx key, département, dwellings, RPLS prefix)
    ("bailleur_nord", "59", 2400, 901),
    ("bailleur_flandre", "59", 1200, 902),
    ("bailleur_seine", "93", 1600, 903),
]


def seed(ctx: DemoContext) -> None:
    annee = datetime.date.today().year
    geo = generateur.charger(["59", "93"])
    fournis = {
        "prefet:59": ctx.objects["prefet_59"],
        "prefet:93": ctx.objects["prefet_93"],
        "als:32": ctx.objects["als_hdf"],
        "als:11": ctx.objects["als_idf"],
        "cd:59": ctx.objects["cd59"],
        "epci:200093201": ctx.objects["mel"],
        "commune:59512": ctx.objects["roubaix"],
    }
    bailleurs = []
    for cle, dep, n, numero in DEMO_STOCK:
        bailleur = ctx.objects[cle]
        bailleurs.append(bailleur)
        if Logement.objects.filter(bailleur=bailleur).count() != n:
            allocation = [generateur.Allocation(cle, numero, dep, n)]
            generateur.inserer_logements(generateur.iter_logements(allocation, geo, seed=SEED), {cle: bailleur.pk})
    generateur.generer_inventaire(bailleurs, annee=annee, seed=SEED, fournis=fournis)
    _garantie_roubaix(ctx)
    redactrice = ctx.objects.get("bailleur.redacteur@demo.fr")
    nord = ctx.objects["bailleur_nord"]
    if redactrice and not Conversion.objects.filter(bailleur=nord, annee=annee).exists():
        for methode in (Methode.RATIO_SIMPLE, Methode.ROTATION):
            conversion_calculer(bailleur=nord, perimetre="D:59", annee=annee, methode=methode, by=redactrice)
        for perimetre in ("E:200093201", "C:59512"):
            conversion_calculer(
                bailleur=nord, perimetre=perimetre, annee=annee, methode=Methode.RATIO_SIMPLE, by=redactrice
            )
    demo_flux_annuel.seed(ctx)  # annual flux, after the patrimoine
    ctx.notes.append(
        "Patrimoine : "
        + ", ".join(f"{ctx.objects[c].nom} {n} logements" for c, _, n, _ in DEMO_STOCK)
        + " (générés, géographie réelle du Nord et de la Seine-Saint-Denis)."
    )
    demo_orientations.seed(ctx)  # this year's orientations
    demo_bilans.seed(ctx)  # last year's bilans


def _garantie_roubaix(ctx: DemoContext) -> None:
    """The demo commune (Ville de Roubaix) always holds a loan-guarantee right on Nord Habitat's stock."""
    nord, roubaix = ctx.objects["bailleur_nord"], ctx.objects["roubaix"]
    if ReservationStock.objects.filter(bailleur=nord, reservataire=roubaix).exists():
        return
    programmes = list(
        Logement.objects.filter(bailleur=nord, commune_id="59512").values_list("programme", flat=True).distinct()[:2]
    )
    n = Logement.objects.filter(bailleur=nord, programme__in=programmes).count()
    if n:
        pret = datetime.date(2038, 12, 31)
        ReservationStock.objects.create(
            bailleur=nord,
            reservataire=roubaix,
            departement_id="59",
            commune_id="59512",
            fondement=Fondement.GARANTIE_EMPRUNT,
            nb_logements=max(1, n // 5),
            programmes=programmes,
            date_fin_pret=pret,
            date_fin=fin_des_droits_garantie(pret),
            reference=f"GEN-{nord.pk}-59-ROUBAIX",
            source=SourceReservation.GENERATEUR,
            commentaire="Garantie d'emprunt de la Ville (démonstration)",
        )
