"""Build and load the committed referential file.

The source is the npm package @etalab/decoupage-administratif (COG INSEE + DGCL EPCI
list, Licence Ouverte). ``build`` turns its JSON files into one compact gzip file kept
in the repository, so loading needs no network; ``load`` upserts it into the database.
"""

import gzip
import json
from pathlib import Path

from django.db import transaction

from territoires.models import EPCI, CodeCommuneHistorique, Commune, Departement, Referentiel, Region, TypeEPCI

DATA_FILE = Path(__file__).resolve().parent / "data" / "decoupage-administratif.json.gz"
ZONES_KEPT = {"metro", "drom"}  # collectivités d'outre-mer (98x, 975…) have their own housing law
LEC_BY_DEFAULT = {TypeEPCI.CA, TypeEPCI.CU, TypeEPCI.METRO, TypeEPCI.MET69, TypeEPCI.EPT}


def build(source_dir: Path, millesime: int, version: str) -> dict:
    def read(name):
        return json.loads((source_dir / name).read_text(encoding="utf-8"))

    communes_src = read("communes.json")
    departements = [[d["code"], d["nom"], d["region"]] for d in read("departements.json")]
    dep_codes = {d[0] for d in departements}
    regions = [[r["code"], r["nom"]] for r in read("regions.json")]

    epci_of, ept_of, epci_rows = {}, {}, []
    for kind, rows in (("epci", read("epci.json")), ("ept", read("ept.json"))):
        for e in rows:
            epci_rows.append([e["code"], e["nom"], e["type"], e.get("populationTotale") or 0])
            for membre in e["membres"]:
                (epci_of if kind == "epci" else ept_of)[membre["code"]] = e["code"]

    actuelles = {
        c["code"]: c
        for c in communes_src
        if c["type"] == "commune-actuelle" and c["zone"] in ZONES_KEPT and c["departement"] in dep_codes
    }
    communes = [
        [
            c["code"],
            c["nom"],
            c["departement"],
            epci_of.get(c["code"]),
            ept_of.get(c["code"]),
            None,
            c.get("population") or 0,
        ]
        for c in actuelles.values()
    ]
    for c in communes_src:
        if c["type"] == "arrondissement-municipal" and c["commune"] in actuelles:
            parent = c["commune"]
            communes.append(
                [
                    c["code"],
                    c["nom"],
                    c["departement"],
                    epci_of.get(parent),
                    ept_of.get(parent),
                    parent,
                    c.get("population") or 0,
                ]
            )
    known = {c[0] for c in communes}
    alias = {}
    for c in actuelles.values():
        for old in c.get("anciensCodes", []):
            if old not in known:
                alias[old] = c["code"]
    for c in communes_src:
        if c["type"] in ("commune-deleguee", "commune-associee") and c["code"] not in known:
            if c.get("chefLieu") in actuelles:
                alias.setdefault(c["code"], c["chefLieu"])
    used_deps = {c[2] for c in communes}
    departements = [d for d in departements if d[0] in used_deps]
    used_regions = {d[2] for d in departements}
    regions = [r for r in regions if r[0] in used_regions]
    return {
        "millesime": millesime,
        "source": f"@etalab/decoupage-administratif {version} (COG INSEE, DGCL) – Licence Ouverte",
        "regions": sorted(regions),
        "departements": sorted(departements),
        "epci": sorted(epci_rows),
        "communes": sorted(communes),
        "alias": sorted(alias.items()),
    }


def write(data: dict, path: Path = DATA_FILE) -> None:
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as fh:
        json.dump(data, fh, ensure_ascii=False, separators=(",", ":"))


def read_file(path: Path = DATA_FILE) -> dict:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return json.load(fh)


def is_loaded() -> bool:
    return Referentiel.objects.exists() and Commune.objects.exists()


@transaction.atomic
def load(path: Path = DATA_FILE) -> dict:
    """Upsert the whole referential; safe to run again on a loaded database."""
    data = read_file(path)
    batch = 2000

    def upsert(model, objs, fields, pk):
        model.objects.bulk_create(
            objs, batch_size=batch, update_conflicts=True, unique_fields=[pk], update_fields=fields
        )

    upsert(Region, [Region(code=c, nom=n) for c, n in data["regions"]], ["nom"], "code")
    upsert(
        Departement,
        [Departement(code=c, nom=n, region_id=r) for c, n, r in data["departements"]],
        ["nom", "region"],
        "code",
    )
    upsert(
        EPCI,
        [EPCI(siren=s, nom=n, type=t, population=p, lec=t in LEC_BY_DEFAULT) for s, n, t, p in data["epci"]],
        ["nom", "type", "population"],
        "siren",
    )
    rows = data["communes"]
    # Parents first: arrondissements reference their city.
    rows.sort(key=lambda r: r[5] is not None)
    upsert(
        Commune,
        [
            Commune(code=c, nom=n, departement_id=d, epci_id=e, ept_id=t, parent_id=p, population=pop)
            for c, n, d, e, t, p, pop in rows
        ],
        ["nom", "departement", "epci", "ept", "parent", "population"],
        "code",
    )
    upsert(
        CodeCommuneHistorique,
        [CodeCommuneHistorique(code=old, commune_id=new) for old, new in data["alias"]],
        ["commune"],
        "code",
    )
    Referentiel.objects.all().delete()
    Referentiel.objects.create(millesime=data["millesime"], source=data["source"])
    return {
        "régions": len(data["regions"]),
        "départements": len(data["departements"]),
        "EPCI et EPT": len(data["epci"]),
        "communes": len(rows),
        "anciens codes": len(data["alias"]),
    }
