from __future__ import annotations

import datetime as dt

from journal import queries, services
from journal.models import Note, NoteTemplate
from tests.conftest import World
from vardmiljo.actor import Actor

VISIT = [
    {"heading": "Aktuellt", "text": "Hosta sedan en vecka."},
    {"heading": "Anamnes", "text": "Tidigare frisk. Ingen feber."},
    {"heading": "Status", "text": "AT gott. Cor/pulm ua."},
    {"heading": "Bedömning", "text": "Virusorsakad luftvägsinfektion."},
    {"heading": "Åtgärd", "text": ""},
]


def doctor_template() -> NoteTemplate:
    return NoteTemplate.objects.get(note_type="Läkaranteckning")


def draft(world: World, actor: Actor | None = None) -> Note:
    """A draft from the actor's default template (Läkaranteckning for the physician)."""
    actor = actor or world.physician
    template_id = next(pk for pk, _name, default in queries.template_choices(actor) if default)
    return services.note_create(actor=actor, patient_id=world.patient.pk, template_id=template_id)


def signed(world: World) -> Note:
    n = draft(world)
    return services.note_sign(actor=world.physician, note_id=n.pk, revision=n.revision, headings=VISIT)


def signed_as_of(world: World, when: dt.datetime, note_type: str = "Läkaranteckning") -> Note:
    """A note signed at `when` in the past, with its version: inserted as an import would
    (a signed note can never be back-dated afterwards: the database refuses it)."""
    from journal.models import NoteVersion, headings_text

    staff = world.physician.staff
    n = Note.objects.create(
        patient=world.patient,
        unit=world.physician.unit,
        note_type=note_type,
        headings=VISIT,
        text=headings_text(VISIT),
        status=Note.Status.SIGNED,
        author=staff,
        author_name=str(staff)[:200],
        author_profession=staff.profession,
        event_at=when,
        created_at=when,
        updated_at=when,
        signed_at=when,
        signed_by=staff,
    )
    NoteVersion.objects.create(
        note=n,
        version_no=1,
        headings=n.headings,
        note_type=n.note_type,
        signed_by=staff,
        signed_by_name=str(staff)[:200],
        signed_at=when,
    )
    return n
