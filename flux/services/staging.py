"""Set-based writes of dwellings: a temporary staging table, then one upsert.

PostgreSQL receives the rows with COPY; SQLite (the embedded demo) with executemany.
Every check that spans the file (unknown commune, duplicate identifier) and the final
INSERT … ON CONFLICT … DO UPDATE are single SQL statements over the staging table.
Must run inside a transaction (the PostgreSQL table is dropped on commit).
"""

from collections.abc import Iterable

from django.db import connection

from flux.services.rpls import CHAMPS_STAGING

TYPES = {
    "ligne": "integer",
    "bailleur_id": "bigint",
    "rpls_id": "varchar(20)",
    "code_commune": "varchar(5)",
    "qpv": "boolean",
    "qpv_code": "varchar(12)",
    "qpv_millesime": "smallint",
    "nb_pieces": "smallint",
    "typologie": "smallint",
    "financement": "varchar(6)",
    "code_financement": "varchar(10)",
    "annee_construction": "smallint",
    "surface": "numeric(6,2)",
    "loyer": "numeric(8,2)",
    "conventionne": "boolean",
    "programme": "varchar(100)",
}
# Written as they are from staging to flux_logement (besides geography and timestamps).
CHAMPS_COPIES = (
    "qpv",
    "qpv_code",
    "qpv_millesime",
    "nb_pieces",
    "typologie",
    "financement",
    "code_financement",
    "annee_construction",
    "surface",
    "loyer",
    "conventionne",
    "programme",
)


class StagingLogements:
    def __init__(self, name: str = "flux_staging_logements"):
        self.name = name
        self.postgres = connection.vendor == "postgresql"
        self.rows = 0

    # --- loading -------------------------------------------------------------------------
    def create(self) -> None:
        colonnes = ", ".join(f"{c} {TYPES[c]}" for c in CHAMPS_STAGING)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.name}")
            suffixe = " ON COMMIT DROP" if self.postgres else ""
            cursor.execute(f"CREATE TEMPORARY TABLE {self.name} ({colonnes}){suffixe}")

    def write(self, rows: Iterable[tuple]) -> None:
        rows = list(rows) if not self.postgres else rows
        with connection.cursor() as cursor:
            if self.postgres:
                with cursor.copy(f"COPY {self.name} ({', '.join(CHAMPS_STAGING)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        self.rows += 1
            else:
                marks = ", ".join(["%s"] * len(CHAMPS_STAGING))
                cursor.executemany(f"INSERT INTO {self.name} VALUES ({marks})", rows)
                self.rows += len(rows)

    def seal(self) -> None:
        """Index and analyse once loaded (autovacuum never analyses temporary tables)."""
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE INDEX {self.name}_rpls ON {self.name} (bailleur_id, rpls_id)")
            cursor.execute(f"ANALYZE {self.name}")

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.name}")

    # --- whole-file checks -----------------------------------------------------------------
    def _fetch(self, sql: str, params=()) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def communes_inconnues(self, limit: int) -> tuple[int, list[tuple[int, str]]]:
        condition = f"""
            FROM {self.name} s
            WHERE s.code_commune IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM territoires_commune c WHERE c.code = s.code_commune)
              AND NOT EXISTS (SELECT 1 FROM territoires_codecommunehistorique h WHERE h.code = s.code_commune)
        """
        total = self._fetch(f"SELECT count(*) {condition}")[0][0]
        rows = []
        if total:
            rows = self._fetch(f"SELECT s.ligne, s.code_commune {condition} ORDER BY s.ligne LIMIT %s", [limit])
        return total, rows

    def anciens_codes(self) -> int:
        return self._fetch(
            f"""SELECT count(*) FROM {self.name} s
                JOIN territoires_codecommunehistorique h ON h.code = s.code_commune"""
        )[0][0]

    def doublons(self, limit: int) -> tuple[int, list[tuple[str, int]]]:
        """Lines sharing an identifier: (rpls_id, line) sorted, so each group is contiguous."""
        groupe = f"SELECT bailleur_id, rpls_id FROM {self.name} GROUP BY bailleur_id, rpls_id HAVING count(*) > 1"
        total = self._fetch(f"SELECT count(*) FROM {self.name} s JOIN ({groupe}) d USING (bailleur_id, rpls_id)")[0][0]
        if not total:
            return 0, []
        rows = self._fetch(
            f"""SELECT s.rpls_id, s.ligne FROM {self.name} s JOIN ({groupe}) d USING (bailleur_id, rpls_id)
                ORDER BY s.rpls_id, s.ligne LIMIT %s""",
            [limit],
        )
        return total, rows

    # --- writing ----------------------------------------------------------------------------
    def existants(self) -> int:
        return self._fetch(
            f"""SELECT count(*) FROM {self.name} s
                JOIN flux_logement l ON l.bailleur_id = s.bailleur_id AND l.rpls_id = s.rpls_id"""
        )[0][0]

    def upsert(self, now) -> dict:
        """Insert new dwellings, update changed ones, leave identical ones untouched."""
        existants = self.existants()
        distinct = "IS DISTINCT FROM" if self.postgres else "IS NOT"
        geographie = ("commune_id", "departement_id", "epci_id", "ept_id")
        changes = " OR ".join(f"flux_logement.{c} {distinct} excluded.{c}" for c in geographie + CHAMPS_COPIES)
        cibles = ", ".join(("bailleur_id", "rpls_id", *geographie, *CHAMPS_COPIES, "cree_le", "modifie_le"))
        valeurs = ", ".join(
            (
                "s.bailleur_id",
                "s.rpls_id",
                "c.code",
                "c.departement_id",
                "c.epci_id",
                "c.ept_id",
                *(f"s.{c}" for c in CHAMPS_COPIES),
                "%s",
                "%s",
            )
        )
        mises_a_jour = ", ".join(f"{c} = excluded.{c}" for c in (*geographie, *CHAMPS_COPIES, "modifie_le"))
        sql = f"""
            INSERT INTO flux_logement ({cibles})
            SELECT {valeurs}
            FROM {self.name} s
            LEFT JOIN territoires_codecommunehistorique h ON h.code = s.code_commune
            JOIN territoires_commune c ON c.code = COALESCE(h.commune_id, s.code_commune)
            WHERE true
            ON CONFLICT (bailleur_id, rpls_id) DO UPDATE SET {mises_a_jour}
            WHERE {changes}
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, [now, now])
            touches = cursor.rowcount
        crees = self.rows - existants
        mis_a_jour = max(0, touches - crees)
        return {"crees": crees, "mis_a_jour": mis_a_jour, "inchanges": existants - mis_a_jour}

    def supprimer_absents(self, bailleur_id: int) -> int:
        """Remove the bailleur's dwellings missing from the file (full-patrimony imports)."""
        absents = f"""SELECT l.id FROM flux_logement l WHERE l.bailleur_id = %s AND NOT EXISTS (
                          SELECT 1 FROM {self.name} s WHERE s.bailleur_id = l.bailleur_id AND s.rpls_id = l.rpls_id)"""
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM flux_reservationstock_logements WHERE logement_id IN ({absents})", [bailleur_id]
            )
            cursor.execute(f"DELETE FROM flux_logement WHERE id IN ({absents})", [bailleur_id])
            return cursor.rowcount
