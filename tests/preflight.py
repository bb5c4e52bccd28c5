"""Check the services the test suite needs, and say clearly what it will use.

Run by ``make test`` before pytest (and again by the pytest plugin). Exits with code 3 and
a plain message when PostgreSQL or Redis is not reachable.
"""

import os
import sys
from urllib.parse import urlsplit

DEFAULTS = {
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/flux_reservations",
    "REDIS_URL": "redis://127.0.0.1:6379/15",
    "SECRET_KEY": "tests-only-not-secret",
    "DEBUG": "false",
    "SECURE_SSL_REDIRECT": "false",
    "SECURE_COOKIES": "false",
    "STATIC_MANIFEST": "false",
    "BEHIND_TLS_PROXY": "false",
    "CELERY_TASK_ALWAYS_EAGER": "false",
    # Tests roll back their transactions, so on-commit cache invalidation never fires: no dashboard
    # cache, except in the test that checks it.
    "PILOTAGE_CACHE_SECONDS": "0",
}


def apply_defaults() -> None:
    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)


def _safe(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or "?"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def check() -> list[str]:
    """Return the list of problems (empty when everything answers)."""
    problems = []
    db_url = os.environ["DATABASE_URL"]
    if not db_url.startswith(("postgres://", "postgresql://")):
        problems.append(f"DATABASE_URL={_safe(db_url)} : la suite de tests exige PostgreSQL.")
    else:
        import psycopg

        parts = urlsplit(db_url)
        try:
            with psycopg.connect(
                host=parts.hostname,
                port=parts.port or 5432,
                user=parts.username or "postgres",
                password=parts.password,
                dbname="postgres",
                connect_timeout=3,
                autocommit=True,
            ) as conn:
                # The test run creates test_<name>; the base itself is only needed by manage.py checks.
                name = parts.path.lstrip("/")
                if name and not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                    conn.execute(f'CREATE DATABASE "{name}"')
        except Exception as exc:  # noqa: BLE001 - any failure is reported as is
            problems.append(
                f"PostgreSQL ne répond pas sur {parts.hostname}:{parts.port or 5432} ({exc.__class__.__name__}: "
                f"{str(exc).strip().splitlines()[0] if str(exc).strip() else ''}). Démarrez-le, par exemple : "
                "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
            )
    redis_url = os.environ["REDIS_URL"]
    try:
        import redis

        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except Exception as exc:  # noqa: BLE001
        problems.append(
            f"Redis ne répond pas sur {_safe(redis_url)} ({exc.__class__.__name__}). Démarrez-le, par exemple : "
            "redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no"
        )
    return problems


def describe() -> str:
    return (
        f"Base de données de test : PostgreSQL {_safe(os.environ['DATABASE_URL'])} (préfixe test_) ; "
        f"broker Celery et cache : Redis {_safe(os.environ['REDIS_URL'])}"
    )


def main() -> int:
    apply_defaults()
    problems = check()
    if problems:
        print("Les tests ne peuvent pas démarrer :", file=sys.stderr)
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
        return 3
    print(describe())
    return 0


if __name__ == "__main__":
    sys.exit(main())
