"""A small world of tenant data owned by a "victim" bailleur and its partners.

The isolation matrix requests every URL of the project with these objects as users of
foreign organisations. Every object name carries MARKER so that list pages and exports can
be searched for leaks. When an app adds a model reachable from a URL, add one victim object
of it here (the matrix fails with a message naming the missing model otherwise).
"""

import importlib
from dataclasses import dataclass, field
from pathlib import Path

from django.db import models

from core.jobs import job_create
from reservataires.models import Membership, Organisation, Role, TypeOrganisation, User
from tests import factories

MARKER = "VICTIME"


def world_modules() -> list[str]:
    """Every tests/<dir>/world*.py module, in a stable order (apps in dependency order first)."""
    order = ["reservataires", "conventions", "signature", "flux", "pilotage"]
    root = Path(__file__).resolve().parent.parent
    found = [p for p in root.glob("*/world*.py") if p.parent.name != "isolation"]
    found.sort(key=lambda p: (order.index(p.parent.name) if p.parent.name in order else len(order), p.name))
    return [f"tests.{p.parent.name}.{p.stem}" for p in found]


@dataclass
class World:
    bailleur: Organisation
    federation: Organisation
    reservataire: Organisation
    members: dict[str, User]
    outsiders: dict[str, User]
    objects: dict[type[models.Model], list[models.Model]] = field(default_factory=dict)

    def add(self, obj: models.Model) -> models.Model:
        self.objects.setdefault(type(obj), []).append(obj)
        return obj

    def first(self, model: type[models.Model]) -> models.Model | None:
        for known, objs in self.objects.items():
            if issubclass(known, model) and objs:
                return objs[0]
        return None


def build_world() -> World:
    federation = factories.FederationFactory(nom=f"URH {MARKER}")
    bailleur = factories.BailleurFactory(nom=f"Habitat {MARKER}", federation=federation)
    reservataire = factories.ALSFactory(nom=f"Action Logement {MARKER}")
    members = {
        "bailleur_admin": factories.member(bailleur, Role.ADMINISTRATEUR, email="admin@victime.fr"),
        "bailleur_redacteur": factories.member(bailleur, Role.REDACTEUR, email="redac@victime.fr"),
        "reservataire_redacteur": factories.member(reservataire, Role.REDACTEUR, email="redac@als-victime.fr"),
        "federation_lecteur": factories.member(federation, Role.LECTEUR, email="lecteur@urh-victime.fr"),
    }

    # Foreign organisations, one user per role in each.
    foreign_federation = factories.FederationFactory(nom="URH Étrangère", region_id="11")
    foreign = {
        "bailleur": factories.BailleurFactory(nom="Habitat Étranger", federation=foreign_federation),
        "reservataire": factories.PrefetFactory(nom="Préfet Étranger", departement_id="93"),
        "federation": foreign_federation,
    }
    outsiders = {}
    for family, org in foreign.items():
        for role in Role:
            outsiders[f"{family}_{role.value}"] = factories.member(
                org, role, email=f"{role.value}@{family}-etranger.fr"
            )

    world = World(bailleur, federation, reservataire, members, outsiders)
    world.add(bailleur)
    world.add(Membership.objects.get(user=members["bailleur_redacteur"]))
    world.add(job_create(kind="essai", label=f"Tâche {MARKER}", by=members["bailleur_admin"], organisation=bailleur))
    assert reservataire.type == TypeOrganisation.ALS
    # Each app adds its own victim objects in tests/<app>/world*.py: add_to(world).
    for module_name in world_modules():
        add_to = getattr(importlib.import_module(module_name), "add_to", None)
        if add_to is not None:  # some world modules only hold factories for their own tests
            add_to(world)
    return world
