"""Runner: ``python -m bench [nom ...] [--scale demo|hdf|idf|national]``."""

import argparse
import importlib
import os
import pkgutil
import sys
import time
from pathlib import Path


def _discover() -> dict[str, object]:
    found = {}
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if info.name.startswith("bench_"):
            found[info.name.removeprefix("bench_")] = info.name
    return dict(sorted(found.items()))


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    # The bench database (DATABASE_URL) is migrated and holds the official geography.
    call_command("migrate", verbosity=0, interactive=False)
    call_command("geo_load", "--if-empty", verbosity=0)


def _print(name: str, title: str, figures: dict, elapsed: float) -> None:
    print(f"\n== {name} — {title}")
    for key, value in figures.items():
        if isinstance(value, float):
            value = f"{value:,.3f}".replace(",", " ")
        print(f"   {key:<40} {value}")
    print(f"   {'(durée totale du banc, s)':<40} {elapsed:.1f}")


def main(argv: list[str] | None = None) -> int:
    available = _discover()
    parser = argparse.ArgumentParser(prog="python -m bench", description="Bancs de mesure du projet.")
    parser.add_argument("names", nargs="*", help=f"bancs à lancer parmi : {', '.join(available)} (tous par défaut)")
    parser.add_argument("--scale", default=None, help="échelle des données générées (demo, hdf, idf, national)")
    parser.add_argument("--repeat", type=int, default=None, help="nombre de répétitions quand le banc en fait")
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in available]
    if unknown:
        parser.error(f"banc inconnu : {', '.join(unknown)} (disponibles : {', '.join(available)})")
    _setup_django()
    for name in args.names or list(available):
        module = importlib.import_module(f"bench.{available[name]}")
        started = time.perf_counter()
        figures = module.run(args)
        _print(name, module.NAME, figures, time.perf_counter() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
