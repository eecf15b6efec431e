"""`make test`: every quality gate, then the whole suite on real PostgreSQL.

Installs Debian's chromium for the browser tests when it is missing and this
machine can (root with apt-get); otherwise the browser tests skip and say why.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def step(title: str, cmd: list[str], env: dict[str, str] | None = None) -> None:
    print(f"\n=== {title}: {' '.join(cmd)}", flush=True)
    result = subprocess.run(cmd, cwd=ROOT, env={**os.environ, **(env or {})})
    if result.returncode != 0:
        print(f"=== FAILED: {title}", flush=True)
        sys.exit(result.returncode)


def ensure_chromium() -> None:
    if shutil.which("chromium") or os.environ.get("VARDMILJO_NO_BROWSER_INSTALL"):
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        print("chromium saknas och kan inte installeras här (kräver root och apt-get): webbläsartesterna hoppas över.")
        return
    print("Installerar Debians chromium för webbläsartesterna …", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
    subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], env=env, check=False)


def main() -> None:
    ensure_chromium()
    step("ruff", [PY, "-m", "ruff", "check", "."])
    step("ruff format", [PY, "-m", "ruff", "format", "--check", "."])
    step(
        "mypy",
        [
            PY,
            "-m",
            "mypy",
            "vardmiljo",
            "journal",
            "lakemedel",
            "remisser",
            "tidbok",
            "slutenvard",
            "integrations",
            "driftstopp",
            "invanare",
        ],
    )
    step("migrations", [PY, "manage.py", "makemigrations", "--check", "--dry-run"])
    # Production settings: no demo relaxations. The database is still the embedded one here.
    prod = {
        "VARDMILJO_DEMO": "0",
        "SECRET_KEY": "check-deploy-" + "x" * 60,
        "FIELD_ENCRYPTION_KEYS": "ZmFrZS1rZXktZm9yLWNoZWNrLWRlcGxveS0zMmJ5dGU=",
        "ALLOWED_HOSTS": "ehr.region.example",
    }
    step("check --deploy", [PY, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], env=prod)
    args = sys.argv[1:] or []
    step(
        "pytest",
        [PY, "-m", "pytest", "--cov", "--cov-report=term:skip-covered", "-p", "no:cacheprovider", *args],
        env={"VARDMILJO_FAST_HASHER": "1", "VARDMILJO_REDIS_DB": "1"},
    )


if __name__ == "__main__":
    main()
