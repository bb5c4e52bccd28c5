"""Annual flux engine over the synthetic stock, compared with a bare SQL aggregate of the same table.

Generates the scale's synthetic bailleurs, dwellings, inventories and flux conventions once
(``--scale``, default national ≈ 5.3 M dwellings; flux.generateur.conventions: préfet, Action Logement
with EPCI objectives, département, territorial EPCI / commune conventions, some unsigned) when the
bench database holds no dwelling, then times one national run of the engine (signed conventions)
and, in the same process, the bare
``SELECT bailleur, departement, epci, qpv, typologie, count(*) FROM logement GROUP BY …``.
Aim: ratio ≤ 5.
"""

import datetime
import time

NAME = "Flux annuel : calcul national comparé à un GROUP BY nu"


def run(args) -> dict:
    from django.db import connection

    from conventions.models import Convention
    from flux import generateur
    from flux.generateur.conventions import generer_conventions
    from flux.models import CalculFlux, Logement, ModeCalcul
    from flux.services.flux_annuel.calcul import calculer
    from reservataires.models import Organisation

    echelle = generateur.lire_echelle(args.scale or "national")
    annee = datetime.date.today().year
    generation = 0.0
    if not Logement.objects.exists():
        debut = time.perf_counter()
        generateur.generer(echelle, annee=annee)
        generation = time.perf_counter() - debut
    if not Convention.objects.exists():
        debut = time.perf_counter()
        generer_conventions(list(Organisation.objects.filter(pk__in=Logement.objects.values("bailleur_id"))))
        generation += time.perf_counter() - debut
    nb = Logement.objects.count()
    with connection.cursor() as cursor:
        debut = time.perf_counter()
        cursor.execute(
            "SELECT bailleur_id, departement_id, epci_id, qpv, typologie, count(*) FROM flux_logement "
            "GROUP BY 1, 2, 3, 4, 5"
        )
        groupes = len(cursor.fetchall())
        sql = time.perf_counter() - debut
    calcul = CalculFlux.objects.create(annee=annee, mode=ModeCalcul.SIGNEES)
    debut = time.perf_counter()
    resume = calculer(calcul)
    moteur = time.perf_counter() - debut
    return {
        "logements": nb,
        "conventions": Convention.objects.count(),
        "génération des données (s)": generation,
        "GROUP BY nu (s)": sql,
        "groupes": groupes,
        "calcul du flux (s)": moteur,
        "cellules": resume["nb_cellules"],
        "allocations": resume["nb_allocations"],
        "flux total (logements)": resume["flux_total"],
        "ratio calcul / GROUP BY": moteur / sql if sql else 0.0,
    }
