"""Issue 12 item 5: signed notes and their versions are immutable at the database level.
Raw SQL (any channel, a psql session included) cannot change a signed note's content, nor
delete a note or a note version; the services' own changes still work."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from journal import services
from journal.models import Note, NoteVersion, headings_text
from tests.conftest import World
from tests.journal.helpers import VISIT, draft, signed

pytestmark = pytest.mark.django_db


def _refused(sql: str, params: list[object]) -> None:
    with pytest.raises(DatabaseError) as exc, transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, params)
    assert "journal_note" in str(exc.value)


def _ok(sql: str, params: list[object]) -> None:
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, params)


@pytest.mark.parametrize(
    "assignment",
    [
        "text = 'ändrad i efterhand'",
        'headings = \'[{"heading": "Aktuellt", "text": "ändrad"}]\'::jsonb',
        "note_type = 'Annan typ'",
        "status = 'draft'",
        "signed_at = now() - interval '1 day'",
        "signed_by_id = NULL",
        "unit_id = NULL",
        "author_name = 'Någon annan'",
        "event_at = event_at - interval '1 day'",
        "source_system = 'X'",
        "version_no = version_no + 1",
    ],
)
def test_12_5_raw_update_of_a_signed_notes_content_is_refused(world: World, assignment: str) -> None:
    note = signed(world)
    _refused(f"UPDATE journal_note SET {assignment} WHERE id = %s", [note.pk])
    note.refresh_from_db()
    assert note.status == Note.Status.SIGNED and note.headings[0]["text"] == VISIT[0]["text"]


def test_12_5_a_signed_note_moves_patient_only_on_a_merge(world: World) -> None:
    from tests import factories as f

    note = signed(world)
    other = f.make_patient(unit=world.vc)
    _refused("UPDATE journal_note SET patient_id = %s WHERE id = %s", [other.pk, note.pk])
    type(world.patient).objects.filter(pk=world.patient.pk).update(merged_into=other)
    _ok("UPDATE journal_note SET patient_id = %s WHERE id = %s", [other.pk, note.pk])


def test_12_5_delete_of_notes_and_versions_is_refused(world: World) -> None:
    s = signed(world)
    d = draft(world)
    for pk in (s.pk, d.pk):
        _refused("DELETE FROM journal_note WHERE id = %s", [pk])
    v = NoteVersion.objects.get(note=s)
    with pytest.raises(DatabaseError, match="journal_noteversion"), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM journal_noteversion WHERE id = %s", [v.pk])
    for assignment in ("headings = '[]'::jsonb", "correction_reason = 'x'", "signed_by_name = 'y'"):
        with pytest.raises(DatabaseError, match="journal_noteversion"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(f"UPDATE journal_noteversion SET {assignment} WHERE id = %s", [v.pk])
    # The ORM is refused the same way.
    with pytest.raises(DatabaseError), transaction.atomic():
        Note.objects.filter(pk=s.pk).delete()
    assert Note.objects.filter(pk__in=[s.pk, d.pk]).count() == 2 and NoteVersion.objects.filter(pk=v.pk).exists()


def test_12_5_entered_in_error_mark_is_final(world: World) -> None:
    note = signed(world)
    services.note_mark_error(actor=world.physician, note_id=note.pk, revision=note.revision + 0, reason="Fel patient")
    _refused("UPDATE journal_note SET entered_in_error = false WHERE id = %s", [note.pk])
    _refused("UPDATE journal_note SET error_reason = 'annat' WHERE id = %s", [note.pk])


def test_12_5_a_correction_must_keep_the_replaced_text(world: World) -> None:
    """An imported note has no version row yet: rewriting it directly, even as 'the next
    version', is refused; the service's correction (which keeps the original) works."""
    hs = [{"heading": "Anteckning", "text": "Migrerad text."}]
    [imp] = Note.objects.bulk_create(
        [
            Note(
                patient=world.patient,
                unit=world.vc,
                note_type="Läkaranteckning",
                headings=hs,
                text=headings_text(hs),
                status=Note.Status.IMPORTED,
                source_system="ELVIS",
                source_id="A-1",
            )
        ]
    )
    _refused(
        "UPDATE journal_note SET headings = '[]'::jsonb, text = '', status = 'signed', version_no = 2 WHERE id = %s",
        [imp.pk],
    )
    services.note_correct(
        actor=world.physician, note_id=imp.pk, revision=1, headings=[{"heading": "Anteckning", "text": "Rättad."}], reason="x"
    )
    assert NoteVersion.objects.get(note=imp, version_no=1).headings == hs


def test_12_5_what_may_change_still_changes(world: World) -> None:
    d = draft(world)
    _ok("UPDATE journal_note SET text = 'utkast', headings = '[]'::jsonb WHERE id = %s", [d.pk])  # a draft is free
    note = signed(world)
    _ok("UPDATE journal_note SET revision = revision + 1, updated_at = now(), edit_session = 'x' WHERE id = %s", [note.pk])
    _ok("UPDATE journal_note SET template_id = NULL WHERE id = %s", [note.pk])  # a deleted template
    note.refresh_from_db()
    c = services.note_correct(
        actor=world.physician,
        note_id=note.pk,
        revision=note.revision,
        headings=[{**h, "text": h["text"] or "Tillägg"} for h in VISIT],
        reason="Komplettering",
    )
    assert c.version_no == 2 and NoteVersion.objects.filter(note=note).count() == 2
    services.note_mark_error(actor=world.physician, note_id=note.pk, revision=c.revision, reason="Fel patient")
