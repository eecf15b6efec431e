"""Issue 13 item 8: autosave and adding a diagnosis to the same note, at the same moment,
on two real database connections, never deadlock (and a failed save is shown)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import OperationalError, connection

from journal import services
from journal.models import Diagnosis
from tests.conftest import World

pytestmark = pytest.mark.django_db(transaction=True)

CODES = ["A09.9", "A46.9", "A49.9", "B00.1", "B02.9", "B35.1", "B35.3", "B37.3", "B34.9", "D50.9"]


def _race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls at the same moment, each on its own thread (and connection)."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = calls[i]()
        except Exception as exc:  # noqa: BLE001 - the result under test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_13_8_autosave_and_diagnosis_on_one_note_never_deadlock(world: World) -> None:
    actor = world.physician
    note = services.note_create(
        actor=actor, patient_id=world.patient.pk, note_type="Besök", headings=[{"heading": "Aktuellt", "text": ""}]
    )
    session = "tab-1"
    failures: list[BaseException] = []
    for i in range(40):
        code = CODES[i % len(CODES)]
        results = _race(
            lambda i=i: services.note_save_draft(
                actor=actor,
                note_id=note.pk,
                revision=note.revision,  # this tab's own earlier saves may have won: accepted
                headings=[{"heading": "Aktuellt", "text": f"text {i}"}],
                edit_session=session,
            ),
            lambda code=code: services.diagnosis_add(actor=actor, patient_id=world.patient.pk, code=code, note_id=note.pk),
        )
        failures += [r for r in results if isinstance(r, BaseException)]
    assert not failures, failures[:3]
    note.refresh_from_db()
    assert note.headings[0]["text"] == "text 39"
    assert Diagnosis.objects.filter(note=note).values("code").distinct().count() == len(CODES)


def test_13_8_deadlock_is_retried_once(world: World, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A serialisation failure or deadlock PostgreSQL reports (the real error, raised by the
    server) is retried once; a second one reaches the caller."""
    from vardmiljo import retry

    calls: list[int] = []

    def flaky() -> int:
        calls.append(1)
        if len(calls) == 1:
            with connection.cursor() as cur:
                cur.execute("DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '40P01', MESSAGE = 'deadlock detected'; END $$")
        return 7

    assert retry.retry_once(flaky)() == 7 and len(calls) == 2

    def always() -> None:
        with connection.cursor() as cur:
            cur.execute("DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '40001', MESSAGE = 'could not serialize'; END $$")

    with pytest.raises(OperationalError):
        retry.retry_once(always)()
