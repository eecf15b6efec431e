"""A small process supervisor for `make run` (scripts/run.py): the web server, the Celery
workers and beat run as children; a child that dies is started again after a back-off and the
console says so, in Swedish. Only the operator (Ctrl-C, SIGTERM) stops everything.

Production uses the region's own supervisor (systemd, the container runtime's restart policy);
this one exists so that a demo or development machine behaves the same way."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Child:
    name: str
    argv: list[str]
    proc: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    failures_in_a_row: int = 0
    restart_at: float | None = None
    restarts: int = 0
    history: list[int] = field(default_factory=list)  # pids, oldest first


class Supervisor:
    def __init__(
        self,
        children: list[Child],
        *,
        cwd: Path,
        env: dict[str, str] | None,
        backoff_first: float = 1.0,
        backoff_max: float = 30.0,
        stable_after: float = 60.0,
        say: Callable[[str], None] | None = None,
    ) -> None:
        self.children = children
        self.cwd, self.env = cwd, env
        self.backoff_first, self.backoff_max, self.stable_after = backoff_first, backoff_max, stable_after
        self.say = say or (lambda text: print(text, flush=True))
        self.stopping = False

    def start(self, child: Child) -> int:
        child.proc = subprocess.Popen(child.argv, cwd=self.cwd, env=self.env)  # noqa: S603 (the project's own commands)
        child.started_at = time.monotonic()
        child.restart_at = None
        child.history.append(child.proc.pid)
        return child.proc.pid

    def start_all(self) -> None:
        for child in self.children:
            pid = self.start(child)
            self.say(f"  {child.name} startad (pid {pid}).")

    def tick(self) -> None:
        """Notice children that died and start them again when their back-off has passed."""
        now = time.monotonic()
        for child in self.children:
            if self.stopping:
                return
            if child.proc is not None and child.proc.poll() is not None:
                code = child.proc.returncode
                child.proc = None
                # A child that ran for a while had a one-off crash: start over with a short wait.
                child.failures_in_a_row = 0 if now - child.started_at > self.stable_after else child.failures_in_a_row + 1
                delay = min(self.backoff_first * 2 ** max(child.failures_in_a_row - 1, 0), self.backoff_max)
                child.restart_at = now + delay
                how = f"signal {-code}" if code < 0 else f"kod {code}"
                self.say(f"{child.name} avslutades oväntat ({how}). Startar om om {delay:.0f} s. Ctrl-C stoppar allt.")
            if child.proc is None and child.restart_at is not None and now >= child.restart_at:
                pid = self.start(child)
                child.restarts += 1
                self.say(f"{child.name} startad igen (pid {pid}, omstart nr {child.restarts}).")

    def stop_all(self, timeout: float = 15.0) -> None:
        self.stopping = True
        running = [c.proc for c in self.children if c.proc is not None and c.proc.poll() is None]
        for p in running:
            p.terminate()
        deadline = time.monotonic() + timeout
        for p in running:
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
