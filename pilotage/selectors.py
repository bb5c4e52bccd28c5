"""What the dashboards show, computed in a bounded number of SQL queries whatever the data size.

A dashboard is seen *for* one organisation the user belongs to: a federation (its adherent
bailleurs' conventions), a réservataire (its conventions across bailleurs) or a bailleur (its own).
The conventions always come from Convention.objects.visible_to(user) first.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property

from django.db.models import Count, Q, Sum
from django.http import Http404
from django.utils import timezone

from conventions.models import STATUTS_EN_VIGUEUR, STATUTS_TERMINES, Convention, Objectif, Statut
from reservataires.models import TYPES_RESERVATAIRE, Organisation, TypeOrganisation

# Loi 3DS art. 22: every convention had to be converted to the flux by this date, otherwise the
# réservataire's flux falls to the préfet (ministry page a417, DOMAIN.md §1.4).
DATE_LIMITE_LEGALE = date(2023, 11, 24)
ATTENTE_APPROBATION = timedelta(days=15)
ATTENTE_SIGNATURE = timedelta(days=7)
MAX_COLONNES = 40
MAX_LIGNES_ALERTES = 20
ORDRE_STATUTS = [s.value for s in Statut]
# Réservataire types in matrix order (the usual order of the regional syntheses).
ORDRE_TYPES = [
    TypeOrganisation.PREFET,
    TypeOrganisation.ALS,
    TypeOrganisation.DEPARTEMENT,
    TypeOrganisation.EPCI,
    TypeOrganisation.COMMUNE,
    TypeOrganisation.AUTRE,
]
# Types every bailleur is expected to have a convention with in each département of its stock.
TYPES_ATTENDUS = (TypeOrganisation.PREFET, TypeOrganisation.ALS)


@dataclass
class Filtres:
    departement: str = ""
    type_reservataire: str = ""
    statut: str = ""
    bailleur: int | None = None
    reservataire: int | None = None

    @classmethod
    def from_query(cls, params) -> "Filtres":
        type_ = params.get("type_reservataire", "")
        statut = params.get("statut", "")
        bailleur = params.get("bailleur", "")
        reservataire = params.get("reservataire", "")
        return cls(
            departement=params.get("departement", "")[:3],
            type_reservataire=type_ if type_ in TYPES_RESERVATAIRE else "",
            statut=statut if statut in ORDRE_STATUTS else "",
            bailleur=int(bailleur) if bailleur.isdigit() else None,
            reservataire=int(reservataire) if reservataire.isdigit() else None,
        )

    def apply(self, qs):
        if self.departement:
            qs = qs.filter(departement_id=self.departement)
        if self.type_reservataire:
            qs = qs.filter(reservataire_id__in=Organisation.objects.filter(type=self.type_reservataire).values("pk"))
        if self.statut:
            qs = qs.filter(statut=self.statut)
        if self.bailleur:
            qs = qs.filter(bailleur_id=self.bailleur)
        if self.reservataire:
            qs = qs.filter(reservataire_id=self.reservataire)
        return qs


def organisations_pilotees(user):
    """The organisations whose dashboard ``user`` may open: those they belong to."""
    return Organisation.objects.acting_for(user).order_by("nom")


def organisation_du_tableau(user, pk: str | None) -> Organisation:
    orgs = organisations_pilotees(user)
    if pk:
        try:
            return orgs.get(pk=int(pk))
        except (ValueError, Organisation.DoesNotExist) as exc:
            raise Http404("Organisation inconnue.") from exc
    org = orgs.first()
    if org is None:
        raise Http404("Vous n'êtes membre d'aucune organisation.")
    return org


def conventions_du_tableau(user, organisation: Organisation):
    """Conventions of the dashboard, through the single scoping entry point."""
    qs = Convention.objects.visible_to(user)
    if organisation.est_federation:
        return qs.filter(bailleur_id__in=Organisation.objects.filter(federation=organisation).values("pk"))
    if organisation.est_reservataire:
        return qs.filter(reservataire=organisation)
    return qs.filter(bailleur=organisation)


@dataclass
class Tableau:
    """One dashboard request: who looks, for which organisation, with which filters.

    The scoped conventions are computed once, on first use (Convention.objects.visible_to reads the
    user's organisations when called), and every panel refines them.
    """

    user: object
    organisation: Organisation
    filtres: Filtres = field(default_factory=Filtres)

    @cached_property
    def toutes(self):
        return conventions_du_tableau(self.user, self.organisation)

    @cached_property
    def conventions(self):
        return self.filtres.apply(self.toutes)


def bailleurs_du_tableau(t: Tableau):
    """Rows of the matrix. A federation sees all its adherents, with or without conventions."""
    user, organisation, filtres = t.user, t.organisation, t.filtres
    if organisation.est_federation:
        qs = Organisation.objects.visible_to(user).filter(federation=organisation)
        if filtres.departement:
            qs = qs.filter(
                Q(departement_id=filtres.departement) | Q(conventions_bailleur__departement_id=filtres.departement)
            ).distinct()
        if filtres.bailleur:
            qs = qs.filter(pk=filtres.bailleur)
        return list(qs.order_by("nom").values("pk", "nom"))
    if organisation.est_bailleur:
        return [{"pk": organisation.pk, "nom": organisation.nom}]
    ids = t.conventions.values("bailleur_id")
    return list(Organisation.objects.filter(pk__in=ids).order_by("nom").values("pk", "nom"))


@dataclass
class Cellule:
    compte: dict[str, int] = field(default_factory=dict)  # statut → conventions

    @property
    def total(self) -> int:
        return sum(self.compte.values())

    @property
    def signees(self) -> int:
        return sum(n for s, n in self.compte.items() if s in STATUTS_EN_VIGUEUR)

    def statuts(self) -> list[tuple[str, str, int]]:
        return [(s, Statut(s).label, self.compte[s]) for s in ORDRE_STATUTS if self.compte.get(s)]


@dataclass
class Matrice:
    colonnes: list[dict]  # {"cle", "libelle", "attendu"}
    lignes: list[dict]  # {"bailleur": {...}, "cellules": [Cellule], "total", "signees", "avancement"}
    par_reservataire: bool
    page: int = 1
    pages: int = 1
    nb_bailleurs: int = 0


LIGNES_PAR_PAGE = 50


def matrice(t: Tableau, *, page: int = 1, par_page: int | None = LIGNES_PAR_PAGE) -> Matrice:
    """Bailleurs × réservataires, ``par_page`` bailleurs at a time (None: all, for the exports).

    Columns are réservataire types, or the réservataires themselves when a type is chosen (at most
    MAX_COLONNES). A constant number of queries, and a page of bounded size, whatever the data."""
    bailleurs = bailleurs_du_tableau(t)
    pages = max(1, -(-len(bailleurs) // par_page)) if par_page else 1
    page = min(max(1, page), pages)
    nb_bailleurs = len(bailleurs)
    if par_page:
        bailleurs = bailleurs[(page - 1) * par_page : page * par_page]
    qs = t.conventions.exclude(statut=Statut.ABANDONNEE).filter(bailleur_id__in=[b["pk"] for b in bailleurs])
    par_reservataire = bool(t.filtres.type_reservataire)
    if par_reservataire:
        rows = qs.values("bailleur_id", "reservataire_id", "reservataire__nom", "statut").annotate(n=Count("id"))
        noms = {}
        for r in rows:
            noms[r["reservataire_id"]] = r["reservataire__nom"]
        ordered = sorted(noms.items(), key=lambda kv: kv[1])[:MAX_COLONNES]
        colonnes = [{"cle": pk, "libelle": nom, "attendu": False} for pk, nom in ordered]
        key = "reservataire_id"
    else:
        rows = qs.values("bailleur_id", "reservataire__type", "statut").annotate(n=Count("id"))
        colonnes = [{"cle": t.value, "libelle": t.label, "attendu": t in TYPES_ATTENDUS} for t in ORDRE_TYPES]
        key = "reservataire__type"
    cells: dict[tuple, Cellule] = defaultdict(Cellule)
    for r in rows:
        cell = cells[(r["bailleur_id"], r[key])]
        cell.compte[r["statut"]] = cell.compte.get(r["statut"], 0) + r["n"]
    lignes = []
    for bailleur in bailleurs:
        cellules = [cells.get((bailleur["pk"], c["cle"]), Cellule()) for c in colonnes]
        total = sum(c.total for c in cellules)
        signees = sum(c.signees for c in cellules)
        lignes.append(
            {
                "bailleur": bailleur,
                "cellules": list(zip(colonnes, cellules, strict=True)),
                "total": total,
                "signees": signees,
                "avancement": round(100 * signees / total) if total else 0,
            }
        )
    return Matrice(colonnes, lignes, par_reservataire, page, pages, nb_bailleurs)


def compte_par_statut(t: Tableau) -> list[dict]:
    """Counts and percentages by status (one query)."""
    rows = dict(t.conventions.values_list("statut").annotate(n=Count("id")).order_by())
    total = sum(rows.values())
    return [
        {"statut": s, "libelle": Statut(s).label, "n": rows.get(s, 0), "pct": round(100 * rows.get(s, 0) / total, 1)}
        for s in ORDRE_STATUTS
        if total
    ]


@dataclass
class Alerte:
    code: str
    titre: str
    explication: str
    total: int
    conventions: list


def alertes(t: Tableau, *, now=None) -> list[Alerte]:
    """Conventions past a deadline. Two queries per kind (a count and the first rows)."""
    now = now or timezone.now()
    base = (
        t.conventions.exclude(statut__in=STATUTS_TERMINES)
        .select_related("bailleur", "reservataire", "departement", "version_courante")
        .order_by("statut_depuis")
    )
    kinds = [
        (
            "delai_legal",
            "Non signées après la date limite légale",
            f"La date limite de passage en flux était le {DATE_LIMITE_LEGALE:%d/%m/%Y} (loi 3DS) : tant que la "
            "convention n'est pas signée, le flux de ce réservataire relève du préfet.",
            base.exclude(statut__in=STATUTS_EN_VIGUEUR),
        ),
        (
            "approbation",
            "Version en attente d'approbation",
            f"Version transmise depuis plus de {ATTENTE_APPROBATION.days} jours sans accord des deux parties.",
            base.filter(
                statut__in=(Statut.EN_NEGOCIATION, Statut.AVENANT_EN_COURS),
                version_courante__proposee_le__lt=now - ATTENTE_APPROBATION,
            ),
        ),
        (
            "signature",
            "Signatures en attente",
            f"En signature depuis plus de {ATTENTE_SIGNATURE.days} jours.",
            base.filter(statut=Statut.EN_SIGNATURE, statut_depuis__lt=now - ATTENTE_SIGNATURE),
        ),
    ]
    out = []
    for code, titre, explication, qs in kinds:
        out.append(Alerte(code, titre, explication, qs.count(), list(qs[:MAX_LIGNES_ALERTES])))
    return out


def statuts_dans_le_temps(t: Tableau, *, mois: int = 24) -> dict:
    """Cumulative number of conventions that reached each milestone, month by month (one query
    over the milestone dates the workflow keeps on each convention)."""
    jalons = {"transmise_le": "Transmises", "validee_le": "Validées", "signee_le": "Signées"}
    today = timezone.localdate()
    start = date(today.year, today.month, 1)
    months = []
    for _ in range(mois):
        months.append(start)
        start = (start - timedelta(days=1)).replace(day=1)
    months.reverse()
    qs = t.conventions.order_by()
    aggregates = {}
    for field_name in jalons:
        before = Q(**{f"{field_name}__lt": _aware(months[0])})
        aggregates[f"{field_name}__avant"] = Count("pk", filter=before)
        for i, month in enumerate(months):
            end = months[i + 1] if i + 1 < len(months) else _next_month(month)
            window = Q(**{f"{field_name}__gte": _aware(month), f"{field_name}__lt": _aware(end)})
            aggregates[f"{field_name}__{i}"] = Count("pk", filter=window)
    counts = qs.aggregate(**aggregates)
    series = []
    for field_name, libelle in jalons.items():
        running, values = counts[f"{field_name}__avant"], []
        for i in range(len(months)):
            running += counts[f"{field_name}__{i}"]
            values.append(running)
        series.append({"libelle": libelle, "valeurs": values})
    return {"mois": [m.strftime("%m/%Y") for m in months], "series": series}


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _aware(day: date):
    return timezone.make_aware(datetime.combine(day, time.min))


def objectifs_par_epci(t: Tableau, *, limite: int = 15) -> dict:
    """Objectives (dwellings per year) per EPCI and réservataire type, for the version on the table
    of each live convention (one query)."""
    conventions = t.conventions.exclude(statut__in=STATUTS_TERMINES)
    rows = (
        Objectif.objects.filter(version_id__in=conventions.values("version_courante"), commune__isnull=True)
        .values("epci_id", "epci__nom", "version__convention__reservataire__type")
        .annotate(n=Sum("nombre"))
        .order_by()
    )
    totals: dict[str, int] = defaultdict(int)
    noms = {}
    per_type: dict[str, dict[str, int]] = defaultdict(dict)
    for r in rows:
        totals[r["epci_id"]] += r["n"]
        noms[r["epci_id"]] = r["epci__nom"]
        per_type[r["version__convention__reservataire__type"]][r["epci_id"]] = r["n"]
    top = sorted(totals, key=lambda k: (-totals[k], noms[k]))[:limite]
    return {
        "epci": [noms[k] for k in top],
        "series": [
            {"libelle": TypeOrganisation(t).label, "valeurs": [per_type[t].get(k, 0) for k in top]}
            for t in ORDRE_TYPES
            if t in per_type
        ],
    }


def liste_conventions(t: Tableau):
    """The convention list with its key terms (exports), one query."""
    return t.conventions.select_related(
        "bailleur", "reservataire", "departement", "epci", "commune", "version_courante"
    ).order_by("bailleur__nom", "reservataire__nom", "perimetre_code")
