"""`make run`: set everything up and start the whole system on this machine.

Embedded PostgreSQL (data under .data/pg) unless DATABASE_URL is set, a local
Redis (.data/redis) unless REDIS_URL is set (or tasks run eagerly when no Redis
binary is available), migrations, demo data once, then the web server at
http://127.0.0.1:$PORT (8000) with a Celery worker per queue and Celery beat beside it.
Each phase says what it does and how long it took; the banner comes when the server answers.
A child that dies is started again (vardmiljo.supervisor); only Ctrl-C stops all of it,
the embedded servers included; the data stays.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = sys.executable
BIN = Path(PY).parent


class Phases:
    """Numbered phases with the time each took (the first start takes minutes; say what is going on)."""

    def __init__(self, first: int, total: int) -> None:
        self.n, self.total = first - 1, total
        self.started = 0.0

    def begin(self, title: str) -> None:
        self.n += 1
        self.started = time.monotonic()
        print(f"[{self.n}/{self.total}] {title} …", flush=True)

    def end(self, what: str = "klart") -> None:
        print(f"      {what} på {time.monotonic() - self.started:.1f} s", flush=True)


def answers(url: str) -> bool:
    """Does the web server answer at all (200, or 503 while a dependency is down)?"""
    try:
        with urllib.request.urlopen(url, timeout=1) as resp:  # noqa: S310 - our own server
            return bool(resp.status)
    except urllib.error.HTTPError:
        return True
    except (urllib.error.URLError, OSError):
        return False


def main() -> int:
    from vardmiljo import embedded
    from vardmiljo.celery import WORKERS
    from vardmiljo.supervisor import Child, Supervisor

    t0 = time.monotonic()
    # Phase 1 (the virtual environment and its packages) is the Makefile's.
    phases = Phases(first=2, total=5)
    env = dict(os.environ)
    started_pg = started_redis = False
    phases.begin("Databas och Redis")
    if not env.get("DATABASE_URL"):
        print("      startar inbäddad PostgreSQL (.data/pg)", flush=True)
        embedded.database_url(env.get("VARDMILJO_DB_NAME", "vardmiljo"))
        started_pg = True
        env.setdefault("VARDMILJO_DEMO", "1")
    if not env.get("REDIS_URL"):
        url = embedded.redis_url()
        if url:
            print("      startar lokal Redis (.data/redis)", flush=True)
            env["REDIS_URL"] = url
            started_redis = True
        else:
            print("      ingen Redis tillgänglig: bakgrundsjobb körs direkt i webbprocessen (eager)", flush=True)
            env["CELERY_TASK_ALWAYS_EAGER"] = "1"
            env["VARDMILJO_LOCAL_REDIS"] = "0"
    phases.end()

    def manage(*args: str) -> None:
        subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True)

    phases.begin("Databasschema (migrate; första gången cirka en minut)")
    manage("migrate", "--noinput")
    phases.end()
    port = env.get("PORT", "8000")
    # The demo identity provider is the app itself (invanare/README.md).
    env.setdefault("OIDC_BASE_URL", f"http://127.0.0.1:{port}")
    marker = embedded.DATA_DIR / f".demo-seeded-{env.get('VARDMILJO_DB_NAME', 'vardmiljo')}"
    if env.get("VARDMILJO_DEMO", "1") != "0" and not marker.exists():
        phases.begin(f"Demodata ({env.get('DEMO_PATIENTS', '1000')} patienter, DEMO_PATIENTS)")
        manage("seed_demo", "--patients", env.get("DEMO_PATIENTS", "1000"))
        marker.touch()
        phases.end()
    else:
        phases.begin("Demodata")
        phases.end("fanns redan")

    if env.get("VARDMILJO_DEMO", "1") != "0":
        manage("invanare_demo_clients")  # the login clients, with this run's port
    if env.get("VARDMILJO_DEMO", "1") != "0":
        # The demo delivers to the simulated national services served by the app itself.
        env.setdefault("ERECEPT_ENDPOINT", f"http://127.0.0.1:{port}/lakemedel/sim/erecept/")
        for registry in ("ndr", "hjartsvikt"):
            env.setdefault(f"REGISTRY_{registry.upper()}_URL", f"http://127.0.0.1:{port}/integrationer/sim/registry/{registry}/")
    children = [
        Child(
            "webbservern",
            [
                str(BIN / "gunicorn"),
                "vardmiljo.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                env.get("WEB_WORKERS", "2"),
                "--threads",
                "4",
                "--access-logfile",
                "-",
                "--graceful-timeout",
                "5",
            ],
        )
    ]
    if env.get("CELERY_TASK_ALWAYS_EAGER") != "1":
        # One worker per queue: a receiver that hangs holds only its own kind (vardmiljo.celery).
        for spec in WORKERS:
            children.append(Child(f"worker {spec.name}", [str(BIN / "celery"), *spec.argv("--loglevel", "INFO")]))
        children.append(
            Child(
                "beat",
                [
                    str(BIN / "celery"),
                    "-A",
                    "vardmiljo",
                    "beat",
                    "--loglevel",
                    "INFO",
                    "--schedule",
                    str(embedded.DATA_DIR / "celerybeat-schedule"),
                ],
            )
        )
    phases.begin(f"Webbserver (WEB_WORKERS={env.get('WEB_WORKERS', '2')}), {len(children) - 1} bakgrundsprocesser")
    sup = Supervisor(
        children,
        cwd=ROOT,
        env=env,
        backoff_first=float(env.get("VARDMILJO_RESTART_BACKOFF", "1")),
        backoff_max=float(env.get("VARDMILJO_RESTART_BACKOFF_MAX", "30")),
    )

    def stop(*_: object) -> None:
        sup.stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    sup.start_all()
    health = f"http://127.0.0.1:{port}/healthz"
    announced = False
    try:
        while not sup.stopping:
            sup.tick()
            if not announced and answers(health):
                announced = True
                phases.end("webbservern svarar")
                print(
                    f"\nVårdmiljö körs på http://127.0.0.1:{port}  (demo: anna.lakare / demo). "
                    f"Start på {time.monotonic() - t0:.0f} s. Ctrl-C stoppar allt.\n",
                    flush=True,
                )
            time.sleep(0.5)
    finally:
        print("\nStoppar …", flush=True)
        sup.stop_all()
        if started_redis:
            embedded.stop_redis()
        if started_pg:
            embedded.stop_database()
        print("Allt stoppat. Data finns kvar i .data/.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
