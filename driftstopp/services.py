"""Writing downtime bundles: one per unit, atomically, encrypted with the unit's key, the
last DOWNTIME_KEEP kept. A failure (no directory, no permission, full disk) leaves the
previous bundle in place, is recorded on the unit and raises the staleness alarm."""

from __future__ import annotations

import datetime as dt
import errno
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from driftstopp import bundle
from driftstopp.models import AfterEntryItem, DowntimeEpisode, UnitDowntime
from vardmiljo import audit
from vardmiljo.access import Ground, patient_access, patients_of_unit, record_list
from vardmiljo.actor import Actor, system_actor
from vardmiljo.errors import DomainError, NotFound
from vardmiljo.models import AccessLog, CareRelationship, CareUnit, Patient


@dataclass(frozen=True)
class Written:
    unit: CareUnit
    path: Path | None
    patients: int
    bytes: int
    ms: int
    error: str = ""


def _config(unit: CareUnit) -> UnitDowntime:
    cfg = UnitDowntime.objects.filter(unit=unit).first()
    if cfg is None:
        cfg, _created = UnitDowntime.objects.get_or_create(unit=unit, defaults={"key": Fernet.generate_key().decode()})
    return cfg


def directory_for(cfg: UnitDowntime) -> Path:
    if cfg.directory:
        return Path(cfg.directory)
    if not settings.DOWNTIME_DIR:
        raise DomainError(_("DOWNTIME_DIR är inte satt: ingen katalog för driftstoppspaket."))
    return Path(settings.DOWNTIME_DIR) / cfg.unit.hsa_id


def unit_key(*, actor: Actor, unit: CareUnit, rotate: bool = False) -> str:
    """The unit's key, to install on its downtime PC (recorded: a key opens patient data)."""
    with transaction.atomic():
        cfg = _config(unit)
        if rotate:
            cfg.key = Fernet.generate_key().decode()
            cfg.save(update_fields=["key"])
        audit.record(actor, "downtime.key.rotate" if rotate else "downtime.key.export", obj=unit, ground=Ground.SYSTEM)
    return cfg.key


def _explain(exc: OSError, directory: Path) -> str:
    if exc.errno == errno.ENOSPC:
        return _("Disken är full i %(d)s.") % {"d": directory}
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return _("Får inte skriva i %(d)s.") % {"d": directory}
    if exc.errno == errno.ENOENT:
        return _("Katalogen %(d)s finns inte och kunde inte skapas.") % {"d": directory}
    return _("Kunde inte skriva i %(d)s: %(e)s") % {"d": directory, "e": exc.strerror or exc}


def _write_atomically(directory: Path, name: str, data: bytes) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    final, tmp = directory / name, directory / f".{name}.tmp"
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, final)  # readers see the old bundle or the new one, never half of one
    finally:
        tmp.unlink(missing_ok=True)
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return final


def _prune(directory: Path, keep: int) -> None:
    bundles = sorted(p for p in directory.glob(f"*{bundle.SUFFIX}") if not p.name.startswith("."))
    for old in bundles[:-keep]:
        old.unlink(missing_ok=True)


def bundle_write(*, unit: CareUnit, now: dt.datetime | None = None, actor: Actor | None = None) -> Written:
    """Write the unit's bundle. Never raises for a failure of the target: it is recorded."""
    actor = actor or system_actor("driftstopp")
    now = now or timezone.now()
    started = time.perf_counter()
    cfg = _config(unit)

    def allowed(ids: set[int]) -> set[int]:
        return set(patients_of_unit(unit.pk, now).filter(pk__in=ids).values_list("pk", flat=True))

    content = bundle.collect(unit, now, allowed)
    token = Fernet(cfg.key.encode()).encrypt(bundle.pack(content))
    name = bundle.file_name(unit, now)
    try:
        directory = directory_for(cfg)
        path = _write_atomically(directory, name, token)
        _prune(directory, settings.DOWNTIME_KEEP)
    except (OSError, DomainError) as exc:
        message = _explain(exc, directory) if isinstance(exc, OSError) else exc.message
        UnitDowntime.objects.filter(pk=cfg.pk).update(last_error=message, last_error_at=timezone.now())
        return Written(unit=unit, path=None, patients=0, bytes=0, ms=0, error=message)
    ms = int((time.perf_counter() - started) * 1000)
    with transaction.atomic():
        # One row per unit and patient set: the system disclosed these patients to the unit.
        record_list(actor, "downtime.bundle", content.patient_ids, obj=unit, detail={"unit": unit.hsa_id, "file": name})
        UnitDowntime.objects.filter(pk=cfg.pk).update(
            last_success_at=now,
            last_bundle=str(path),
            last_patients=len(content.patients),
            last_bytes=len(token),
            last_ms=ms,
            last_error="",
            last_error_at=None,
        )
    return Written(unit=unit, path=path, patients=len(content.patients), bytes=len(token), ms=ms)


def bundles_write_all(*, progress: Callable[[Written], None] | None = None, unit_ids: list[int] | None = None) -> list[Written]:
    units = CareUnit.objects.filter(active=True).select_related("provider").order_by("name")
    if unit_ids is not None:
        units = units.filter(pk__in=unit_ids)
    actor = system_actor("driftstopp")
    now = timezone.now()
    done = []
    for unit in units:
        written = bundle_write(unit=unit, now=now, actor=actor)
        done.append(written)
        if progress:
            progress(written)
    return done


# --- Driftstopp episodes and efterregistrering --------------------------------------------------


@transaction.atomic
def episode_start(*, actor: Actor, reason: str = "", at: dt.datetime | None = None) -> DowntimeEpisode:
    if DowntimeEpisode.objects.select_for_update().filter(ended_at__isnull=True).exists():
        raise DomainError(_("Ett driftstopp pågår redan: avsluta det först."))
    episode = DowntimeEpisode.objects.create(started_at=at or timezone.now(), reason=reason.strip(), declared_by=actor.staff)
    audit.record(actor, "downtime.episode.start", obj=episode, ground=Ground.SYSTEM, reason=episode.reason)
    return episode


def _bundled_patients(before: dt.datetime) -> dict[int, set[int]]:
    """Per unit: the patients of its last downtime bundle before `before` (what staff had on
    paper). Read from the bundles' own access-log rows: they name exactly those patients."""
    rows = (
        AccessLog.objects.filter(action="downtime.bundle", object_type="vardmiljo.careunit", logged_at__lt=before)
        .order_by("object_id", "-logged_at")
        .distinct("object_id")
        .values_list("object_id", "patient_ids")
    )
    return {int(unit_id): set(ids or ()) for unit_id, ids in rows}


@transaction.atomic
def episode_end(*, actor: Actor, at: dt.datetime | None = None) -> DowntimeEpisode:
    """Ends the open episode and gives each unit its efterregistrering worklist: the patients of
    its last bundle before the outage, and patients registered on a reservnummer meanwhile
    (to be merged into their real identity)."""
    episode = DowntimeEpisode.objects.select_for_update().filter(ended_at__isnull=True).first()
    if episode is None:
        raise DomainError(_("Inget driftstopp pågår."))
    ended = at or timezone.now()
    if ended <= episode.started_at:
        raise DomainError(
            _("Slutet måste ligga efter starten (%(s)s).") % {"s": f"{timezone.localtime(episode.started_at):%Y-%m-%d %H:%M}"}
        )
    episode.ended_at, episode.ended_by = ended, actor.staff
    episode.save(update_fields=["ended_at", "ended_by"])
    items = [
        AfterEntryItem(episode=episode, unit_id=unit_id, patient_id=pid)
        for unit_id, pids in _bundled_patients(episode.started_at).items()
        for pid in pids
    ]
    reserve = CareRelationship.objects.filter(
        patient__id_kind=Patient.IdKind.RESERVNUMMER, patient__created_at__gte=episode.started_at, patient__created_at__lte=ended
    ).values_list("unit_id", "patient_id")
    items += [AfterEntryItem(episode=episode, unit_id=u, patient_id=p, reservnummer=True) for u, p in reserve]
    AfterEntryItem.objects.bulk_create(items, ignore_conflicts=True)
    audit.record(actor, "downtime.episode.end", obj=episode, ground=Ground.SYSTEM, detail={"items": len(items)})
    return episode


@transaction.atomic
def after_entry_done(*, actor: Actor, item_id: int, comment: str = "") -> AfterEntryItem:
    """A member of the unit has entered what the paper holds for this patient."""
    item = AfterEntryItem.objects.select_for_update().filter(pk=item_id, unit_id=actor.unit_id).first()
    if item is None:
        raise NotFound()
    pa = patient_access(actor, item.patient_id, action="downtime.after_entry.done", write=True)
    if item.done_at is not None:
        return item  # a double click
    item.done_at, item.done_by, item.comment = timezone.now(), actor.staff, comment.strip()[:2000]
    item.save(update_fields=["done_at", "done_by", "comment"])
    audit.record(actor, "downtime.after_entry.done", patient=pa, obj=item)
    return item
