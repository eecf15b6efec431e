"""Issue 13 item 7: under `make run`, a crashed child (the Celery worker's main process killed)
is started again with a back-off and the console says so; the others keep running; only
Ctrl-C (SIGINT) stops everything."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The supervisor as scripts/run.py uses it, with a fast back-off and children that just wait.
PROGRAM = """
import signal, sys, time
from pathlib import Path
from vardmiljo.supervisor import Child, Supervisor
nap = [sys.executable, "-c", "import time; time.sleep(600)"]
sup = Supervisor([Child("webbservern", nap), Child("worker lokal", nap)], cwd=Path("."), env=None,
                 backoff_first=0.3, backoff_max=2.0)
def stop(*_):
    sup.stopping = True
signal.signal(signal.SIGINT, stop)
sup.start_all()
while not sup.stopping:
    sup.tick()
    time.sleep(0.05)
sup.stop_all(timeout=5)
print("Allt stoppat.", flush=True)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped) counts as gone.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_13_7_a_killed_worker_is_restarted_and_only_ctrl_c_stops_all() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", PROGRAM],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()  # type: ignore[union-attr]

    def expect(pattern: str, timeout: float = 20.0) -> re.Match[str]:
        end = time.monotonic() + timeout
        seen = []
        while time.monotonic() < end:
            try:
                line = lines.get(timeout=0.2)
            except queue.Empty:
                continue
            seen.append(line)
            if m := re.search(pattern, line):
                return m
        raise AssertionError(f"no line matching {pattern!r}; saw {seen}")

    try:
        web = int(expect(r"webbservern startad \(pid (\d+)\)").group(1))
        worker = int(expect(r"worker lokal startad \(pid (\d+)\)").group(1))
        os.kill(worker, signal.SIGKILL)
        expect(r"worker lokal avslutades oväntat \(signal 9\)\. Startar om om \d+ s")
        again = int(expect(r"worker lokal startad igen \(pid (\d+), omstart nr 1\)").group(1))
        assert again != worker and _alive(again)
        assert _alive(web) and proc.poll() is None, "nothing else may stop"
        # A second crash right away waits longer (back-off).
        os.kill(again, signal.SIGKILL)
        expect(r"worker lokal avslutades oväntat")
        third = int(expect(r"worker lokal startad igen \(pid (\d+), omstart nr 2\)").group(1))
        proc.send_signal(signal.SIGINT)
        expect(r"Allt stoppat\.")
        assert proc.wait(timeout=15) == 0
        assert not _alive(web) and not _alive(third)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
