"""The beat job and the /healthz check of driftstopp (imported by DriftstoppConfig.ready())."""

from __future__ import annotations

from django.conf import settings

from vardmiljo.celery import add_beat
from vardmiljo.registry import health_check

if settings.DOWNTIME_DIR:
    add_beat("driftstopp-bundles", "driftstopp.tasks.bundles_write_all", settings.DOWNTIME_INTERVAL_MINUTES * 60.0)


@health_check("downtime")
def downtime_health() -> tuple[bool, str]:
    """Fails when a unit's last bundle is older than two intervals or its last write failed
    (a unit never bundled yet is reported by `downtime_status`, not here, so that a fresh
    start is not taken out of the load balancer before the first run)."""
    if not settings.DOWNTIME_DIR:
        return True, "off (DOWNTIME_DIR not set)"
    from driftstopp.queries import bundle_status

    rows = bundle_status()
    bad = [r for r in rows if (r.stale and r.last_success_at is not None) or r.error]
    if bad:
        return False, "stale: " + ", ".join(f"{r.hsa_id} ({r.text})" for r in bad[:10])
    done = sum(1 for r in rows if r.last_success_at is not None)
    return True, f"ok ({done}/{len(rows)} units)"


def _first_run(**kwargs: object) -> None:
    """Beat waits a whole interval before its first run; after a start or restart the units
    should not wait that long for a fresh bundle."""
    from driftstopp.tasks import bundles_write_all

    bundles_write_all.delay()


if settings.DOWNTIME_DIR:
    from celery.signals import beat_init

    beat_init.connect(_first_run, weak=False)
