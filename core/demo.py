"""Demo data for the embedded default, seeded app by app.

Each project app may provide ``<app>/demo.py`` with ``seed(ctx: DemoContext)``. Apps are
seeded in dependency order; every seed is idempotent (get_or_create on natural keys) so
``manage.py demo_seed`` can run at every start.
"""

import importlib
from dataclasses import dataclass, field

DEMO_PASSWORD = "demo-flux-2026"
SEED_ORDER = ("territoires", "reservataires", "conventions", "flux", "pilotage")


@dataclass
class DemoAccount:
    email: str
    profil: str
    organisation: str
    role: str


@dataclass
class DemoContext:
    password: str = DEMO_PASSWORD
    accounts: list[DemoAccount] = field(default_factory=list)
    objects: dict = field(default_factory=dict)  # shared between seeds: "bailleur_nord" -> Organisation…
    notes: list[str] = field(default_factory=list)


def seed_all(*, only: tuple[str, ...] | None = None) -> DemoContext:
    ctx = DemoContext()
    for label in SEED_ORDER:
        if only and label not in only:
            continue
        try:
            module = importlib.import_module(f"{label}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{label}.demo":
                raise
            continue
        module.seed(ctx)
    return ctx
