"""The conversion's arithmetic, without the database (tested with hypothesis)."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from flux.models import Fondement, Methode
from territoires.models import Departement

CENT = Decimal(100)
ROTATION_IDF = Decimal("6.30")  # Île-de-France, 2019 (DRIHL / RPLS)
ROTATION_HORS_IDF = Decimal("9.00")  # France métropolitaine, 2019 (RPLS)
PLAFOND_PREFET = Decimal(30)
PLAFOND_AGENTS = Decimal(5)


def q4(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def q2(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def rotation_par_defaut(departement: Departement) -> tuple[Decimal, str]:
    if departement.region_id == "11":
        return ROTATION_IDF, "Taux par défaut Île-de-France : 6,3 % (rotation 2019)"
    return ROTATION_HORS_IDF, "Taux par défaut hors Île-de-France : 9,0 % (rotation 2019, France métropolitaine)"


# --- Pure arithmetic -------------------------------------------------------------------------
@dataclass(frozen=True)
class Contingent:
    reservation_id: int | None
    reservataire_id: int
    fondement: str
    nb: Decimal
    rotation: Decimal | None = None


@dataclass
class PartCalculee:
    reservataire_id: int
    nb: Decimal
    rotation: Decimal
    poids: Decimal
    part_pct: Decimal
    logements_par_an: Decimal
    dont_agents_pct: Decimal | None
    detail: list = field(default_factory=list)


@dataclass
class Resultat:
    assiette: Decimal
    flux_brut: Decimal
    flux_net: Decimal
    parts: list[PartCalculee]
    total_pct: Decimal
    part_bailleur_pct: Decimal
    alertes: list[str]


def _rotation(c: Contingent, defaut: Decimal) -> Decimal:
    return c.rotation if c.rotation is not None else defaut


def calculer(
    *,
    methode: str,
    parc_total: int,
    exclusions_stock: Decimal,
    deductions_flux: Decimal,
    taux_rotation: Decimal,
    contingents: list[Contingent],
    prefets: set[int] = frozenset(),
) -> Resultat:
    assiette = max(Decimal(0), Decimal(parc_total) - exclusions_stock)
    flux_brut = assiette * taux_rotation / CENT
    flux_net = max(Decimal(0), flux_brut - deductions_flux)
    denominateur = flux_brut if methode == Methode.ROTATION else assiette
    groupes: dict[int, list[Contingent]] = defaultdict(list)
    for c in contingents:
        if c.nb > 0:
            groupes[c.reservataire_id].append(c)
    parts = []
    for reservataire_id, liste in groupes.items():
        nb = sum((c.nb for c in liste), Decimal(0))
        pondere = sum((c.nb * _rotation(c, taux_rotation) / CENT for c in liste), Decimal(0))
        poids = pondere if methode == Methode.ROTATION else nb
        part = CENT * poids / denominateur if denominateur else Decimal(0)
        agents = None
        if any(c.fondement == Fondement.PREFET_AGENTS for c in liste):
            poids_agents = sum(
                (
                    (c.nb * _rotation(c, taux_rotation) / CENT) if methode == Methode.ROTATION else c.nb
                    for c in liste
                    if c.fondement == Fondement.PREFET_AGENTS
                ),
                Decimal(0),
            )
            agents = q4(CENT * poids_agents / denominateur) if denominateur else Decimal(0)
        parts.append(
            PartCalculee(
                reservataire_id=reservataire_id,
                nb=q2(nb),
                rotation=q2(CENT * pondere / nb) if nb else taux_rotation,
                poids=q4(poids),
                part_pct=q4(part),
                logements_par_an=q2(part * flux_net / CENT),
                dont_agents_pct=agents,
                detail=[
                    {
                        "reservation": c.reservation_id,
                        "fondement": c.fondement,
                        "nb": str(q2(c.nb)),
                        "rotation": str(c.rotation if c.rotation is not None else taux_rotation),
                        "rotation_source": "contingent" if c.rotation is not None else "défaut du périmètre",
                    }
                    for c in liste
                ],
            )
        )
    parts.sort(key=lambda p: (-p.part_pct, p.reservataire_id))
    total = sum((p.part_pct for p in parts), Decimal(0))
    alertes = []
    if not assiette:
        alertes.append("Assiette nulle : aucun logement conventionné dans ce périmètre après exclusions.")
    if total > CENT:
        alertes.append(
            f"Les réservations représentent {total:.2f} % du flux, plus que la totalité : "
            "l'état des lieux est à vérifier (doublons, droits éteints, logements sortis du patrimoine)."
        )
    for p in parts:
        if p.reservataire_id in prefets:
            if p.part_pct > PLAFOND_PREFET:
                alertes.append(
                    f"La part du préfet ({p.part_pct:.2f} %) dépasse le plafond de 30 % du flux annuel "
                    "(CCH R.441-5-2) : seul un arrêté peut le dépasser, pour un an au plus."
                )
            if p.dont_agents_pct is not None and p.dont_agents_pct > PLAFOND_AGENTS:
                alertes.append(
                    f"La part réservée aux agents de l'État ({p.dont_agents_pct:.2f} %) dépasse le plafond de 5 % "
                    "du flux annuel (CCH R.441-5-2)."
                )
    return Resultat(
        assiette=q2(assiette),
        flux_brut=q2(flux_brut),
        flux_net=q2(flux_net),
        parts=parts,
        total_pct=q4(total),
        part_bailleur_pct=q4(max(Decimal(0), CENT - total)),
        alertes=alertes,
    )
