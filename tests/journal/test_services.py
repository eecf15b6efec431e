"""The record's rules, tested on the services directly."""

from __future__ import annotations

import pytest

from journal import queries, services
from journal.models import Diagnosis, Note, NoteVersion, Observation
from tests.conftest import World
from tests.journal.helpers import VISIT, doctor_template, draft, signed
from vardmiljo.errors import Conflict, DomainError, PermissionDenied
from vardmiljo.models import AccessLog

pytestmark = pytest.mark.django_db


def test_draft_from_template_has_its_headings(world: World) -> None:
    n = draft(world)
    assert [h["heading"] for h in n.headings] == ["Aktuellt", "Anamnes", "Status", "Bedömning", "Åtgärd"]
    assert n.status == Note.Status.DRAFT and n.author == world.physician.staff and n.unit == world.vc
    assert AccessLog.objects.filter(action="journal.note.create", patient_id=world.patient.pk).exists()


def test_sign_makes_the_note_final_and_writes_version_and_audit(world: World) -> None:
    n = signed(world)
    assert n.status == Note.Status.SIGNED and n.signed_by == world.physician.staff and n.signed_at
    assert "Hosta" in n.text
    assert NoteVersion.objects.filter(note=n, version_no=1).count() == 1
    assert AccessLog.objects.filter(action="journal.note.sign", object_id=str(n.pk), patient_id=world.patient.pk).exists()
    with pytest.raises(DomainError):
        services.note_save_draft(actor=world.physician, note_id=n.pk, revision=n.revision, headings=VISIT)


def test_empty_headings_can_be_drafted_but_not_signed(world: World) -> None:
    n = draft(world)
    empty = [{"heading": "Aktuellt", "text": "  "}]
    n = services.note_save_draft(actor=world.physician, note_id=n.pk, revision=n.revision, headings=empty)
    with pytest.raises(DomainError) as exc:
        services.note_sign(actor=world.physician, note_id=n.pk, revision=n.revision)
    assert "tom" in exc.value.message
    n.refresh_from_db()
    assert n.status == Note.Status.DRAFT
    assert not NoteVersion.objects.filter(note=n).exists()


def test_stale_save_is_refused_with_an_explanation_and_changes_nothing(world: World) -> None:
    n = draft(world)
    tab_a = services.note_save_draft(
        actor=world.physician,
        note_id=n.pk,
        revision=n.revision,
        headings=[{"heading": "Aktuellt", "text": "Flik A"}],
        edit_session="a",
    )
    with pytest.raises(Conflict) as exc:
        services.note_save_draft(
            actor=world.physician,
            note_id=n.pk,
            revision=n.revision,
            headings=[{"heading": "Aktuellt", "text": "Flik B"}],
            edit_session="b",
        )
    assert "ändrats sedan du öppnade" in exc.value.message
    n.refresh_from_db()
    assert n.headings == [{"heading": "Aktuellt", "text": "Flik A"}] and n.revision == tab_a.revision
    # The same tab's own earlier autosave does not block it.
    services.note_save_draft(
        actor=world.physician,
        note_id=n.pk,
        revision=n.revision - 1,
        headings=[{"heading": "Aktuellt", "text": "Flik A igen"}],
        edit_session="a",
    )


def test_sign_with_stale_revision_from_another_tab_is_refused(world: World) -> None:
    n = draft(world)
    services.note_save_draft(actor=world.physician, note_id=n.pk, revision=n.revision, headings=VISIT, edit_session="a")
    with pytest.raises(Conflict):
        services.note_sign(actor=world.physician, note_id=n.pk, revision=n.revision, edit_session="b")
    assert Note.objects.get(pk=n.pk).status == Note.Status.DRAFT


def test_only_the_author_edits_and_signs_a_draft(world: World) -> None:
    n = draft(world)
    with pytest.raises(PermissionDenied):
        services.note_sign(actor=world.nurse, note_id=n.pk, revision=n.revision, headings=VISIT)


def test_correction_keeps_the_old_text_readable(world: World) -> None:
    n = signed(world)
    new = [dict(h) for h in VISIT]
    new[3]["text"] = "Akut bronkit."
    with pytest.raises(DomainError):
        services.note_correct(actor=world.physician, note_id=n.pk, revision=n.revision, headings=new, reason=" ")
    c = services.note_correct(actor=world.nurse, note_id=n.pk, revision=n.revision, headings=new, reason="Fel bedömning angiven")
    assert c.version_no == 2 and "Akut bronkit" in c.text and c.signed_by == world.nurse.staff
    versions = queries.note_versions(c)
    assert [v.version_no for v in versions] == [2, 1]
    assert "Virusorsakad" in versions[1].headings[3]["text"]
    assert versions[0].correction_reason == "Fel bedömning angiven"
    assert AccessLog.objects.filter(action="journal.note.correct", object_id=str(n.pk)).exists()


def test_correcting_with_a_stale_revision_is_refused(world: World) -> None:
    n = signed(world)
    services.note_correct(
        actor=world.physician, note_id=n.pk, revision=n.revision, headings=[{"heading": "Aktuellt", "text": "Ny"}], reason="fel"
    )
    with pytest.raises(Conflict):
        services.note_correct(
            actor=world.physician,
            note_id=n.pk,
            revision=n.revision,
            headings=[{"heading": "Aktuellt", "text": "Annan"}],
            reason="fel",
        )
    assert NoteVersion.objects.filter(note=n).count() == 2


def test_entered_in_error_needs_a_reason_and_keeps_the_note(world: World) -> None:
    n = signed(world)
    with pytest.raises(DomainError):
        services.note_mark_error(actor=world.physician, note_id=n.pk, revision=n.revision, reason="")
    e = services.note_mark_error(actor=world.physician, note_id=n.pk, revision=n.revision, reason="Fel patient")
    assert e.entered_in_error and e.error_reason == "Fel patient" and e.error_by == world.physician.staff
    assert Note.objects.filter(pk=n.pk).exists() and "Hosta" in Note.objects.get(pk=n.pk).text
    assert AccessLog.objects.filter(action="journal.note.entered_in_error", object_id=str(n.pk)).exists()


def test_unknown_diagnosis_code_is_refused_with_suggestions(world: World) -> None:
    with pytest.raises(DomainError) as exc:
        services.diagnosis_add(actor=world.physician, patient_id=world.patient.pk, code="J06.7")
    assert "Okänd diagnoskod" in exc.value.message and "J06.9" in exc.value.message
    assert exc.value.field == "code"
    assert not Diagnosis.objects.exists()


def test_diagnosis_by_code_without_dot_and_on_note(world: World) -> None:
    n = draft(world)
    dx = services.diagnosis_add(actor=world.physician, patient_id=world.patient.pk, code="j069", note_id=n.pk)
    assert dx.code == "J06.9" and dx.code_text.startswith("Akut övre") and dx.note == n
    again = services.diagnosis_add(actor=world.physician, patient_id=world.patient.pk, code="J06.9 Akut", note_id=n.pk)
    assert again.pk == dx.pk
    assert AccessLog.objects.filter(action="journal.diagnosis.add", object_type="journal.diagnosis").count() == 1
    pa = queries.access(world.physician, world.patient.pk, "t")
    assert [d.code for d in queries.active_diagnoses(pa)] == ["J06.9"]


def test_code_search_by_code_and_text(world: World) -> None:
    assert queries.code_search("icd10", "J06")[0].code == "J06.9"
    assert any(c.code == "E11.9" for c in queries.code_search("icd10", "diabetes"))
    assert queries.code_search("kva", "koloskopi")[0].code == "UJF32"


@pytest.mark.parametrize(
    "kind,value,fragment",
    [
        ("pulse", "900", "Tillåtet intervall: 20–250 slag/min"),
        ("temp", "50", "30–45 °C"),
        ("spo2", "101", "50–100 %"),
        ("bp", "120/150", "lägre än systoliskt"),
        ("hba1c", "5", "20–200 mmol/mol"),
        ("weight", "abc", "ange ett tal"),
    ],
)
def test_implausible_measurement_is_refused_with_range(world: World, kind: str, value: str, fragment: str) -> None:
    with pytest.raises(DomainError) as exc:
        services.observation_record(actor=world.nurse, patient_id=world.patient.pk, kind=kind, value=value)
    assert fragment in exc.value.message
    assert not Observation.objects.exists()


def test_measurements_and_derived_bmi(world: World) -> None:
    services.observation_record(actor=world.nurse, patient_id=world.patient.pk, kind="height", value="180")
    services.observation_record(actor=world.nurse, patient_id=world.patient.pk, kind="weight", value="81,0")
    services.observation_record(actor=world.nurse, patient_id=world.patient.pk, kind="bp", value="135/85")
    services.observation_record(actor=world.nurse, patient_id=world.patient.pk, kind="hba1c", value="48")
    services.observation_record(actor=world.nurse, patient_id=world.patient.pk, kind="smoking", value_text="former")
    with pytest.raises(DomainError):
        services.observation_record(actor=world.nurse, patient_id=world.patient.pk, kind="smoking", value_text="ibland")
    pa = queries.access(world.nurse, world.patient.pk, "t")
    latest = {o.kind: o for o in queries.latest_observations(pa)}
    assert str(latest["bmi"].value) == "25.00"
    assert latest["bp"].display == "135/85 mmHg"
    assert latest["hba1c"].unit_text == "mmol/mol"
    assert latest["smoking"].value_text == "former"


def test_allergy_feeds_the_signal_and_medication_check(world: World) -> None:
    services.allergy_record(
        actor=world.physician, patient_id=world.patient.pk, substance="Penicillin", atc_code="j01c", severity="severe"
    )
    with pytest.raises(DomainError):
        services.allergy_record(actor=world.physician, patient_id=world.patient.pk, substance="X", atc_code="1234")
    with pytest.raises(DomainError):
        services.allergy_record(actor=world.physician, patient_id=world.patient.pk, substance="penicillin")
    pa = queries.access(world.physician, world.patient.pk, "t")
    [a] = queries.active_allergies(pa)
    assert (a.substance, a.atc_code, a.severity) == ("Penicillin", "J01C", "severe")
    from journal.panels import alerts_signal

    assert alerts_signal(pa)[0]["text"].startswith("Penicillin (J01C)")
    services.allergy_inactivate(actor=world.physician, allergy_id=a.pk, reason="Utredd, tål penicillin")
    assert queries.active_allergies(pa) == []


def test_acknowledgement_worklist(world: World) -> None:
    ack = services.acknowledgement_request(
        actor=world.nurse, patient_id=world.patient.pk, summary="Hb 98 g/L", responsible_id=world.physician.staff.pk
    )
    assert queries.acknowledgements_count(world.physician) == 1
    assert [a.pk for a in queries.acknowledgements_open(world.physician)] == [ack.pk]
    services.acknowledgement_confirm(actor=world.physician, acknowledgement_id=ack.pk)
    assert queries.acknowledgements_count(world.physician) == 0
    with pytest.raises(Conflict):
        services.acknowledgement_confirm(actor=world.physician, acknowledgement_id=ack.pk)


def test_encounter_create_is_idempotent_per_booking(world: World) -> None:
    e1 = services.encounter_create(actor=world.nurse, patient_id=world.patient.pk, kind="visit", booking_id=77)
    e2 = services.encounter_create(actor=world.nurse, patient_id=world.patient.pk, kind="visit", booking_id=77)
    assert e1.pk == e2.pk and e1.unit == world.vc
    with pytest.raises(DomainError):
        services.encounter_create(actor=world.nurse, patient_id=world.patient.pk, kind="teleport")
    with pytest.raises(DomainError):
        services.encounter_create(actor=world.nurse, patient_id=world.patient.pk, kind="visit", unit_id=world.priv.pk)


def test_unsigned_worklist_lists_only_own_drafts(world: World) -> None:
    mine = draft(world)
    draft(world, world.nurse)
    signed(world)
    assert [n.pk for n in queries.unsigned_for(world.physician)] == [mine.pk]
    assert queries.unsigned_count(world.physician) == 1


def test_full_text_search_uses_swedish_stemming(world: World) -> None:
    n = draft(world)
    services.note_sign(
        actor=world.physician,
        note_id=n.pk,
        revision=n.revision,
        headings=[{"heading": "Aktuellt", "text": "Patienten har besvärliga huvudvärkar."}],
    )
    signed(world)
    tl = queries.timeline(world.physician, world.patient.pk, queries.TimelineFilter(q="huvudvärk"))
    assert [x.pk for x in tl.notes] == [n.pk]
    assert AccessLog.objects.filter(action="journal.search", patient_id=world.patient.pk).exists()
    tl = queries.timeline(world.physician, world.patient.pk, queries.TimelineFilter(keyword="Status"))
    assert len(tl.notes) == 1


def test_template_headings_marked_required_must_be_written(world: World) -> None:
    t = doctor_template()
    t.headings.filter(title="Bedömning").update(required=True)
    n = draft(world)
    with pytest.raises(DomainError) as exc:
        services.note_sign(
            actor=world.physician,
            note_id=n.pk,
            revision=n.revision,
            headings=[{"heading": "Aktuellt", "text": "x"}, {"heading": "Bedömning", "text": ""}],
        )
    assert "Bedömning" in exc.value.message


def test_imported_notes_bulk_create_and_correction_keeps_original(world: World) -> None:
    from journal.models import headings_text

    hs = [{"heading": "Anteckning", "text": "Migrerad text från gamla systemet."}]
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
                author_name="Dr Gammal",
            )
        ]
    )
    tl = queries.timeline(world.physician, world.patient.pk, queries.TimelineFilter(q="migrerad"))
    assert [n.pk for n in tl.notes] == [imp.pk]
    c = services.note_correct(
        actor=world.physician,
        note_id=imp.pk,
        revision=1,
        headings=[{"heading": "Anteckning", "text": "Rättad text."}],
        reason="Felstavat",
    )
    assert c.status == Note.Status.SIGNED and c.version_no == 2
    v1 = NoteVersion.objects.get(note=imp, version_no=1)
    assert v1.signed_by_name == "Dr Gammal" and "Migrerad" in v1.headings[0]["text"]
