"""Demo annual flux: this year's and last year's results for the demo bailleurs (signed conventions
and the simulation with drafts), computed synchronously. Idempotent: one run per year, mode and
bailleur, recomputed in place (its rows replaced)."""

import datetime

from core.demo import DemoContext
from flux.models import CalculFlux, ModeCalcul
from flux.services.flux_annuel.calcul import calculer

BAILLEURS = ("bailleur_nord", "bailleur_flandre", "bailleur_seine")


def seed(ctx: DemoContext) -> None:
    annee = datetime.date.today().year
    totaux = []
    for cle in BAILLEURS:
        bailleur = ctx.objects.get(cle)
        if bailleur is None:
            continue
        for an in (annee - 1, annee):
            for mode in (ModeCalcul.SIGNEES, ModeCalcul.PROJETS):
                calcul = CalculFlux.objects.filter(annee=an, mode=mode, bailleur=bailleur).order_by("cree_le").first()
                calcul = calcul or CalculFlux.objects.create(annee=an, mode=mode, bailleur=bailleur)
                calcul.resume = calculer(calcul)
                calcul.termine_le = datetime.datetime.now(datetime.UTC)
                calcul.duree_s = 0
                calcul.save(update_fields=["resume", "termine_le", "duree_s"])
                if an == annee and mode == ModeCalcul.SIGNEES:
                    totaux.append(f"{bailleur.nom} {calcul.resume['flux_total']}")
    ctx.notes.append("Flux annuel calculé (" + ", ".join(totaux) + " logements cette année, conventions signées).")
