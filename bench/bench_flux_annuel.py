"""Annual flux engine over the synthetic stock, compared with a bare SQL aggregate of the same table.

Generates the scale's synthetic bailleurs, dwellings, inventories and flux conventions once
(``--scale``, default national ≈ 5.3 M dwellings; flux.generateur.conventions: préfet, Action Logement
with EPCI objectives, département, territorial EPCI / commune conventions, some unsigned) when the
bench database holds no dwelling.

The tables are then vacuumed and analysed, as autovacuum keeps them in production: without it (a
table just loaded) PostgreSQL cannot use index-only scans, and both the engine's scan and the bare
aggregate read the whole heap, which makes the ratio look better than it is in service. Each
figure is the median of ``--repeat`` runs (default 3): the bare
``SELECT bailleur, departement, epci, qpv, typologie, count(*) FROM logement GROUP BY …`` with the
plan PostgreSQL chooses (printed), and national runs of the engine (signed conventions), each one
replacing the previous results as in service; the results tables are vacuumed between runs, outside
the measure. For context only, the same aggregate forced to read the whole table.
Aim: engine ≤ 5 × bare aggregate.
"""

import datetime
import statistics
import time

NAME = "Flux annuel : calcul national comparé à un GROUP BY nu"

AGREGAT = (
    "SELECT bailleur_id, departement_id, epci_id, qpv, typologie, count(*) FROM flux_logement GROUP BY 1, 2, 3, 4, 5"
)
TABLES = (
    "flux_logement, flux_fluxcellule, flux_fluxallocation, flux_miseenservice, flux_rotationobservee, "
    "flux_exclusion, conventions_convention, conventions_conventionversion, conventions_objectif"
)
# The phases reported by the engine's progress callback (flux.services.flux_annuel.sql.calculer_sql).
PHASES = ("cellules (lecture du parc, prévision)", "conventions, parts, plafonds, arrondis", "écriture et validation")


def _vacuum(tables: str) -> float:
    from django.db import connection

    debut = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {tables}")
    return time.perf_counter() - debut


def _agregat(cursor, *, lecture_complete: bool = False) -> tuple[float, int]:
    """One bare aggregate; ``lecture_complete``: index scans disabled (context only)."""
    if lecture_complete:
        cursor.execute("SET enable_indexonlyscan = off; SET enable_indexscan = off; SET enable_bitmapscan = off")
    try:
        debut = time.perf_counter()
        cursor.execute(AGREGAT)
        groupes = len(cursor.fetchall())
        return time.perf_counter() - debut, groupes
    finally:
        if lecture_complete:
            cursor.execute("RESET enable_indexonlyscan; RESET enable_indexscan; RESET enable_bitmapscan")


def _plan(cursor) -> str:
    cursor.execute(f"EXPLAIN {AGREGAT}")
    lignes = [ligne for (ligne,) in cursor.fetchall()]
    parcours = [ligne.strip().lstrip("-> ").split("  (")[0] for ligne in lignes if "Scan" in ligne]
    return ", ".join(parcours) or lignes[0]


def _calcul(annee) -> tuple[float, list[float], dict]:
    from flux.models import CalculFlux, ModeCalcul
    from flux.services.flux_annuel.calcul import calculer

    instants = []
    calcul = CalculFlux.objects.create(annee=annee, mode=ModeCalcul.SIGNEES)
    debut = time.perf_counter()
    resume = calculer(calcul, progres=lambda n, msg: instants.append(time.perf_counter()))
    total = time.perf_counter() - debut
    phases = [b - a for a, b in zip(instants, instants[1:], strict=False)]
    return total, phases, resume


def run(args) -> dict:
    from django.db import connection

    from conventions.models import Convention
    from flux import generateur
    from flux.generateur.conventions import generer_conventions
    from flux.models import Logement
    from reservataires.models import Organisation

    echelle = generateur.lire_echelle(args.scale or "national")
    repetitions = max(args.repeat or 3, 1)
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
    vacuum = _vacuum(TABLES)
    nb = Logement.objects.count()
    with connection.cursor() as cursor:
        plan = _plan(cursor)
        cursor.execute("SHOW work_mem")
        work_mem = cursor.fetchone()[0]
        nus = [_agregat(cursor) for _ in range(repetitions)]
        complets = [_agregat(cursor, lecture_complete=True) for _ in range(repetitions)]
    moteurs, phases, resume = [], [], {}
    for _ in range(repetitions):
        duree, etapes, resume = _calcul(annee)
        moteurs.append(duree)
        phases.append(etapes)
        _vacuum("flux_fluxcellule, flux_fluxallocation")
    nu = statistics.median(t for t, _ in nus)
    complet = statistics.median(t for t, _ in complets)
    moteur = statistics.median(moteurs)
    figures = {
        "logements": nb,
        "conventions": Convention.objects.count(),
        "génération des données (s)": generation,
        "VACUUM ANALYZE préalable (s)": vacuum,
        "work_mem": work_mem,
        "répétitions (médianes)": repetitions,
        "GROUP BY nu : plan": plan,
        "GROUP BY nu (s)": nu,
        "groupes": nus[0][1],
        "calcul du flux (s)": moteur,
        "calcul du flux, min – max (s)": f"{min(moteurs):.2f} – {max(moteurs):.2f}",
    }
    for i, nom in enumerate(PHASES):
        valeurs = [etapes[i] for etapes in phases if len(etapes) > i]
        if valeurs:
            figures[f"  dont {nom} (s)"] = statistics.median(valeurs)
    figures.update(
        {
            "cellules": resume["nb_cellules"],
            "allocations": resume["nb_allocations"],
            "flux total (logements)": resume["flux_total"],
            "ratio calcul / GROUP BY nu": moteur / nu if nu else 0.0,
            "contexte : GROUP BY en lecture complète (s)": complet,
            "contexte : ratio calcul / lecture complète": moteur / complet if complet else 0.0,
        }
    )
    return figures
