"""Federation dashboard under concurrent load on loopback, with 10 000 conventions in the database.

Starts gunicorn on a free loopback port against the bench database, signs a federation reader in
(a real session), then sends BENCH_REQUESTS requests (default 400) from BENCH_CONCURRENCY threads
(default 8) and reports p50 / p95 / max latency. Target: p95 < 150 ms.
"""

import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

NAME = "Tableaux de bord : latence sous charge (10 000 conventions dans la base)"
PREFIX = "Banc"
# 10 000 conventions spread over three regions, roughly like the social stock (IDF ≈ 26 %, HdF ≈ 11 %);
# the third federation stands for the rest of the country and makes the table bigger, not the dashboards.
FEDERATIONS = [
    ("AORIF", "aorif", "11", ["75", "77", "78", "91", "92", "93", "94", "95"], 0.40),
    ("URH Hauts-de-France", "urh", "32", ["59", "62", "80", "02", "60"], 0.20),
    ("URH Auvergne-Rhône-Alpes", "urh", "84", ["69", "38", "42", "63", "74", "73", "01", "26"], 0.40),
]


def _session_for(user) -> str:
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def _data(n: int) -> dict:
    from django.db import connection

    from conventions.models import Convention
    from core.cache import bump
    from pilotage import generator
    from pilotage.selectors import Tableau
    from reservataires.models import Membership, Organisation, Role, TypeOrganisation, User

    personas = {}
    for nom, type_, region, departements, share in FEDERATIONS:
        federation, _ = Organisation.objects.get_or_create(
            nom=f"{PREFIX} {nom}", defaults={"type": type_, "region_id": region}
        )
        wanted = int(n * share)
        existing = Convention.objects.filter(bailleur__federation=federation).count()
        if existing < wanted:
            generated = generator.generate(
                conventions=wanted - existing,
                federation=federation,
                departements=departements,
                seed=existing + 1,
                prefix=f"{PREFIX} {region}-{existing}",
            )
            als = generated.reservataires[0]
        else:
            als = (
                Organisation.objects.filter(
                    type=TypeOrganisation.ALS, conventions_reservataire__bailleur__federation=federation
                )
                .distinct()
                .first()
            )
        reader, _ = User.objects.get_or_create(email=f"banc.{type_}.{region}@exemple.fr")
        Membership.objects.get_or_create(user=reader, organisation=federation, defaults={"role": Role.LECTEUR})
        personas[nom] = (reader, federation)
        if region == "32":
            als_user, _ = User.objects.get_or_create(email="banc.als.32@exemple.fr")
            Membership.objects.get_or_create(user=als_user, organisation=als, defaults={"role": Role.LECTEUR})
            personas["ALS (réservataire, Hauts-de-France)"] = (als_user, als)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    bump("conventions")
    out = {
        label: (_session_for(user), org.pk, Tableau(user, org).conventions.count())
        for label, (user, org) in personas.items()
    }
    out["_total"] = Convention.objects.count()
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, cookie: str) -> tuple[float, int]:
    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={cookie}", "Host": "127.0.0.1"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
        status = response.status
    return time.perf_counter() - started, status


def _server(port: int, cache_seconds: int, workers: int) -> subprocess.Popen:
    root = Path(__file__).resolve().parent.parent
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=root,
        env={**os.environ, "AXES_ENABLED": "false", "PILOTAGE_CACHE_SECONDS": str(cache_seconds)},
    )


def _wait(base: str, cookie: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            _get(f"{base}/sante/", cookie)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _load(url: str, cookie: str, requests: int, concurrency: int) -> dict:
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    counter = iter(range(requests))

    def worker():
        while True:
            with lock:
                if next(counter, None) is None:
                    return
            elapsed, status = _get(url, cookie)
            with lock:
                latencies.append(elapsed)
                if status != 200:
                    errors.append(status)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    q = statistics.quantiles(latencies, n=100)
    return {"p50": q[49] * 1000, "p95": q[94] * 1000, "debit": requests / wall, "erreurs": len(errors)}


def run(args) -> dict:
    n = int(os.environ.get("BENCH_CONVENTIONS", 10_000))
    requests = int(os.environ.get("BENCH_REQUESTS", 300))
    concurrency = int(os.environ.get("BENCH_CONCURRENCY", 8))
    workers = int(os.environ.get("BENCH_WORKERS", 4))
    personas = _data(n)
    total = personas.pop("_total")
    figures = {
        "conventions dans la base": total,
        "requêtes / concurrence / workers gunicorn": f"{requests} / {concurrency} / {workers}",
    }
    for label, cache_seconds in (("avec cache", 300), ("sans cache", 0)):
        port = _free_port()
        server = _server(port, cache_seconds, workers)
        base = f"http://127.0.0.1:{port}"
        try:
            for persona, (cookie, org_pk, count) in personas.items():
                url = f"{base}/pilotage/?organisation={org_pk}"
                _wait(base, cookie)
                for _ in range(workers * 2):
                    _get(url, cookie)
                r = _load(url, cookie, requests if cache_seconds else requests // 3, concurrency)
                key = f"{persona} ({count} conv.), {label}"
                figures[f"{key} : p50 / p95 (ms)"] = f"{r['p50']:.0f} / {r['p95']:.0f}"
                figures[f"{key} : débit (req/s), erreurs"] = f"{r['debit']:.1f}, {r['erreurs']}"
            if not cache_seconds:
                cookie, org_pk, _ = personas["AORIF"]
                elapsed, _ = _get(f"{base}/pilotage/export/conventions.xlsx?organisation={org_pk}", cookie)
                figures["export XLSX des conventions AORIF (s)"] = elapsed
        finally:
            server.terminate()
            server.wait(timeout=10)
    return figures
