"""The platform: settings fail loudly, nothing leaves the machine, health, API schema."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import World, login

ROOT = Path(__file__).resolve().parent.parent
APPS = ["vardmiljo", "journal", "lakemedel", "remisser", "tidbok", "slutenvard", "integrations", "driftstopp", "invanare"]
OUTSIDE = re.compile(
    r"""(?:src|href|action)\s*=\s*["']\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//|@import\s+["']?(?:https?:)?//|fetch\(\s*["']https?://""",
    re.I,
)


def _front_end_files() -> list[Path]:
    files: list[Path] = []
    for app in APPS:
        for ext in ("*.html", "*.css", "*.js"):
            files += [p for p in (ROOT / app).rglob(ext) if "vendor" not in p.parts]
    return files


def test_no_front_end_file_references_another_host() -> None:
    offenders = []
    for path in _front_end_files():
        for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if OUTSIDE.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()[:120]}")
    assert not offenders, "front-end files load from another host:\n" + "\n".join(offenders)


def test_vendored_assets_have_no_outside_urls_they_would_load() -> None:
    for path in (ROOT / "vardmiljo" / "static" / "vendor").glob("*.js"):
        assert "https://" not in path.read_text(encoding="utf-8", errors="replace")


@pytest.mark.parametrize(
    ("var", "value", "needle"),
    [
        ("SESSION_IDLE_SECONDS", "tretti", "SESSION_IDLE_SECONDS"),
        ("DEBUG", "kanske", "DEBUG"),
        ("DATABASE_URL", "mysql://x/y", "DATABASE_URL"),
        ("FIELD_ENCRYPTION_KEYS", "not-a-key", "FIELD_ENCRYPTION_KEYS"),
    ],
)
def test_malformed_environment_stops_startup_naming_the_variable(var: str, value: str, needle: str) -> None:
    env = {**os.environ, var: value}
    if var == "FIELD_ENCRYPTION_KEYS":
        env["SECRET_KEY"] = "x" * 50
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert needle in result.stderr


def test_production_requires_secret_key() -> None:
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env["VARDMILJO_DEMO"] = "0"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_healthz_checks_database_and_broker(client) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/healthz").json()
    assert body["checks"]["database"] == "ok"
    assert "broker" in body["checks"]


@pytest.mark.django_db
def test_security_headers(client) -> None:  # type: ignore[no-untyped-def]
    resp = client.get("/login/")
    assert resp["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in resp["Content-Security-Policy"]
    assert resp.cookies.get("csrftoken") is None or resp.cookies["csrftoken"]["httponly"]


@pytest.mark.django_db
def test_openapi_schema_is_served(client, world: World) -> None:  # type: ignore[no-untyped-def]
    login(client, world.physician)
    resp = client.get("/api/v1/schema/")
    assert resp.status_code == 200
    assert b"/api/v1/patients/" in resp.content


@pytest.mark.django_db
def test_swedish_is_default_language(client) -> None:  # type: ignore[no-untyped-def]
    assert "Logga in" in client.get("/login/").content.decode()


@pytest.mark.django_db
def test_wrong_password_does_not_say_which_part(client, world: World) -> None:  # type: ignore[no-untyped-def]
    resp = client.post("/login/", {"username": world.physician.staff.username, "password": "fel"})
    text = resp.content.decode()
    assert "korrekt användarnamn och lösenord" in text


@pytest.mark.django_db
def test_idle_session_expiry_is_renewed_at_most_once_a_minute(client, world: World) -> None:  # type: ignore[no-untyped-def]
    from django.conf import settings

    login(client, world.physician)
    client.get("/")
    first = client.session["_renewed"]
    client.get("/")
    assert client.session["_renewed"] == first
    assert settings.SESSION_COOKIE_AGE <= 60 * 60 and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def _locked(lock: Path) -> dict[str, str]:
    pins = {}
    for line in lock.read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-\[\]]+)==([^ ;\\]+)", line)
        if m:
            pins[re.sub(r"[-_.]+", "-", m.group(1).split("[")[0]).lower()] = m.group(2)
    return pins


@pytest.mark.parametrize(("lock", "extras"), [("requirements.lock", ()), ("requirements-dev.lock", ("dev",))])
def test_12_14_lock_files_pin_every_declared_dependency_with_hashes(lock: str, extras: tuple[str, ...]) -> None:
    """Issue 12.14: installs are reproducible. Each lock pins every dependency that
    pyproject.toml declares, at a version its specifier admits, with hashes; a
    dependency added without `make lock` fails here."""
    import tomllib

    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = list(project["dependencies"])
    for extra in extras:
        declared += project["optional-dependencies"][extra]
    text = (ROOT / lock).read_text()
    pins = _locked(ROOT / lock)
    problems = []
    for spec in declared:
        req = Requirement(spec)
        name = re.sub(r"[-_.]+", "-", req.name).lower()
        if name not in pins:
            problems.append(f"{req.name} is missing")
        elif not req.specifier.contains(pins[name], prereleases=True):
            problems.append(f"{req.name}=={pins[name]} does not satisfy {req.specifier}")
    assert not problems, f"{lock} is out of date (run `make lock`): {problems}"
    for block in re.split(r"\n(?=\S)", text):
        if "==" in block.split("\n", 1)[0]:
            assert "--hash=sha256:" in block, f"{lock}: no hash for {block.splitlines()[0]}"


def test_12_13_mypy_and_ruff_security_rules_are_on_and_fire(tmp_path: Path) -> None:
    """Issue 12.13: `make test` runs mypy with check_untyped_defs and warn_unused_ignores, and
    ruff with the security rules (S). The rules fire on an insecure snippet under app code."""
    import tomllib

    conf = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert conf["tool"]["mypy"]["check_untyped_defs"] is True
    assert conf["tool"]["mypy"]["warn_unused_ignores"] is True
    assert "S" in conf["tool"]["ruff"]["lint"]["select"]
    snippet = tmp_path / "journal_snippet.py"
    snippet.write_text("import subprocess\n\n\ndef f(x: str) -> None:\n    subprocess.call(x, shell=True)\n    eval(x)\n")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--config",
            str(ROOT / "pyproject.toml"),
            "--output-format",
            "concise",
            str(snippet),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "S602" in out.stdout and "S307" in out.stdout
