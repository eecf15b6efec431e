"""A referral from Vårdcentral Centrum (physician) to Medicinkliniken (colleague), step by step."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from remisser import services
from remisser.models import Priority, Referral, ReferralEvent, ReferralReceipt, ReferralReply
from tests.conftest import World
from tests.remisser.conftest import deliver_all, send
from vardmiljo.errors import Conflict, DomainError, NotFound, PermissionDenied
from vardmiljo.models import AccessLog, CareRelationship, Outbox

pytestmark = pytest.mark.django_db
S = Referral.Status


def test_send_writes_outbox_in_same_transaction_and_delivery_receives_once(world: World) -> None:
    ref = send(world, deliver=False)
    assert ref.status == S.SENT and ref.owner_unit_id == world.med.pk
    assert ref.due_date == timezone.localdate() + dt.timedelta(days=14)
    row = Outbox.objects.get(idempotency_key=ref.delivery_key)
    assert row.channel == "referral" and row.status == Outbox.Status.QUEUED
    assert not CareRelationship.objects.filter(patient=world.patient, unit=world.med).exists()
    assert deliver_all() == 1
    ref.refresh_from_db()
    row.refresh_from_db()
    assert ref.status == S.RECEIVED and ref.received_at is not None
    assert row.status == Outbox.Status.DELIVERED and row.receipt["referral_id"] == ref.pk
    rel = CareRelationship.objects.get(patient=world.patient, unit=world.med)
    assert rel.ground == CareRelationship.Ground.REFERRAL
    # Delivering the same row again changes nothing.
    from vardmiljo import outbox

    outbox.deliver(row.pk)
    assert ReferralReceipt.objects.filter(referral=ref).count() == 1
    assert ReferralEvent.objects.filter(referral=ref, to_status=S.RECEIVED).count() == 1
    assert AccessLog.objects.filter(action="referral.received", object_id=str(ref.pk)).count() == 1


def test_full_lifecycle_trail_visible_to_both_sides(world: World) -> None:
    ref = send(world)
    services.referral_accept(actor=world.colleague, referral_id=ref.pk, expected_version=ref.version)
    reply = services.referral_answer(actor=world.colleague, referral_id=ref.pk, text="Ingen hjärtsjukdom. Åter till VC.")
    assert isinstance(reply, ReferralReply) and reply.author == world.colleague.staff
    ref.refresh_from_db()
    assert ref.status == S.ANSWERED and ref.owner_unit_id == world.vc.pk
    services.referral_acknowledge(actor=world.physician, referral_id=ref.pk, close=True)
    ref.refresh_from_db()
    assert ref.status == S.CLOSED and ref.closed_at
    steps = list(ref.events.order_by("at", "id").values_list("to_status", flat=True))
    assert steps == [S.DRAFT, S.SENT, S.RECEIVED, S.ACCEPTED, S.ANSWERED, S.ACKNOWLEDGED, S.CLOSED]
    from remisser.queries import referral_detail

    for actor in (world.physician, world.colleague):
        ctx = referral_detail(actor, ref.pk)
        assert [e.to_status for e in ctx["events"]] == steps
        assert ctx["reply"].text.startswith("Ingen")
    assert AccessLog.objects.filter(action="referral.send", patient_id=world.patient.pk, detail__write=True).exists()
    for action in (
        "referral.sent",
        "referral.accepted",
        "referral.answered",
        "referral.reply.sign",
        "referral.acknowledged",
        "referral.closed",
    ):
        assert AccessLog.objects.filter(action=action, object_id__in=[str(ref.pk), str(reply.pk)]).exists(), action


def test_reject_needs_reason_and_returns_to_sender(world: World) -> None:
    ref = send(world)
    with pytest.raises(DomainError) as exc:
        services.referral_reject(actor=world.colleague, referral_id=ref.pk, reason="  ")
    assert exc.value.field == "note" and "skäl" in exc.value.message
    ref.refresh_from_db()
    assert ref.status == S.RECEIVED
    services.referral_reject(actor=world.colleague, referral_id=ref.pk, reason="Fel mottagare: skicka till kardiologen.")
    ref.refresh_from_db()
    assert ref.status == S.REJECTED and ref.owner_unit_id == world.vc.pk
    from remisser.queries import inbox

    assert [r.pk for r in inbox(world.physician).rows] == [ref.pk]
    assert inbox(world.colleague).rows == []


def test_answering_a_rejected_referral_is_refused_and_changes_nothing(world: World) -> None:
    ref = send(world)
    services.referral_reject(actor=world.colleague, referral_id=ref.pk, reason="Fel enhet")
    ref.refresh_from_db()
    before = (ref.status, ref.version, ref.events.count(), ReferralReply.objects.count())
    with pytest.raises((DomainError, PermissionDenied)) as exc:
        services.referral_answer(actor=world.colleague, referral_id=ref.pk, text="Svar")
    assert "kan inte bli" in str(exc.value) or "hanteras av" in str(exc.value)
    # The sender's unit now holds it, and the transition itself is illegal too:
    with pytest.raises(DomainError) as exc2:
        services.referral_transition(actor=world.physician, referral_id=ref.pk, to=S.ANSWERED)
    assert exc2.value.message == "En remiss med status ”Avvisad” kan inte bli ”Besvarad”."
    ref.refresh_from_db()
    assert (ref.status, ref.version, ref.events.count(), ReferralReply.objects.count()) == before


def test_forward_moves_ownership_and_sender_sees_where_it_went(world: World) -> None:
    from tests import factories as f

    third = f.make_unit(world.region, "Kardiologen")
    cardiologist = f.make_actor(third)
    ref = send(world)
    services.referral_forward(actor=world.colleague, referral_id=ref.pk, to_unit_id=third.pk, note="Bättre hos kardiologen")
    deliver_all()
    ref.refresh_from_db()
    assert ref.status == S.RECEIVED and ref.owner_unit_id == third.pk and ref.receiver_unit_id == third.pk
    assert CareRelationship.objects.filter(patient=world.patient, unit=third, ground="referral").exists()
    services.referral_accept(actor=cardiologist, referral_id=ref.pk)
    from remisser.queries import outbox, referral_detail

    row = outbox(world.physician).rows[0]
    assert row.pk == ref.pk and row.owner_unit_id == third.pk
    # The forwarding unit still sees the trail.
    assert referral_detail(world.colleague, ref.pk)["referral"].owner_unit_id == third.pk
    assert ReferralReceipt.objects.filter(referral=ref).count() == 2


def test_completion_requested_then_resent(world: World) -> None:
    ref = send(world)
    services.referral_request_completion(actor=world.colleague, referral_id=ref.pk, note="Bifoga EKG")
    ref.refresh_from_db()
    assert ref.status == S.COMPLETION_REQUESTED and ref.owner_unit_id == world.vc.pk
    services.referral_resend(actor=world.physician, referral_id=ref.pk, question="EKG: sinusrytm 72")
    deliver_all()
    ref.refresh_from_db()
    assert ref.status == S.RECEIVED and "sinusrytm" in ref.question and ref.deliveries == 2


def test_cancel_needs_reason_and_only_before_answer(world: World) -> None:
    ref = send(world, deliver=False)
    with pytest.raises(DomainError):
        services.referral_cancel(actor=world.physician, referral_id=ref.pk, reason="")
    services.referral_cancel(actor=world.physician, referral_id=ref.pk, reason="Patienten avböjer")
    deliver_all()  # the queued delivery finds a cancelled referral and receives nothing
    ref.refresh_from_db()
    assert ref.status == S.CANCELLED and not ReferralReceipt.objects.filter(referral=ref).exists()
    assert Outbox.objects.get(idempotency_key=ref.delivery_key).status == Outbox.Status.DELIVERED

    ref2 = send(world)
    services.referral_accept(actor=world.colleague, referral_id=ref2.pk)
    services.referral_answer(actor=world.colleague, referral_id=ref2.pk, text="Svar")
    with pytest.raises(DomainError):
        services.referral_cancel(actor=world.physician, referral_id=ref2.pk, reason="För sent")


def test_only_the_right_side_takes_each_step(world: World) -> None:
    ref = send(world)
    with pytest.raises(PermissionDenied):
        services.referral_accept(actor=world.physician, referral_id=ref.pk)
    with pytest.raises(DomainError):
        services.referral_transition(actor=world.colleague, referral_id=ref.pk, to=S.RECEIVED)


def test_stale_version_is_a_conflict_in_swedish(world: World) -> None:
    ref = send(world)
    services.referral_accept(actor=world.colleague, referral_id=ref.pk, expected_version=ref.version)
    with pytest.raises(Conflict) as exc:
        services.referral_reject(actor=world.colleague, referral_id=ref.pk, reason="x", expected_version=ref.version)
    assert "ändrats av någon annan" in exc.value.message


def test_database_refuses_sent_referral_without_owner(world: World) -> None:
    ref = send(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.filter(pk=ref.pk).update(owner_unit=None)


@pytest.mark.parametrize(
    "missing,field,word",
    [
        ("receiver_unit_id", "receiver_unit", "mottagande enhet"),
        ("question", "question", "frågeställning"),
        ("priority", "priority", "prioritet"),
    ],
)
def test_send_names_what_is_missing(world: World, missing: str, field: str, word: str) -> None:
    kwargs = {"receiver_unit_id": world.med.pk, "question": "Fråga", "priority": Priority.AKUT}
    kwargs[missing] = None if missing == "receiver_unit_id" else ""
    with pytest.raises(DomainError) as exc:
        services.referral_send(actor=world.physician, patient_id=world.patient.pk, **kwargs)  # type: ignore[arg-type]
    assert exc.value.field == field and word in exc.value.message
    assert not Referral.objects.exists() and not Outbox.objects.exists()


def test_send_names_everything_missing_at_once(world: World) -> None:
    with pytest.raises(DomainError) as exc:
        services.referral_send(
            actor=world.physician, patient_id=world.patient.pk, receiver_unit_id=None, priority="", question=""
        )
    assert exc.value.message == "Remissen saknar: mottagande enhet, frågeställning, prioritet."


def test_double_click_sends_once(world: World) -> None:
    a = send(world, key="form-123", deliver=False)
    b = send(world, key="form-123", deliver=False)
    assert a.pk == b.pk
    assert Referral.objects.count() == 1 and Outbox.objects.count() == 1


def test_outsider_and_colleague_before_receipt_are_refused_and_logged(world: World) -> None:
    ref = send(world, deliver=False)
    from remisser.queries import referral_for

    for actor in (world.outsider, world.colleague):
        with pytest.raises(NotFound):
            referral_for(actor, ref.pk)
    assert AccessLog.objects.filter(staff_id=world.outsider.staff.pk, action="referral.read.denied").exists()
    with pytest.raises(NotFound):
        services.referral_send(
            actor=world.outsider, patient_id=world.patient.pk, receiver_unit_id=world.med.pk, priority=Priority.AKUT, question="?"
        )
    with pytest.raises(NotFound):
        services.referral_cancel(actor=world.outsider, referral_id=ref.pk, reason="x")


def test_send_to_own_unit_is_refused(world: World) -> None:
    with pytest.raises(DomainError) as exc:
        services.referral_send(
            actor=world.physician, patient_id=world.patient.pk, receiver_unit_id=world.vc.pk, priority=Priority.AKUT, question="?"
        )
    assert exc.value.field == "receiver_unit"


def test_16_accept_with_waitlist_puts_the_patient_on_tidbok_waitlist(world: World) -> None:
    ref = send(world)
    services.referral_accept(actor=world.colleague, referral_id=ref.pk, waitlist=True, note="Nybesök")
    ref.refresh_from_db()
    assert ref.status == S.ACCEPTED
    from tidbok.models import WaitlistEntry

    entry = WaitlistEntry.objects.get(referral_id=ref.pk)
    assert entry.unit_id == world.med.pk and entry.patient_id == world.patient.pk and entry.due_by == ref.due_date


def test_third_unit_caring_for_the_patient_reads_but_cannot_act(world: World) -> None:
    from remisser.queries import referral_for
    from tests import factories as f

    ward = f.make_unit(world.region, "Avdelning 12")
    nurse = f.make_actor(ward)
    ref = send(world)
    with pytest.raises(NotFound):
        referral_for(nurse, ref.pk)  # no care relationship yet
    f.relate(world.patient, ward)
    assert referral_for(nurse, ref.pk)[0].pk == ref.pk  # same provider, part of the record
    with pytest.raises(NotFound):
        services.referral_accept(actor=nurse, referral_id=ref.pk)
    # Another provider's unit with a care relationship but no consent reads nothing.
    f.relate(world.patient, world.priv)
    with pytest.raises(NotFound):
        referral_for(world.outsider, ref.pk)


def test_answered_only_with_a_signed_reply_whichever_way(world: World) -> None:
    ref = send(world)
    services.referral_accept(actor=world.colleague, referral_id=ref.pk)
    with pytest.raises(DomainError) as exc:
        services.referral_transition(actor=world.colleague, referral_id=ref.pk, to=S.ANSWERED)
    assert exc.value.field == "text"
    with pytest.raises(DomainError):
        services.referral_answer(actor=world.colleague, referral_id=ref.pk, text="  ")
    ref.refresh_from_db()
    assert ref.status == S.ACCEPTED and not ReferralReply.objects.exists()
