"""PostgreSQL path of the annual flux: the rules of ``calcul.calculer``, as set operations.

Everything done once per cell runs in the database, in temporary tables of one transaction:

1. cells: one GROUP BY of the dwellings, first lettings, turnover (history, configured, default);
2. exclusions and the rounding of each cell's flux: largest remainder with window functions, on
   integer numerators over the périmètre's common denominator (exact, like the Python fractions);
3. each convention's quota per cell: its base flux (the cell's, or its territory's part of it) times
   a factor per EPCI × segment, truncated to 10⁻¹² with integer division;
4. ceilings (scale factor per claimant) and the scaling of a cell whose claims exceed its flux, both
   truncated the same way; then largest remainder per cell, the bailleur's own share last on ties;
5. INSERT … SELECT of the cells and of the allocations.

What is decided once per convention or per périmètre stays in Python and is shared with the
portable path: which version counts and whether it is signed (``calcul._revendications``), the
factors from a convention's percentage and EPCI objectives (``regles.facteurs_convention``, fed with
sums computed here), the ceilings (``regles.plafonds``), and the repair of a ceiling broken by the
rounding (``allocation._repair``, run on the few périmètres concerned). The tests check that both
paths write the same rows.
"""

from collections import defaultdict
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.db import connection, transaction

from flux import allocation
from flux.models import FluxCellule, ModeCalcul
from flux.models.etat_des_lieux import CATEGORIES_FLUX
from flux.services.flux_annuel import calcul as portable
from flux.services.flux_annuel import regles

UN = "0.000000000001"  # 10⁻¹²: quotas are integers of this grain once multiplied by 10¹²
G = "1000000000000"
TEMPORAIRES = ", ".join(
    f"fx_{nom}" for nom in "lc cell excl claim base facteur quota cap alloc plafond correction".split()
)


def _fraction(valeur) -> Fraction:
    return Fraction(Decimal(valeur)) if not isinstance(valeur, int) else Fraction(valeur)


def _copier(cursor, table: str, colonnes: str, lignes) -> None:
    with cursor.copy(f"COPY {table} ({colonnes}) FROM STDIN") as copie:
        for ligne in lignes:
            copie.write_row(ligne)


def _du_bailleur(p, colonne: str = "bailleur_id") -> str:
    """The clause restricting a statement to the run's bailleur (empty for a national run)."""
    return f"AND {colonne} = %(bailleur)s" if p["bailleur"] else ""


def _cellules(cur, p) -> None:
    """fx_cell: one row per cell with its forecast, exclusions and whole flux, built in one statement
    (no UPDATE: each one would rewrite the table) with ids drawn from flux_fluxcellule's sequence, so
    the results are written without looking their cells up again."""
    filtre = _du_bailleur(p)
    # The one scan of the dwellings, at the commune's grain and in the order of logement_moteur_idx
    # (index-only once the table is vacuumed): the cells add it up, the communes réservataires read
    # their territory's part from it, and the dwellings without EPCI (e IS NULL) are counted.
    cur.execute(
        f"""
        CREATE TEMP TABLE fx_lc ON COMMIT DROP AS
        SELECT l.bailleur_id b, l.departement_id d, l.epci_id e, l.qpv q, l.typologie t, l.commune_id com, count(*) n
        FROM flux_logement l WHERE l.conventionne {_du_bailleur(p, "l.bailleur_id")} GROUP BY 1, 2, 3, 4, 5, 6
        """,
        p,
    )
    cur.execute(
        f"""
        CREATE TEMP TABLE fx_excl ON COMMIT DROP AS
        SELECT bailleur_id b, departement_id d, sum(nb_logements) e FROM flux_exclusion
        WHERE annee = %(annee)s AND categorie = ANY(%(categories)s) {filtre} GROUP BY 1, 2
        """,
        p,
    )
    # Exclusions of a périmètre shared between its cells pro rata of the gross flux: quota E×B/S on
    # integers (B = brut × 10⁵), so the remainders compare exactly within the périmètre; then each
    # cell's flux: the périmètre's rounded total shared by largest remainder (P = prévu × 10⁵).
    cur.execute(
        f"""
        CREATE TEMP TABLE fx_cell ON COMMIT DROP AS
        WITH lg AS (
            SELECT b, d, e, q, t, sum(n) n FROM fx_lc WHERE e IS NOT NULL GROUP BY 1, 2, 3, 4, 5
        ), mes AS (
            SELECT m.bailleur_id b, c.departement_id d, c.epci_id e, m.qpv q, m.typologie t, sum(m.nb_logements) m
            FROM flux_miseenservice m JOIN territoires_commune c ON c.code = m.commune_id
            WHERE m.annee = %(annee)s AND c.epci_id IS NOT NULL {_du_bailleur(p, "m.bailleur_id")}
            GROUP BY 1, 2, 3, 4, 5
        ), base AS (
            SELECT b, d, e, q, t, coalesce(lg.n, 0) n, coalesce(mes.m, 0) mes
            FROM lg FULL JOIN mes USING (b, d, e, q, t)
        ), hist AS (
            SELECT DISTINCT ON (bailleur_id, departement_id, epci_id, qpv, typologie)
                bailleur_id b, departement_id d, epci_id e, qpv q, typologie t,
                round(100 * liberations::numeric / logements, 3) taux
            FROM flux_rotationobservee WHERE annee < %(annee)s AND logements > 0 {filtre}
            ORDER BY bailleur_id, departement_id, epci_id, qpv, typologie, annee DESC
        ), taux AS (
            SELECT base.*, coalesce(h.taux, round(tr.taux_pct, 3), round(%(defaut)s::numeric, 3)) taux,
                CASE WHEN h.taux IS NOT NULL THEN 'historique' WHEN tr.taux_pct IS NOT NULL THEN 'configure'
                    ELSE 'defaut' END source
            FROM base LEFT JOIN hist h USING (b, d, e, q, t)
            LEFT JOIN flux_tauxrotation tr ON tr.bailleur_id = base.b AND tr.departement_id = base.d
        ), brut AS (
            SELECT nextval(%(sequence)s) id, taux.*, (e || '|' || q::int || '|' || t) COLLATE "C" k,
                n * taux / 100 + mes brut
            FROM taux ORDER BY b, d, k  -- ids in key order: the results' indexes are filled in order
        ), ex AS (
            SELECT c.id, c.b, c.d, c.k, x.e::numeric ex, c.brut * 100000 bb,
                sum(c.brut * 100000) OVER (PARTITION BY c.b, c.d) s
            FROM brut c JOIN fx_excl x ON x.b = c.b AND x.d = c.d WHERE x.e > 0
        ), ex_fl AS (
            SELECT id, b, d, k, ex, div(ex * bb, s) fl, mod(ex * bb, s) r FROM ex WHERE s > 0
        ), excl AS (
            SELECT id, (fl + (row_number() OVER (PARTITION BY b, d ORDER BY r DESC, k)
                <= ex - sum(fl) OVER (PARTITION BY b, d))::int)::int excl
            FROM ex_fl
        ), prevu AS (
            SELECT c.id, c.b, c.d, c.k, greatest(c.brut - coalesce(x.excl, 0), 0) * 100000 pp,
                sum(greatest(c.brut - coalesce(x.excl, 0), 0) * 100000) OVER (PARTITION BY c.b, c.d) sp
            FROM brut c LEFT JOIN excl x USING (id)
        ), total AS (
            SELECT id, b, d, k, pp, sp, floor(sp / 100000 + 0.5) tt FROM prevu
        ), part AS (
            SELECT id, b, d, k, tt,
                CASE WHEN sp > 0 AND tt > 0 THEN div(pp * tt, sp) ELSE 0 END fl,
                CASE WHEN sp > 0 AND tt > 0 THEN mod(pp * tt, sp) ELSE 0 END r
            FROM total
        ), flux AS (
            SELECT id, (fl + (row_number() OVER (PARTITION BY b, d ORDER BY r DESC, k)
                <= tt - sum(fl) OVER (PARTITION BY b, d))::int)::int flux
            FROM part
        )
        SELECT c.id, c.b, c.d, c.e, c.q, c.t, c.n, c.mes, c.taux, c.source, c.k, c.brut,
            coalesce(x.excl, 0) excl, f.flux
        FROM brut c LEFT JOIN excl x USING (id) JOIN flux f USING (id)
        """,
        p,
    )
    cur.execute("ANALYZE fx_cell")  # the planner must see the fluxes (joins filter on flux > 0)


def _alertes_cellules(cur, alertes) -> None:
    cur.execute("SELECT coalesce(sum(n), 0) FROM fx_lc WHERE e IS NULL")
    sans_epci = cur.fetchone()[0]
    if sans_epci:
        alertes.append(f"{sans_epci} logement(s) sans EPCI ignoré(s).")
    cur.execute(
        """
        SELECT x.d FROM fx_excl x JOIN fx_cell c ON c.b = x.b AND c.d = x.d
        WHERE x.e > 0 GROUP BY x.b, x.d HAVING sum(c.brut) = 0
        """
    )
    for (d,) in cur.fetchall():
        alertes.append(f"Exclusions du département {d} sans flux à déduire.")


def _revendications(cur, calcul, conventions, alertes) -> dict[int, tuple]:
    """The claims of every périmètre that has cells, in fx_claim: id → (Revendication, (b, d))."""
    cur.execute("SELECT DISTINCT b, d FROM fx_cell ORDER BY 1, 2")
    claims, lignes = {}, []
    for b, d in cur.fetchall():
        for r in portable._revendications(calcul, conventions.get((b, d), []), alertes):
            conv = r.convention
            ident = len(claims) + 1
            claims[ident] = (r, (b, d))
            genre = "commune" if conv.commune_id else "epci" if conv.epci_id else "dep"
            lignes.append(
                (ident, r.cle, b, d, conv.pk, conv.reservataire_id, r.motif, genre, conv.epci_id, conv.commune_id)
            )
    cur.execute(
        """
        CREATE TEMP TABLE fx_claim (
            id int PRIMARY KEY, cle text COLLATE "C", b int, d text, conv int, res int, motif text, genre text,
            epci text, commune text
        ) ON COMMIT DROP
        """
    )
    _copier(cur.cursor, "fx_claim", "id, cle, b, d, conv, res, motif, genre, epci, commune", lignes)
    cur.execute("ANALYZE fx_claim")
    return claims


def _bases(cur, p) -> None:
    """fx_base(claim, cell, base): the flux of each claim's périmètre in each cell (base > 0)."""
    cur.execute(
        """
        CREATE TEMP TABLE fx_base ON COMMIT DROP AS
        SELECT cl.id claim, c.id cell, c.flux::numeric base
        FROM fx_claim cl JOIN fx_cell c ON c.b = cl.b AND c.d = cl.d
        WHERE c.flux > 0 AND (cl.genre = 'dep' OR (cl.genre = 'epci' AND c.e = cl.epci))
        """
    )
    # A commune réservataire: its share of each cell's gross forecast (its dwellings × the cell's
    # turnover + its first lettings, over the cell's), times the cell's flux, truncated to 10⁻¹².
    cur.execute(
        f"""
        WITH paires AS (SELECT DISTINCT b, commune FROM fx_claim WHERE genre = 'commune'),
        lc AS (
            SELECT l.b, l.com, l.d, l.e, l.q, l.t, l.n FROM fx_lc l JOIN paires p ON p.b = l.b AND p.commune = l.com
            WHERE l.e IS NOT NULL
        ), mc AS (
            SELECT m.bailleur_id b, m.commune_id com, c.departement_id d, c.epci_id e, m.qpv q, m.typologie t,
                sum(m.nb_logements) m
            FROM flux_miseenservice m JOIN paires p ON p.b = m.bailleur_id AND p.commune = m.commune_id
            JOIN territoires_commune c ON c.code = m.commune_id
            WHERE m.annee = %(annee)s AND c.epci_id IS NOT NULL GROUP BY 1, 2, 3, 4, 5, 6
        ), pc AS (
            SELECT b, com, d, e, q, t, coalesce(lc.n, 0) n, coalesce(mc.m, 0) m
            FROM lc FULL JOIN mc USING (b, com, d, e, q, t)
        )
        INSERT INTO fx_base (claim, cell, base)
        SELECT cl.id, c.id, div(c.flux * least(pc.n * c.taux / 100 + pc.m, c.brut) * {G}, c.brut) * {UN}
        FROM fx_claim cl JOIN pc ON pc.b = cl.b AND pc.com = cl.commune AND pc.d = cl.d
        JOIN fx_cell c ON c.b = pc.b AND c.d = pc.d AND c.e = pc.e AND c.q = pc.q AND c.t = pc.t
        WHERE cl.genre = 'commune' AND c.brut > 0 AND c.flux > 0
        """,
        p,
    )
    cur.execute("DELETE FROM fx_base WHERE base <= 0")
    cur.execute("CREATE INDEX ON fx_base (claim)")
    cur.execute("ANALYZE fx_base")


def _facteurs(cur, claims, alertes) -> dict[int, Fraction]:
    """Each claim's factor per EPCI × segment (regles.facteurs_convention on the sums of its base).

    Without objectives a convention's factor depends only on the total of its base: the sums per
    EPCI × segment are read only for the claims that have objectives. Returns the totals."""
    cur.execute("SELECT claim, sum(base) FROM fx_base GROUP BY 1")
    totaux = {claim: _fraction(somme) for claim, somme in cur.fetchall()}
    sommes = {ident: {(None, None): total} for ident, total in totaux.items()}
    objectifs = [ident for ident, (r, _) in claims.items() if r.objectifs and ident in totaux]
    if objectifs:
        cur.execute(
            """
            SELECT b.claim, c.e, c.q, sum(b.base) FROM fx_base b JOIN fx_cell c ON c.id = b.cell
            WHERE b.claim = ANY(%s) GROUP BY 1, 2, 3
            """,
            [objectifs],
        )
        for ident in objectifs:
            sommes[ident] = {}
        for claim, e, q, somme in cur.fetchall():
            sommes[claim][(e, q)] = _fraction(somme)
    lignes = []
    for ident, (r, _) in claims.items():
        facteurs, avis = regles.facteurs_convention(
            sommes.get(ident, {}), pct=r.pct, nombre=r.nombre, objectifs=r.objectifs
        )
        alertes.extend(f"Convention {r.convention} : {a}" for a in avis)
        for (epci, qpv), f in facteurs.items():
            lignes.append((ident, epci, qpv, f.numerator, f.denominator))
    cur.execute("CREATE TEMP TABLE fx_facteur (claim int, e text, q boolean, num numeric, den numeric) ON COMMIT DROP")
    _copier(cur.cursor, "fx_facteur", "claim, e, q, num, den", lignes)
    cur.execute("ANALYZE fx_facteur")
    cur.execute(
        f"""
        CREATE TEMP TABLE fx_quota ON COMMIT DROP AS
        SELECT b.claim, b.cell, div(b.base * {G} * f.num, f.den) * {UN} q
        FROM fx_base b JOIN fx_cell c ON c.id = b.cell
        JOIN fx_facteur f ON f.claim = b.claim AND (f.e IS NULL OR f.e = c.e) AND (f.q IS NULL OR f.q = c.q)
        """
    )
    cur.execute("DELETE FROM fx_quota WHERE q <= 0")
    cur.execute("CREATE INDEX ON fx_quota (cell)")
    cur.execute("ANALYZE fx_quota")
    return totaux


def _plafonds(cur, claims, bases, alertes) -> dict:
    """Ceilings per périmètre (regles.plafonds) and the scaling of the claims above theirs; drops the
    claims of a périmètre whose shares add up to more than 100 %. Returns (b, d) → ceilings by key."""
    cur.execute("SELECT b, d, sum(flux) FROM fx_cell GROUP BY 1, 2")
    totaux = {(b, d): int(n) for b, d, n in cur.fetchall()}
    cur.execute("SELECT claim, sum(q) FROM fx_quota GROUP BY 1")
    demandes = {claim: _fraction(q) for claim, q in cur.fetchall()}
    par_perimetre = defaultdict(list)
    for ident, (_, perimetre) in claims.items():
        par_perimetre[perimetre].append(ident)
    plafonds, rejetes, facteurs = {}, [], []
    for perimetre, idents in sorted(par_perimetre.items()):
        total = totaux[perimetre]
        parts = {}
        for ident in idents:
            r = claims[ident][0]
            quotas_somme = {"_": demandes.get(ident, Fraction(0))}
            parts[ident] = portable.part_de(r, quotas_somme, bases.get(ident, Fraction(0)), total)
        try:
            regles.verifier_parts(parts.values())
        except ValueError as exc:
            alertes.append(f"Département {perimetre[1]} : {exc} Tout le flux reste au bailleur.")
            rejetes.extend(idents)
            continue
        par_cle = {claims[i][0].cle: i for i in idents}
        ceilings = regles.plafonds(
            total, {claims[i][0].cle: demandes.get(i, Fraction(0)) for i in idents}, parts.values()
        )
        plafonds[perimetre] = ceilings
        for cle, plafond in ceilings.items():
            ident = par_cle[cle]
            demande = demandes.get(ident, Fraction(0))
            if demande > plafond and demande > 0:
                f = Fraction(plafond) / demande
                facteurs.append((ident, f.numerator, f.denominator))
    if rejetes:
        cur.execute("DELETE FROM fx_quota WHERE claim = ANY(%s)", [rejetes])
    # Cells whose claims (before the ceilings) exceed their flux: reported by EPCI, as in Python.
    cur.execute(
        """
        SELECT DISTINCT c.e FROM fx_quota x JOIN fx_cell c ON c.id = x.cell
        GROUP BY c.id, c.e, c.flux HAVING sum(x.q) > c.flux
        """
    )
    for (epci,) in cur.fetchall():
        alertes.append(f"EPCI {epci} : les parts demandées dépassent le flux prévu, elles sont réduites au prorata.")
    cur.execute("CREATE TEMP TABLE fx_cap (claim int, num numeric, den numeric) ON COMMIT DROP")
    _copier(cur.cursor, "fx_cap", "claim, num, den", facteurs)
    cur.execute(f"UPDATE fx_quota x SET q = div(x.q * {G} * f.num, f.den) * {UN} FROM fx_cap f WHERE f.claim = x.claim")
    return plafonds


def _arrondir(cur) -> None:
    """Scaling of the oversubscribed cells, then largest remainder per cell into fx_alloc."""
    cur.execute(
        f"""
        WITH s AS (SELECT cell, sum(q) asked FROM fx_quota GROUP BY 1)
        UPDATE fx_quota x SET q = div(x.q * {G} * c.flux, s.asked) * {UN}
        FROM s JOIN fx_cell c ON c.id = s.cell WHERE s.cell = x.cell AND s.asked > c.flux
        """
    )
    cur.execute(
        """
        CREATE TEMP TABLE fx_alloc ON COMMIT DROP AS
        WITH a AS (
            SELECT x.cell, x.claim, x.q, 0 rk, cl.cle FROM fx_quota x JOIN fx_claim cl ON cl.id = x.claim
            UNION ALL
            SELECT c.id, NULL, c.flux - coalesce(sum(x.q), 0), 1, 'bailleur' COLLATE "C"
            FROM fx_cell c LEFT JOIN fx_quota x ON x.cell = c.id GROUP BY c.id, c.flux
        ), f AS (
            SELECT a.*, floor(a.q) fl, a.q - floor(a.q) r FROM a
        ), w AS (
            SELECT f.*, c.flux - sum(f.fl) OVER (PARTITION BY f.cell) lft,
                row_number() OVER (PARTITION BY f.cell ORDER BY f.r DESC, f.rk, f.cle) rn
            FROM f JOIN fx_cell c ON c.id = f.cell
        )
        SELECT cell, claim, q, (fl + (rn <= lft)::int)::int n FROM w
        """
    )


def _reparer(cur, claims, plafonds) -> int:
    """allocation._repair on the périmètres where rounding took a claimant over its ceiling.

    The claimants over their ceiling are found in SQL; the rows of their périmètres are read in one
    query, repaired in Python (the few units moved are decided one at a time, exactly as on the
    portable path), and the changed rows written back with one UPDATE."""
    lignes = [
        (ident, plafonds[perimetre][r.cle])
        for ident, (r, perimetre) in claims.items()
        if r.cle in plafonds.get(perimetre, {})
    ]
    cur.execute("CREATE TEMP TABLE fx_plafond (claim int PRIMARY KEY, plafond int) ON COMMIT DROP")
    _copier(cur.cursor, "fx_plafond", "claim, plafond", lignes)
    cur.execute(
        """
        WITH depasse AS (
            SELECT DISTINCT cl.b, cl.d FROM fx_alloc a JOIN fx_plafond p ON p.claim = a.claim
            JOIN fx_claim cl ON cl.id = a.claim GROUP BY a.claim, cl.b, cl.d, p.plafond HAVING sum(a.n) > p.plafond
        )
        SELECT c.b, c.d, a.cell, c.k, coalesce(a.claim, 0), coalesce(cl.cle, 'bailleur'), a.q, a.n
        FROM fx_alloc a JOIN fx_cell c ON c.id = a.cell JOIN depasse x ON x.b = c.b AND x.d = c.d
        LEFT JOIN fx_claim cl ON cl.id = a.claim
        """
    )
    # Keyed like the portable path (cell "epci|qpv|typologie", claim key): same ties, same moves.
    perimetres = defaultdict(lambda: (defaultdict(dict), defaultdict(dict), {}, {}))
    for b, d, cell, k, claim, cle, q, n in cur.fetchall():
        allocations, used, idents, cellules = perimetres[(b, d)]
        allocations[k][cle] = n
        used[k][cle] = q  # exact decimals (quotas are whole multiples of 10⁻¹²): same decisions
        idents[cle], cellules[k] = claim, cell
    deplaces, corrections = 0, []
    for perimetre, (allocations, used, idents, cellules) in sorted(perimetres.items()):
        avant = {k: dict(a) for k, a in allocations.items()}
        deplaces += allocation._repair(dict(allocations), used, plafonds[perimetre])
        corrections.extend(
            (cellules[k], idents[cle], n)
            for k, a in allocations.items()
            for cle, n in a.items()
            if avant[k].get(cle) != n
        )
    if corrections:
        cur.execute("CREATE TEMP TABLE fx_correction (cell bigint, claim int, n int) ON COMMIT DROP")
        _copier(cur.cursor, "fx_correction", "cell, claim, n", corrections)
        cur.execute(
            """
            UPDATE fx_alloc a SET n = x.n FROM fx_correction x
            WHERE x.cell = a.cell AND x.claim = coalesce(a.claim, 0)
            """
        )
    return deplaces


def _ecrire(cur, calcul, p) -> None:
    portee = f"annee = %(annee)s AND mode = %(mode)s {_du_bailleur(p)}"
    cur.execute(f"DELETE FROM flux_fluxallocation WHERE {portee}", p)
    cur.execute(f"DELETE FROM flux_fluxcellule WHERE {portee}", p)
    cur.execute(
        """
        INSERT INTO flux_fluxcellule (id, calcul_id, annee, mode, bailleur_id, departement_id, epci_id, qpv, typologie,
            logements, taux_rotation_pct, source_rotation, relocations, mises_en_service, exclusions, flux)
        SELECT id, %(calcul)s, %(annee)s, %(mode)s, b, d, e, q, t, n, taux, source, round(n * taux / 100, 3), mes,
            excl, flux
        FROM fx_cell ORDER BY id
        """,
        p,
    )
    cur.execute(
        """
        INSERT INTO flux_fluxallocation (cellule_id, calcul_id, annee, mode, bailleur_id, epci_id, qpv, typologie,
            reservataire_id, convention_id, motif, quota, logements)
        SELECT a.cell, %(calcul)s, %(annee)s, %(mode)s, c.b, c.e, c.q, c.t, cl.res, cl.conv,
            coalesce(cl.motif, 'bailleur'), round(a.q, 6), a.n
        FROM fx_alloc a JOIN fx_cell c ON c.id = a.cell
        LEFT JOIN fx_claim cl ON cl.id = a.claim
        WHERE a.claim IS NULL OR a.q > 0 OR a.n > 0
        ORDER BY a.cell
        """,
        p,
    )


def _sequence(model) -> str:
    with connection.cursor() as cur:
        cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
        return cur.fetchone()[0]


def calculer_sql(calcul, progres=lambda n, msg: None) -> dict:
    """Compute and write the run's cells and allocations in PostgreSQL; returns the summary."""
    bailleurs = [calcul.bailleur_id] if calcul.bailleur_id else None
    p = {
        "bailleur": calcul.bailleur_id,
        "annee": calcul.annee,
        "mode": calcul.mode if isinstance(calcul.mode, str) else ModeCalcul(calcul.mode).value,
        "calcul": calcul.pk,
        "defaut": Decimal(str(settings.FLUX_TAUX_ROTATION_DEFAUT)),
        "categories": list(CATEGORIES_FLUX),
        "sequence": _sequence(FluxCellule),
    }
    alertes: list[str] = []
    with transaction.atomic(), connection.cursor() as cur:
        # ON COMMIT DROP frees them in production; inside an enclosing transaction (tests) drop by hand.
        cur.execute(f"DROP TABLE IF EXISTS {TEMPORAIRES}")
        progres(0, "Agrégation du patrimoine")
        _cellules(cur, p)
        _alertes_cellules(cur, alertes)
        progres(1, "Prévision des cellules")
        conventions = portable._conventions(calcul, bailleurs)
        claims = _revendications(cur, calcul, conventions, alertes)
        _bases(cur, p)
        bases = _facteurs(cur, claims, alertes)
        plafonds = _plafonds(cur, claims, bases, alertes)
        _arrondir(cur)
        _reparer(cur, claims, plafonds)
        progres(2, "Écriture des résultats")
        _ecrire(cur, calcul, p)
        cur.execute("SELECT count(*), coalesce(sum(flux), 0) FROM fx_cell")
        nb_cellules, flux_total = cur.fetchone()
        cur.execute(
            """
            SELECT coalesce(cl.motif, 'bailleur'), sum(a.n), count(*) FROM fx_alloc a
            LEFT JOIN fx_claim cl ON cl.id = a.claim WHERE a.claim IS NULL OR a.q > 0 OR a.n > 0 GROUP BY 1
            """
        )
        par_motif, nb_allocations = {}, 0
        for motif, n, lignes in cur.fetchall():
            par_motif[motif] = int(n)
            nb_allocations += lignes
        cur.execute(f"DROP TABLE IF EXISTS {TEMPORAIRES}")
    progres(3, "Terminé")
    return {
        "flux_total": int(flux_total),
        "nb_cellules": nb_cellules,
        "nb_allocations": nb_allocations,
        "par_motif": par_motif,
        "alertes": sorted(set(alertes)),
    }
