"""Running the annual flux: launch (permission, CalculFlux + Job) and the job's work.

The dwellings are aggregated by the database (one GROUP BY over the patrimoine); the forecast and
the allocation then work on cells (bailleur × département × EPCI × QPV × typologie), never on
dwellings, with the exact rules of flux.services.flux_annuel.regles. A run deletes the previous
rows of its scope (année, mode, bailleur or all) and writes the new ones in one transaction.
"""

import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Prefetch, Sum
from django.urls import reverse
from django.utils import timezone

from conventions.models import STATUTS_EN_VIGUEUR, Convention, ConventionVersion, Objectif
from core.jobs import job_create, job_enqueue
from flux import allocation
from flux.models import (
    CalculFlux,
    Exclusion,
    FluxAllocation,
    FluxCellule,
    Logement,
    MiseEnService,
    ModeCalcul,
    MotifAllocation,
    RotationObservee,
    TauxRotation,
)
from flux.models.etat_des_lieux import CATEGORIES_FLUX
from flux.services.flux_annuel import regles
from flux.services.flux_annuel.regles import PREFET, Part, arrondir_cellules, prevision_cellule, repartir_detail
from reservataires.models import TYPES_COLLECTIVITE, Capacite, Organisation, TypeOrganisation
from territoires.models import Commune

# CCH: with no new flux convention signed by this date, the réservataire's flux falls to the préfet.
ECHEANCE_LEGALE = date(2023, 11, 24)
AGENTS_PLAFOND_PCT = 5
ANNEE_MIN, ANNEE_MAX = 2018, 2100
TROIS = Decimal("0.001")
SIX = Decimal("0.000001")


def calcul_lancer(*, user, annee, mode, bailleur: Organisation | None = None) -> CalculFlux:
    """Create the run and its job, enqueue the computation after commit."""
    from flux.tasks import calculer_flux

    erreurs = {}
    if not isinstance(annee, int) or not ANNEE_MIN <= annee <= ANNEE_MAX:
        erreurs["annee"] = f"Année entre {ANNEE_MIN} et {ANNEE_MAX}."
    if mode not in ModeCalcul.values:
        erreurs["mode"] = "Mode de calcul inconnu (signees ou projets)."
    if erreurs:
        raise ValidationError(erreurs)
    if bailleur is None:
        if not (user.is_authenticated and user.is_active and user.is_staff):
            raise ValidationError("Seule l'équipe nationale peut lancer un calcul pour tous les bailleurs.")
    elif not Organisation.objects.acting_for(user, Capacite.REDIGER).filter(pk=bailleur.pk).exists():
        raise ValidationError("Vous n'avez pas le droit de lancer le calcul du flux de ce bailleur.")
    with transaction.atomic():
        calcul = CalculFlux.objects.create(annee=annee, mode=mode, bailleur=bailleur, lance_par=user)
        job = job_create(
            kind="flux.calculer_flux",
            label=f"Calcul du flux annuel {annee} – {bailleur or 'tous les bailleurs'}",
            by=user,
            organisation=bailleur,
            params={"calcul": calcul.pk},
        )
        calcul.job = job
        calcul.save(update_fields=["job"])
        job_enqueue(job, calculer_flux)
    return calcul


def calcul_job(job) -> dict:
    """Work function of the job ``flux.calculer_flux``."""
    calcul = CalculFlux.objects.get(pk=job.params["calcul"])
    debut = time.monotonic()
    resume = calculer(calcul, progres=lambda n, msg: job.report_progress(n, 4, msg))
    calcul.termine_le = timezone.now()
    calcul.duree_s = round(time.monotonic() - debut, 3)
    calcul.resume = resume
    calcul.save(update_fields=["termine_le", "duree_s", "resume"])
    return {
        "result": resume,
        "message": f"Flux {calcul.annee} calculé : {resume['flux_total']} logements, {resume['nb_cellules']} cellules.",
        "url": reverse("flux:flux_resultats") + f"?annee={calcul.annee}&mode={calcul.mode}",
    }


def _arrondi(x: Fraction, quantum: Decimal) -> Decimal:
    return (Decimal(x.numerator) / Decimal(x.denominator)).quantize(quantum, rounding=ROUND_HALF_UP)


def _taux(calcul, bailleurs):
    """Turnover per cell key: last observed year before ``annee``, else configured, else default."""
    historique = {}
    rot = RotationObservee.objects.filter(annee__lt=calcul.annee, logements__gt=0)
    if bailleurs is not None:
        rot = rot.filter(bailleur_id__in=bailleurs)
    for r in rot.order_by("annee"):
        historique[(r.bailleur_id, r.departement_id, r.epci_id, r.qpv, r.typologie)] = Fraction(
            100 * r.liberations, r.logements
        )
    configure = {
        (t.bailleur_id, t.departement_id): Fraction(str(t.taux_pct))
        for t in TauxRotation.objects.filter(**({"bailleur_id__in": bailleurs} if bailleurs is not None else {}))
    }
    return historique, configure, Fraction(settings.FLUX_TAUX_ROTATION_DEFAUT)


def _cellules(calcul, bailleurs, alertes):
    logements = Logement.objects.filter(conventionne=True)
    mes = MiseEnService.objects.filter(annee=calcul.annee)
    if bailleurs is not None:
        logements, mes = logements.filter(bailleur_id__in=bailleurs), mes.filter(bailleur_id__in=bailleurs)
    cles = ("bailleur_id", "departement_id", "epci_id", "qpv", "typologie")
    cellules, sans_epci = {}, 0
    # One scan: the dwellings without EPCI come out as their own groups, counted for the warning.
    for r in logements.values_list(*cles).annotate(n=Count("pk")).order_by():
        if r[2] is None:
            sans_epci += r[5]
        else:
            cellules[r[:5]] = {"logements": r[5], "mes": 0}
    if sans_epci:
        alertes.append(f"{sans_epci} logement(s) sans EPCI ignoré(s).")
    communes = dict((c, (d, e)) for c, d, e in Commune.objects.values_list("code", "departement_id", "epci_id"))
    for m in mes.values("bailleur_id", "commune_id", "qpv", "typologie").annotate(n=Sum("nb_logements")).order_by():
        dep, epci = communes.get(m["commune_id"], (None, None))
        if epci is None:
            continue
        cle = (m["bailleur_id"], dep, epci, m["qpv"], m["typologie"])
        cellules.setdefault(cle, {"logements": 0, "mes": 0})["mes"] += m["n"]
    return cellules, communes


def _territoires(calcul, conventions, communes) -> dict:
    """Dwellings and first lettings of the communes réservataires' territories, per cell:
    (bailleur, commune) → cell key → {"logements", "mes"}. One GROUP BY over those communes only."""
    paires = {(c.bailleur_id, c.commune_id) for groupe in conventions.values() for c in groupe if c.commune_id}
    territoires: dict = defaultdict(lambda: defaultdict(lambda: {"logements": 0, "mes": 0}))
    if not paires:
        return territoires
    codes = {commune for _, commune in paires}
    bailleurs = {bailleur for bailleur, _ in paires}
    cles = ("bailleur_id", "commune_id", "departement_id", "epci_id", "qpv", "typologie")
    logements = Logement.objects.filter(
        conventionne=True, epci__isnull=False, commune_id__in=codes, bailleur_id__in=bailleurs
    )
    for r in logements.values(*cles).annotate(n=Count("pk")).order_by():
        if (r["bailleur_id"], r["commune_id"]) in paires:
            cle = (r["bailleur_id"], r["departement_id"], r["epci_id"], r["qpv"], r["typologie"])
            territoires[(r["bailleur_id"], r["commune_id"])][cle]["logements"] += r["n"]
    mes = MiseEnService.objects.filter(annee=calcul.annee, commune_id__in=codes, bailleur_id__in=bailleurs)
    for m in mes.values("bailleur_id", "commune_id", "qpv", "typologie").annotate(n=Sum("nb_logements")).order_by():
        dep, epci = communes.get(m["commune_id"], (None, None))
        if epci is not None and (m["bailleur_id"], m["commune_id"]) in paires:
            cle = (m["bailleur_id"], dep, epci, m["qpv"], m["typologie"])
            territoires[(m["bailleur_id"], m["commune_id"])][cle]["mes"] += m["n"]
    return territoires


CHAMPS_CONVENTION = (
    "numero", "bailleur", "reservataire", "departement", "epci", "commune", "statut", "version_en_vigueur",
)  # fmt: skip
CHAMPS_VERSION = ("convention", "numero", "part_flux_pct", "part_agents_pct", "nombre_annuel")


def _conventions(calcul, bailleurs) -> dict:
    """Living conventions per (bailleur, département), each with its last version and the one in
    force: five queries, whatever their number. Only the fields the rules read (and __str__ for the
    warnings) are loaded; the versions are read once, and the organisations are shared instances."""
    organisations = Organisation.objects.only("nom", "type")
    conventions = (
        Convention.objects.vivantes()
        .only(*CHAMPS_CONVENTION)
        .prefetch_related(
            Prefetch("bailleur", queryset=organisations), Prefetch("reservataire", queryset=organisations)
        )
        .order_by("pk")
    )
    if bailleurs is not None:
        conventions = conventions.filter(bailleur_id__in=bailleurs)
    conventions = list(conventions)
    versions, dernieres = {}, {}
    lues = ConventionVersion.objects.filter(convention__in=[c.pk for c in conventions]).only(*CHAMPS_VERSION)
    for v in lues.order_by("numero"):
        versions[v.pk] = v
        dernieres[v.convention_id] = v
    en_vigueur = {c.version_en_vigueur_id for c in conventions if c.version_en_vigueur_id}
    objectifs = _objectifs({v.pk for v in dernieres.values()} | en_vigueur)
    groupes = defaultdict(list)
    for conv in conventions:
        conv.derniere_version = dernieres.get(conv.pk)
        if conv.version_en_vigueur_id in versions:
            conv.version_en_vigueur = versions[conv.version_en_vigueur_id]
        for version in (conv.derniere_version, conv.version_en_vigueur):
            if version is not None:
                version.objectifs_epci = objectifs.get(version.pk, {})
        groupes[(conv.bailleur_id, conv.departement_id)].append(conv)
    return groupes


def _objectifs(versions) -> dict[int, dict[str, regles.Objectif]]:
    """version → EPCI → objective, in one query. An EPCI's own objective takes precedence over its
    communes' (as in the bilan); otherwise the communes' objectives add up, and their hors-QPV
    numbers only when every commune gives one."""
    propres, communes = defaultdict(dict), defaultdict(lambda: defaultdict(list))
    champs = ("version_id", "epci_id", "commune_id", "nombre", "nombre_hors_qpv")
    for version, epci, commune, nombre, hors_qpv in Objectif.objects.filter(version_id__in=versions).values_list(
        *champs
    ):
        if commune is None:
            propres[version][epci] = regles.Objectif(nombre, hors_qpv)
        else:
            communes[version][epci].append((nombre, hors_qpv))
    resultat = {}
    for version in set(propres) | set(communes):
        par_epci = {}
        for epci, lignes in communes[version].items():
            hors = [h for _, h in lignes]
            par_epci[epci] = regles.Objectif(
                sum(n for n, _ in lignes), None if None in hors else sum(hors)
            )  # fmt: skip
        par_epci.update(propres[version])
        resultat[version] = par_epci
    return resultat


def _base(conv, flux, cles, cellules, territoires) -> dict:
    """Flux of the convention's périmètre per cell: the whole département, the EPCI réservataire's
    cells, or the commune réservataire's part of each cell (its share of the cell's gross forecast)."""
    if conv.commune_id:
        base = {}
        for k, cle in cles.items():
            commune = territoires.get((conv.bailleur_id, conv.commune_id), {}).get(cle)
            brut = cellules[cle]["brut"]
            if commune and brut:
                part = commune["logements"] * cellules[cle]["taux"] / 100 + commune["mes"]
                base[k] = regles.tronque(Fraction(flux[k]) * min(part / brut, Fraction(1)))
        return base
    if conv.epci_id:
        return {k: flux[k] for k, cle in cles.items() if cle[2] == conv.epci_id}
    return flux


@dataclass
class Revendication:
    """What one convention claims in its périmètre, before any cell is looked at."""

    cle: str  # "c<pk>" (signed) or "prefet:c<pk>" (its share falls to the préfet)
    convention: Convention
    pct: Fraction | None
    nombre: int | None
    objectifs: dict
    signee: bool
    prefet: bool
    collectivite: bool
    motif: str

    @property
    def territoriale(self) -> bool:
        return bool(self.convention.commune_id or self.convention.epci_id)


def _revendications(calcul, conventions, alertes) -> list[Revendication]:
    """The claims of one périmètre's conventions (version, share, préfet fallback, warnings)."""
    signees = calcul.mode == ModeCalcul.SIGNEES
    echue = date(calcul.annee, 1, 1) > ECHEANCE_LEGALE
    resultat = []
    for conv in conventions:
        en_vigueur = conv.statut in STATUTS_EN_VIGUEUR and conv.version_en_vigueur_id
        if en_vigueur and signees:
            version = conv.version_en_vigueur
        else:
            version = conv.derniere_version
        objectifs = getattr(version, "objectifs_epci", {})
        if version is None or (version.part_flux_pct is None and version.nombre_annuel is None and not objectifs):
            alertes.append(f"Convention {conv} : aucune part du flux renseignée, non prise en compte.")
            continue
        signee = bool(en_vigueur) or not signees
        if not signee and not echue:
            alertes.append(f"Convention non signée ({conv.reservataire}) : échéance légale non atteinte, part ignorée.")
            continue
        pct = None if version.part_flux_pct is None else Fraction(str(version.part_flux_pct))
        prefet = conv.reservataire.type == TypeOrganisation.PREFET
        if pct is not None and prefet and version.part_agents_pct is not None:
            if version.part_agents_pct > AGENTS_PLAFOND_PCT:
                pct -= Fraction(str(version.part_agents_pct)) - AGENTS_PLAFOND_PCT
                alertes.append(f"Convention {conv} : part des agents de l'État ramenée à {AGENTS_PLAFOND_PCT} %.")
        if not signee:
            alertes.append(f"Convention non signée : part au préfet ({conv.reservataire}).")
        cle = f"c{conv.pk:012d}"
        resultat.append(
            Revendication(
                cle=cle if signee else f"{PREFET}:{cle}",
                convention=conv,
                pct=None if pct is None else max(pct, Fraction(0)),
                nombre=version.nombre_annuel,
                objectifs=objectifs,
                signee=signee,
                prefet=prefet,
                collectivite=conv.reservataire.type in TYPES_COLLECTIVITE,
                motif=MotifAllocation.CONVENTION if signee else MotifAllocation.PREFET_SANS_CONVENTION,
            )  # fmt: skip
        )
    return resultat


def part_de(r: Revendication, quotas, base_territoire, total) -> Part:
    """The rules' view of a claim once its quotas are known (``pct`` derived when it gives a number)."""
    demande = sum(quotas.values(), Fraction(0))
    pct = r.pct if r.pct is not None else (100 * demande / total if total else Fraction(0))
    return Part(
        r.cle.removeprefix(f"{PREFET}:"), pct, collectivite=r.collectivite, prefet=r.prefet, signee=r.signee,
        quotas=quotas, base_territoire=base_territoire if r.territoriale else None,
    )  # fmt: skip


def _parts(calcul, conventions, alertes, *, flux, cles, cellules, territoires):
    """The claims of one périmètre with their quotas: key → (Part, convention, réservataire, motif)."""
    segments = {k: (cle[2], cle[3]) for k, cle in cles.items()}
    total = sum(flux.values())
    parts = {}
    for r in _revendications(calcul, conventions, alertes):
        conv = r.convention
        base = _base(conv, flux, cles, cellules, territoires)
        quotas, avis = regles.quotas_convention(base, segments, pct=r.pct, nombre=r.nombre, objectifs=r.objectifs)
        alertes.extend(f"Convention {conv} : {a}" for a in avis)
        part = part_de(r, quotas, sum(base.values(), Fraction(0)), total)
        parts[r.cle] = (part, conv.pk, conv.reservataire_id, r.motif)
    return parts


def _depassements(flux, cles, parts) -> list[str]:
    """EPCI where the claims of a cell exceed its flux (objectives concentrated there): scaled down."""
    epcis = set()
    for k, n in flux.items():
        if sum((p.quotas.get(k, 0) for p, *_ in parts.values()), Fraction(0)) > n:
            epcis.add(cles[k][2])
    return [
        f"EPCI {epci} : les parts demandées dépassent le flux prévu, elles sont réduites au prorata."
        for epci in sorted(epcis)
    ]


CHAMPS_CELLULE = [
    "calcul_id", "annee", "mode", "bailleur_id", "departement_id", "epci_id", "qpv", "typologie", "logements",
    "taux_rotation_pct", "source_rotation", "relocations", "mises_en_service", "exclusions", "flux",
]  # fmt: skip
CHAMPS_ALLOCATION = [
    "cellule_id", "calcul_id", "annee", "mode", "bailleur_id", "epci_id", "qpv", "typologie", "reservataire_id",
    "convention_id", "motif", "quota", "logements",
]  # fmt: skip


def _ecrire(cellules: list[tuple], allocations: list[tuple]) -> None:
    """Write the rows given as tuples in CHAMPS_CELLULE / CHAMPS_ALLOCATION order (an allocation's
    first item is its cell's key). PostgreSQL: COPY (the ORM's INSERT and model instances cost most of
    a national run), cells first, then their ids read back by the unique key to COPY the allocations."""
    if connection.vendor != "postgresql":
        objets = {}
        for ligne in cellules:
            objets[ligne[3:8]] = FluxCellule(**dict(zip(CHAMPS_CELLULE, ligne, strict=True)))
        FluxCellule.objects.bulk_create(objets.values(), batch_size=2000)
        FluxAllocation.objects.bulk_create(
            (
                FluxAllocation(cellule=objets[ligne[0]], **dict(zip(CHAMPS_ALLOCATION[1:], ligne[1:], strict=True)))
                for ligne in allocations
            ),
            batch_size=2000,
        )
        return

    def copy(model, champs, lignes):
        colonnes = ", ".join(model._meta.get_field(c.removesuffix("_id")).column for c in champs)
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {model._meta.db_table} ({colonnes}) FROM STDIN") as copie:
                for ligne in lignes:
                    copie.write_row(ligne)

    copy(FluxCellule, CHAMPS_CELLULE, cellules)
    calcul_id = cellules[0][0] if cellules else None
    ids = {
        tuple(r[1:]): r[0]
        for r in FluxCellule.objects.filter(calcul_id=calcul_id).values_list(
            "pk", "bailleur_id", "departement_id", "epci_id", "qpv", "typologie"
        )
    }
    copy(FluxAllocation, CHAMPS_ALLOCATION, ((ids[ligne[0]], *ligne[1:]) for ligne in allocations))


def calculer(calcul: CalculFlux, progres=lambda n, msg: None) -> dict:
    """Compute and write the cells and allocations of the run's scope; returns the summary.

    On PostgreSQL the set-based path (flux.services.flux_annuel.sql) does the work per cell in the
    database; elsewhere (the embedded SQLite default) the portable path below does it in Python on
    the aggregated cells. Both apply the same rules and write the same rows (tests check it)."""
    if connection.vendor == "postgresql" and settings.FLUX_CALCUL_SQL:
        from flux.services.flux_annuel.sql import calculer_sql

        return calculer_sql(calcul, progres)
    return calculer_portable(calcul, progres)


def calculer_portable(calcul: CalculFlux, progres=lambda n, msg: None) -> dict:
    """The portable path: cells aggregated by the database, forecast and allocation in Python."""
    bailleurs = [calcul.bailleur_id] if calcul.bailleur_id else None
    alertes: list[str] = []
    progres(0, "Agrégation du patrimoine")
    cellules, communes = _cellules(calcul, bailleurs, alertes)
    historique, configure, defaut = _taux(calcul, bailleurs)
    conventions = _conventions(calcul, bailleurs)
    territoires = _territoires(calcul, conventions, communes)
    exclusions = defaultdict(int)
    excl = Exclusion.objects.filter(annee=calcul.annee, categorie__in=CATEGORIES_FLUX)
    if bailleurs is not None:
        excl = excl.filter(bailleur_id__in=bailleurs)
    for e in excl.values("bailleur_id", "departement_id").annotate(n=Sum("nb_logements")).order_by():
        exclusions[(e["bailleur_id"], e["departement_id"])] = e["n"]

    progres(1, "Prévision des cellules")
    perimetres = defaultdict(dict)
    for cle, c in sorted(cellules.items(), key=lambda kv: str(kv[0])):
        if cle in historique:
            taux, source = historique[cle], "historique"
        elif cle[:2] in configure:
            taux, source = configure[cle[:2]], "configure"
        else:
            taux, source = defaut, "defaut"
        taux = Fraction(_arrondi(taux, TROIS))
        c.update(taux=taux, source=source, brut=c["logements"] * taux / 100 + c["mes"])
        perimetres[cle[:2]][f"{cle[2]}|{int(cle[3])}|{cle[4]}"] = cle
    lignes_c, lignes_a = [], []
    for perimetre, cles in sorted(perimetres.items(), key=lambda kv: str(kv[0])):
        brut = {k: cellules[cle]["brut"] for k, cle in cles.items()}
        e_total = exclusions.get(perimetre, 0)
        somme = sum(brut.values(), Fraction(0))
        if e_total and somme:
            parts_e = allocation.largest_remainder(
                e_total, [allocation.Claim(k, Fraction(e_total) * b / somme) for k, b in sorted(brut.items())]
            )
        else:
            parts_e = {}
            if e_total:
                alertes.append(f"Exclusions du département {perimetre[1]} sans flux à déduire.")
        prevus = {
            k: prevision_cellule(
                cellules[cle]["logements"], cellules[cle]["taux"], cellules[cle]["mes"], parts_e.get(k, 0)
            )
            for k, cle in cles.items()
        }
        flux = arrondir_cellules(prevus)
        parts = _parts(
            calcul, conventions.get(perimetre, []), alertes, flux=flux, cles=cles, cellules=cellules,
            territoires=territoires,
        )  # fmt: skip
        try:
            resultat = repartir_detail(flux, [p[0] for p in parts.values()]) if parts else None
        except ValueError as exc:
            alertes.append(f"Département {perimetre[1]} : {exc} Tout le flux reste au bailleur.")
            resultat, parts = None, {}
        if resultat is not None:
            alertes.extend(_depassements(flux, cles, parts))
        for k, cle in sorted(cles.items()):
            c = cellules[cle]
            lignes_c.append((cle, c, parts_e.get(k, 0), flux[k]))
            if resultat is None:
                lignes_a.append((cle, None, None, MotifAllocation.BAILLEUR, flux[k], Fraction(flux[k])))
                continue
            for claim, n in sorted(resultat.allocations[k].items()):
                quota = resultat.quotas[k][claim]
                if not n and not quota and claim != allocation.BAILLEUR:
                    continue  # a claim with nothing here (territory, objectives elsewhere): no row
                if claim == allocation.BAILLEUR:
                    lignes_a.append((cle, None, None, MotifAllocation.BAILLEUR, n, quota))
                else:
                    _, conv_id, res_id, motif = parts[claim]
                    lignes_a.append((cle, conv_id, res_id, motif, n, quota))

    progres(2, "Écriture des résultats")
    with transaction.atomic():
        scope = {"annee": calcul.annee, "mode": calcul.mode}
        if bailleurs is not None:
            scope["bailleur_id__in"] = bailleurs
        # Nothing else points at these rows: a plain DELETE, without the ORM's cascade collector.
        FluxAllocation.objects.filter(**scope)._raw_delete(connection.alias)
        FluxCellule.objects.filter(**scope)._raw_delete(connection.alias)
        cellules_l = [
            (
                calcul.pk,
                calcul.annee,
                calcul.mode,
                *cle,
                c["logements"],
                _arrondi(c["taux"], TROIS),
                c["source"],
                _arrondi(c["logements"] * c["taux"] / 100, TROIS),
                c["mes"],
                e,
                f,
            )  # fmt: skip
            for cle, c, e, f in lignes_c
        ]
        allocations_l = [
            (
                cle,
                calcul.pk,
                calcul.annee,
                calcul.mode,
                cle[0],
                cle[2],
                cle[3],
                cle[4],
                res_id,
                conv_id,
                motif,
                _arrondi(quota, SIX),
                n,
            )  # fmt: skip
            for cle, conv_id, res_id, motif, n, quota in lignes_a
        ]
        _ecrire(cellules_l, allocations_l)
    progres(3, "Terminé")
    par_motif = defaultdict(int)
    for _, _, _, motif, n, _ in lignes_a:
        par_motif[motif] += n
    return {
        "flux_total": sum(f for *_, f in lignes_c),
        "nb_cellules": len(lignes_c),
        "nb_allocations": len(lignes_a),
        "par_motif": dict(par_motif),
        "alertes": sorted(set(alertes)),
    }
