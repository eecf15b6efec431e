"""`make run`: set everything up and start the whole system on this machine.

Embedded PostgreSQL (data under .data/pg) unless DATABASE_URL is set, a local
Redis (.data/redis) unless REDIS_URL is set (or tasks run eagerly when no Redis
binary is available), migrations, demo data once, then the web server at
http://127.0.0.1:8000 with a Celery worker and Celery beat beside it.
Ctrl-C stops all of it, the embedded servers included; the data stays.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = sys.executable
BIN = Path(PY).parent


def main() -> int:
    from vardmiljo import embedded

    env = dict(os.environ)
    started_pg = started_redis = False
    if not env.get("DATABASE_URL"):
        print("Startar inbäddad PostgreSQL (.data/pg) …", flush=True)
        embedded.database_url(env.get("VARDMILJO_DB_NAME", "vardmiljo"))
        started_pg = True
        env.setdefault("VARDMILJO_DEMO", "1")
    if not env.get("REDIS_URL"):
        url = embedded.redis_url()
        if url:
            print("Startar lokal Redis (.data/redis) …", flush=True)
            env["REDIS_URL"] = url
            started_redis = True
        else:
            print("Ingen Redis tillgänglig: bakgrundsjobb körs direkt i webbprocessen (eager).", flush=True)
            env["CELERY_TASK_ALWAYS_EAGER"] = "1"
            env["VARDMILJO_LOCAL_REDIS"] = "0"

    def manage(*args: str) -> None:
        subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True)

    manage("migrate", "--noinput", "-v", "0")
    port = env.get("PORT", "8000")
    # The demo identity provider is the app itself (invanare/README.md).
    env.setdefault("OIDC_BASE_URL", f"http://127.0.0.1:{port}")
    marker = embedded.DATA_DIR / f".demo-seeded-{env.get('VARDMILJO_DB_NAME', 'vardmiljo')}"
    if env.get("VARDMILJO_DEMO", "1") != "0" and not marker.exists():
        manage("seed_demo", "--patients", env.get("DEMO_PATIENTS", "1000"))
        marker.touch()
    if env.get("VARDMILJO_DEMO", "1") != "0":
        manage("invanare_demo_clients")  # the login clients, with this run's port
    if env.get("VARDMILJO_DEMO", "1") != "0":
        # The demo delivers to the simulated national services served by the app itself.
        env.setdefault("ERECEPT_ENDPOINT", f"http://127.0.0.1:{port}/lakemedel/sim/erecept/")
        for registry in ("ndr", "hjartsvikt"):
            env.setdefault(f"REGISTRY_{registry.upper()}_URL", f"http://127.0.0.1:{port}/integrationer/sim/registry/{registry}/")
    procs: list[tuple[str, subprocess.Popen[bytes]]] = []
    procs.append(
        (
            "web",
            subprocess.Popen(
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
                cwd=ROOT,
                env=env,
            ),
        )
    )
    if env.get("CELERY_TASK_ALWAYS_EAGER") != "1":
        procs.append(
            (
                "worker",
                subprocess.Popen(
                    [str(BIN / "celery"), "-A", "vardmiljo", "worker", "--loglevel", "INFO", "--concurrency", "2"],
                    cwd=ROOT,
                    env=env,
                ),
            )
        )
        procs.append(
            (
                "beat",
                subprocess.Popen(
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
                    cwd=ROOT,
                    env=env,
                ),
            )
        )
    print(f"\nVårdmiljö körs på http://127.0.0.1:{port}  (demo: anna.lakare / demo). Ctrl-C stoppar.\n", flush=True)

    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    code = 0
    try:
        while not stopping:
            for name, p in procs:
                if p.poll() is not None:
                    print(f"{name} avslutades (kod {p.returncode}); stoppar allt.", flush=True)
                    code = p.returncode or 1
                    stopping = True
            time.sleep(0.5)
    finally:
        print("\nStoppar …", flush=True)
        for _, p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        deadline = time.time() + 15
        for _, p in procs:
            try:
                p.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                p.kill()
        if started_redis:
            embedded.stop_redis()
        if started_pg:
            embedded.stop_database()
        print("Allt stoppat. Data finns kvar i .data/.", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
