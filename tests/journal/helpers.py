from __future__ import annotations

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
