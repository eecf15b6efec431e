"""Who may read and write the record: the colleague without a relationship and the
outsider are refused (and the refusal is logged); a block hides a unit's notes."""

from __future__ import annotations

import pytest

from journal import queries, services
from journal.models import Note
from tests import factories as f
from tests.conftest import World, login
from tests.journal.helpers import VISIT, draft, signed
from vardmiljo.errors import NotFound
from vardmiljo.models import AccessLog

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["colleague", "outsider"])
def test_without_relationship_nothing_is_read_or_written(world: World, who: str) -> None:
    actor = getattr(world, who)
    n = signed(world)
    with pytest.raises(NotFound):
        queries.note_for(actor, n.pk)
    with pytest.raises(NotFound):
        queries.timeline(actor, world.patient.pk, queries.TimelineFilter())
    with pytest.raises(NotFound):
        services.note_create(actor=actor, patient_id=world.patient.pk, note_type="Anteckning")
    with pytest.raises(NotFound):
        services.note_correct(actor=actor, note_id=n.pk, revision=n.revision, headings=VISIT, reason="x")
    with pytest.raises(NotFound):
        services.diagnosis_add(actor=actor, patient_id=world.patient.pk, code="J06.9")
    with pytest.raises(NotFound):
        services.observation_record(actor=actor, patient_id=world.patient.pk, kind="pulse", value="70")
    with pytest.raises(NotFound):
        queries.print_selection(actor, world.patient.pk, queries.TimelineFilter())
    assert Note.objects.count() == 1
    denied = AccessLog.objects.filter(staff_id=actor.staff.pk, patient_id=world.patient.pk, ground="denied")
    assert denied.filter(action="journal.note.read.denied").exists()
    assert denied.filter(action="journal.print.denied").exists()


def test_reads_are_logged(world: World) -> None:
    n = signed(world)
    queries.note_for(world.nurse, n.pk)
    queries.timeline(world.nurse, world.patient.pk, queries.TimelineFilter())
    queries.print_selection(world.nurse, world.patient.pk, queries.TimelineFilter())
    actions = set(AccessLog.objects.filter(staff_id=world.nurse.staff.pk).values_list("action", flat=True))
    assert {"journal.note.read", "journal.timeline", "journal.print"} <= actions


def test_colleague_with_relationship_reads_but_blocked_unit_is_hidden(world: World) -> None:
    f.relate(world.patient, world.med)
    n = signed(world)
    note, _pa = queries.note_for(world.colleague, n.pk)
    assert note.pk == n.pk
    f.block(world.patient, world.vc, world.physician.staff)
    with pytest.raises(NotFound):
        queries.note_for(world.colleague, n.pk)
    tl = queries.timeline(world.colleague, world.patient.pk, queries.TimelineFilter())
    assert tl.notes == []


def test_outsider_with_consent_reads_but_cannot_correct(world: World) -> None:
    f.relate(world.patient, world.priv)
    f.consent(world.patient, world.outsider.provider_id and world.private, world.physician.staff)
    n = signed(world)
    note, _pa = queries.note_for(world.outsider, n.pk)
    assert note.pk == n.pk
    from vardmiljo.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.note_correct(actor=world.outsider, note_id=n.pk, revision=n.revision, headings=VISIT, reason="x")


def test_other_peoples_drafts_are_not_in_the_record(world: World) -> None:
    d = draft(world, world.nurse)
    tl = queries.timeline(world.physician, world.patient.pk, queries.TimelineFilter())
    assert d.pk not in [x.pk for x in tl.notes]


def test_pages_refuse_the_outsider(client, world: World) -> None:  # type: ignore[no-untyped-def]
    n = signed(world)
    login(client, world.outsider)
    assert client.get(f"/journal/anteckning/{n.pk}/").status_code == 404
    assert client.get(f"/journal/patient/{world.patient.pk}/journal/").status_code == 404
    assert client.post(f"/journal/patient/{world.patient.pk}/utskrift/").status_code == 404
    r = client.post(f"/journal/anteckning/{n.pk}/autospara/", {"revision": n.revision, "h-title": "A", "h-text": "x"})
    assert r.status_code in (200, 404)
    assert Note.objects.get(pk=n.pk).text == n.text


def test_overview_panels_follow_blocks_consent_and_drafts(world: World) -> None:
    """The panels read in SQL show what the timeline shows: nothing of a blocked unit,
    no one else's drafts, and another provider's notes only with consent."""
    from vardmiljo.access import patient_access

    def panel_ids(actor: object) -> list[int]:
        pa = patient_access(actor, world.patient.pk, action="x")  # type: ignore[arg-type]
        return [r["id"] for r in queries.latest_notes(pa)]

    f.relate(world.patient, world.med)
    f.relate(world.patient, world.priv)
    n = signed(world)
    nurse_draft = draft(world, world.nurse)
    own_draft = draft(world)
    assert panel_ids(world.physician) == [own_draft.pk, n.pk]  # own draft first, the nurse's not at all
    assert nurse_draft.pk not in panel_ids(world.colleague)
    assert panel_ids(world.colleague) == [n.pk]
    assert panel_ids(world.outsider) == []  # another provider, no consent
    f.consent(world.patient, world.private, world.outsider.staff)
    assert panel_ids(world.outsider) == [n.pk]
    f.block(world.patient, world.vc, world.physician.staff)
    assert panel_ids(world.colleague) == [] and panel_ids(world.outsider) == []
    assert panel_ids(world.physician) == [own_draft.pk, n.pk]
