"""Import of an RPLS file of BENCH_ROWS lines (default 1 000 000) against a plain PostgreSQL COPY.

The file is one bailleur's, its dwellings spread like the real stock of the chosen scale
(--scale national by default, or idf / hdf). Figures: rows per second and peak memory of
the full import (validation, staging COPY, whole-file checks, upsert, all in one
transaction), the same for a re-import (every row unchanged), and the ratio to a COPY of
the same file into an unindexed table of text columns (no validation at all).
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NAME = "Import RPLS (patrimoine) comparé à un COPY PostgreSQL"


def _import(path: Path, bailleur_id: int, user_id: int) -> dict:
    sortie = subprocess.run(
        [sys.executable, "-m", "bench._import_rpls", str(path), str(bailleur_id), str(user_id)],
        capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parent.parent,
    )  # fmt: skip
    return json.loads(sortie.stdout.strip().splitlines()[-1])


def _copy_brut(path: Path) -> float:
    from django.db import connection

    from flux.generateur.logements import ENTETES_RPLS

    colonnes = ", ".join(f"{c.lower()} text" for c in ENTETES_RPLS)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS banc_copy_brut")
        cursor.execute(f"CREATE UNLOGGED TABLE banc_copy_brut ({colonnes})")
        debut = time.perf_counter()
        with cursor.copy("COPY banc_copy_brut FROM STDIN (FORMAT csv, HEADER true, DELIMITER ';')") as copy:
            with path.open("rb") as fh:
                while bloc := fh.read(1024 * 1024):
                    copy.write(bloc)
        duree = time.perf_counter() - debut
        cursor.execute("DROP TABLE banc_copy_brut")
    return duree


def run(args) -> dict:
    from django.db import connection

    from flux import generateur
    from flux.generateur.geographie import proportionnel
    from reservataires.models import Organisation, Role, TypeOrganisation, User
    from reservataires.services import user_create

    if connection.vendor != "postgresql":
        raise SystemExit("Ce banc compare l'import à un COPY : il lui faut PostgreSQL.")
    lignes = int(os.environ.get("BENCH_ROWS", "1000000"))
    echelle = args.scale or "national"
    bailleur, _ = Organisation.objects.get_or_create(
        nom="Bailleur du banc d'import", defaults={"type": TypeOrganisation.ESH}
    )
    user = User.objects.filter(email="banc-import@bench.invalid").first() or user_create(
        email="banc-import@bench.invalid"
    )
    bailleur.memberships.get_or_create(user=user, defaults={"role": Role.REDACTEUR})
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM flux_logement WHERE bailleur_id = %s", [bailleur.pk])

    with tempfile.TemporaryDirectory() as dossier:
        path = Path(dossier) / "rpls.csv"
        debut = time.perf_counter()
        geo = generateur.charger()
        if echelle == "national":
            repartition = generateur.repartition(lignes, geo)
        else:  # the regional split, scaled to the wanted number of lines
            regionale = generateur.repartition(echelle, geo)
            repartition = proportionnel(lignes, {k: float(v) for k, v in regionale.items()})
        ecrites = generateur.ecrire_csv(
            path, generateur.iter_logements(generateur.plan_un_bailleur(repartition), geo, seed=42)
        )
        generation = time.perf_counter() - debut
        taille = path.stat().st_size / 1024 / 1024
        copy = _copy_brut(path)
        premier = _import(path, bailleur.pk, user.pk)
        second = _import(path, bailleur.pk, user.pk)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM flux_logement WHERE bailleur_id = %s", [bailleur.pk])
    assert premier["stats"]["crees"] == ecrites and second["stats"]["inchanges"] == ecrites
    return {
        "lignes": ecrites,
        "échelle de la géographie": echelle,
        "fichier (Mo)": round(taille, 1),
        "génération du fichier (s)": round(generation, 1),
        "COPY brut (s)": round(copy, 2),
        "COPY brut (lignes/s)": round(ecrites / copy),
        "import (s)": round(premier["secondes"], 2),
        "import (lignes/s)": round(ecrites / premier["secondes"]),
        "ratio import / COPY": round(premier["secondes"] / copy, 1),
        "mémoire RSS avant import (Mo)": round(premier["rss_avant_mo"]),
        "mémoire RSS de pointe (Mo)": round(premier["rss_pointe_mo"]),
        "réimport, tout inchangé (s)": round(second["secondes"], 2),
        "réimport (lignes/s)": round(ecrites / second["secondes"]),
        "réimport : RSS de pointe (Mo)": round(second["rss_pointe_mo"]),
    }
