"""Every write of remisser. One service moves a referral, by the TRANSITIONS
table; the named services (send, accept, reject, …) add what their step needs.

Each service is atomic, checks access through the access module, writes the
referral's trail (ReferralEvent, the domain timeline) and the access log
(audit, the compliance record) in the same transaction. Delivery to the
receiving unit goes through the core outbox, written in that transaction too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from remisser import conf
from remisser.models import (
    PRIORITY_RANK,
    RECEIVER_OPEN,
    Priority,
    Referral,
    ReferralEvent,
    ReferralNotification,
    ReferralReceipt,
    ReferralReply,
    ReferralRoute,
)
from remisser.queries import referral_for
from vardmiljo import audit, outbox
from vardmiljo.access import Ground, patient_access, record_list, require_assignment
from vardmiljo.actor import Actor, system_actor
from vardmiljo.errors import Conflict, DomainError, PermissionDenied
from vardmiljo.models import Assignment, CareRelationship, CareUnit, Staff
from vardmiljo.services import care_relationship_ensure

S = Referral.Status

TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.SENT, S.CANCELLED},
    S.SENT: {S.RECEIVED, S.CANCELLED},
    S.FORWARDED: {S.RECEIVED, S.CANCELLED},
    S.RECEIVED: {S.ACCEPTED, S.REJECTED, S.FORWARDED, S.COMPLETION_REQUESTED, S.CANCELLED},
    S.ACCEPTED: {S.ANSWERED, S.FORWARDED, S.CANCELLED},
    S.REJECTED: {S.SENT, S.CLOSED},
    S.COMPLETION_REQUESTED: {S.SENT, S.CANCELLED},
    S.ANSWERED: {S.ACKNOWLEDGED},
    S.ACKNOWLEDGED: {S.CLOSED},
}
# Who takes each step: the sending unit, or the unit that holds the referral now.
# RECEIVED is taken by the delivery itself, never by a person.
SENDER_STEPS = {S.SENT, S.CANCELLED, S.CLOSED, S.ACKNOWLEDGED}
OWNER_STEPS = {S.ACCEPTED, S.REJECTED, S.FORWARDED, S.COMPLETION_REQUESTED, S.ANSWERED}
NOTE_REQUIRED: dict[str, Any] = {
    S.REJECTED: gettext_lazy("Ange skäl till att remissen avvisas."),
    S.CANCELLED: gettext_lazy("Ange skäl till att remissen makuleras."),
    S.COMPLETION_REQUESTED: gettext_lazy("Ange vad som behöver kompletteras."),
}
CHANNEL_LOCAL = "referral"
CHANNEL_REMOTE = "referral.remote"


def status_label(status: str) -> str:
    return str(S(status).label) if status in S.values else status


def _owner_after(referral: Referral, to: str, to_unit: CareUnit | None) -> int | None:
    if to in (S.SENT, S.RECEIVED, S.ACCEPTED):
        return referral.receiver_unit_id
    if to == S.FORWARDED:
        return to_unit.pk if to_unit else referral.receiver_unit_id
    # Rejected, completion requested, answered, acknowledged, closed, cancelled: back with the sender.
    return referral.sender_unit_id


def _check_version(referral: Referral, expected_version: int | None) -> None:
    if expected_version is not None and int(expected_version) != referral.version:
        raise Conflict(
            _("Remissen har ändrats av någon annan medan du arbetade (nu: %(status)s). Ladda om sidan och försök igen.")
            % {"status": status_label(referral.status)},
            code="stale",
        )


def _check_allowed(referral: Referral, to: str) -> None:
    if to not in TRANSITIONS.get(referral.status, set()):
        raise DomainError(
            _("En remiss med status ”%(from)s” kan inte bli ”%(to)s”.")
            % {"from": status_label(referral.status), "to": status_label(to)},
            code="illegal_transition",
        )


def _apply(
    referral: Referral,
    *,
    staff: Staff | None,
    staff_name: str,
    unit_id: int | None,
    to: str,
    note: str = "",
    to_unit: CareUnit | None = None,
    pending: list[ReferralEvent] | None = None,
) -> ReferralEvent:
    """Move the referral (already locked and checked) and write its event
    (or add it to `pending`, for the caller to write with its own in one INSERT)."""
    old_status, old_owner = referral.status, referral.owner_unit_id
    now = timezone.now()
    if to_unit is not None:
        referral.receiver_unit = to_unit
    referral.status = to
    referral.owner_unit_id = _owner_after(referral, to, to_unit)
    referral.version += 1
    fields = ["status", "owner_unit", "receiver_unit", "version", "updated_at"]
    if to == S.SENT and referral.sent_at is None:
        referral.sent_at = now
        days = conf.priority_days()[referral.priority]
        referral.due_date = timezone.localdate(now) + dt.timedelta(days=days)
        fields += ["sent_at", "due_date"]
    if to == S.RECEIVED:
        referral.received_at = now
        fields.append("received_at")
    if to in (S.CLOSED, S.CANCELLED):
        referral.closed_at = now
        fields.append("closed_at")
    if to in (S.SENT, S.FORWARDED):
        fields += _enqueue_delivery(referral)
    referral.save(update_fields=fields)
    event = ReferralEvent(
        referral=referral,
        at=now,
        staff=staff,
        staff_name=staff_name[:200],
        unit_id=unit_id,
        from_status=old_status,
        to_status=to,
        from_unit_id=old_owner,
        to_unit_id=referral.owner_unit_id,
        note=note,
    )
    if pending is None:
        event.save(force_insert=True)
    else:
        pending.append(event)
    return event


def _route(referral: Referral) -> ReferralRoute | None:
    """The receiving unit's route. Free when the unit was read with it (`_receiver()`,
    the send form's `queries.receiver_units()`), one query otherwise."""
    if Referral.receiver_unit.is_cached(referral):
        unit = referral.receiver_unit
        if CareUnit.referral_route.is_cached(unit):
            return getattr(unit, "referral_route", None)  # cached None: the unit has no route row
    return ReferralRoute.objects.filter(unit_id=referral.receiver_unit_id).first()


def _enqueue_delivery(referral: Referral) -> list[str]:
    """One outbox row per delivery (send, resend, forward), in this transaction."""
    referral.deliveries += 1
    key = f"referral-{referral.pk}-{referral.deliveries}"
    referral.delivery_key = key
    route = _route(referral)
    channel = CHANNEL_REMOTE if route and route.mode == ReferralRoute.Mode.REMOTE else CHANNEL_LOCAL
    outbox.enqueue(
        channel=channel,
        key=key,
        obj=referral,
        patient=referral.patient_id,
        payload={
            "referral_id": referral.pk,
            "delivery": referral.deliveries,
            "receiver_unit_id": referral.receiver_unit_id,
        },
    )
    return ["deliveries", "delivery_key"]


def _staff_name(actor: Actor) -> str:
    return actor.staff.get_full_name() or actor.staff.username


@transaction.atomic
def referral_transition(
    *,
    actor: Actor,
    referral_id: int,
    to: str,
    note: str = "",
    expected_version: int | None = None,
    to_unit_id: int | None = None,
    reply_text: str = "",
) -> Referral:
    """The one way a person moves a referral. An illegal step raises DomainError and changes nothing."""
    return _transition(
        actor=actor,
        referral_id=referral_id,
        to=to,
        note=note,
        expected_version=expected_version,
        to_unit_id=to_unit_id,
        reply_text=reply_text,
    )


def _transition(
    *,
    actor: Actor,
    referral_id: int,
    to: str,
    note: str = "",
    expected_version: int | None = None,
    to_unit_id: int | None = None,
    reply_text: str = "",
) -> Referral:
    """referral_transition's body, for the named services that add work in their
    own atomic block (a nested atomic would cost a savepoint per click)."""
    require_assignment(actor)
    if to not in S.values:
        raise DomainError(_("Okänd status: %(s)s.") % {"s": to}, field="to")
    referral, pa = referral_for(actor, referral_id, action=f"referral.{to}", lock=True, write=True)
    _check_version(referral, expected_version)
    _check_allowed(referral, to)
    if to == S.RECEIVED:
        raise DomainError(_("En remiss tas emot automatiskt när den levereras."), code="illegal_transition")
    if to in SENDER_STEPS and actor.unit_id != referral.sender_unit_id:
        raise PermissionDenied(_("Bara den remitterande enheten kan göra detta."))
    if to in OWNER_STEPS and actor.unit_id != referral.owner_unit_id:
        raise PermissionDenied(_("Remissen hanteras av %(unit)s.") % {"unit": referral.owner_unit})
    note = (note or "").strip()
    if to in NOTE_REQUIRED and not note:
        raise DomainError(str(NOTE_REQUIRED[to]), field="note", code="required")
    reply_text = (reply_text or "").strip()
    if to == S.ANSWERED and not reply_text:
        # Never "answered" without a signed reply, whichever channel asks.
        raise DomainError(_("Skriv remissvaret."), field="text", code="required")
    to_unit = None
    if to == S.FORWARDED or (to == S.SENT and to_unit_id):
        to_unit = _receiver(actor, to_unit_id, field="to_unit")
        if to == S.FORWARDED and to_unit.pk in (referral.owner_unit_id, referral.sender_unit_id):
            raise DomainError(_("Välj en annan enhet att vidarebefordra till."), field="to_unit")
    old = referral.status
    _apply(referral, staff=actor.staff, staff_name=_staff_name(actor), unit_id=actor.unit_id, to=to, note=note, to_unit=to_unit)
    audit.record(actor, f"referral.{to}", patient=pa, obj=referral, detail={"from": old, "owner_unit_id": referral.owner_unit_id})
    if to == S.ANSWERED:
        reply = ReferralReply.objects.create(
            referral=referral, unit_id=referral.receiver_unit_id, author=actor.staff, text=reply_text
        )
        audit.record(actor, "referral.reply.sign", patient=pa, obj=reply)
    return referral


def _receiver(actor: Actor, unit_id: int | str | CareUnit | None, *, field: str) -> CareUnit:
    """The receiving unit: active and not the actor's own. A CareUnit the caller has
    just read (the send form's choice) is checked as it is, without reading it again."""
    unit: CareUnit | None
    if isinstance(unit_id, CareUnit):
        unit = unit_id if unit_id.active else None
    else:
        try:
            # With its route: the delivery channel is chosen from it in the same transaction.
            unit = CareUnit.objects.select_related("referral_route").filter(pk=int(unit_id or 0), active=True).first()
        except (TypeError, ValueError):
            unit = None
    if unit is None:
        raise DomainError(_("Okänd mottagande enhet."), field=field)
    if unit.pk == actor.unit_id:
        raise DomainError(_("Remissen kan inte skickas till den egna enheten."), field=field)
    return unit


@transaction.atomic
def referral_send(
    *,
    actor: Actor,
    patient_id: int,
    receiver_unit_id: int | CareUnit | None,
    priority: str,
    question: str,
    idempotency_key: str = "",
    draft: bool = False,
) -> Referral:
    """Write and send a referral. The same idempotency key (from the form) sends once.
    `receiver_unit_id` may be the CareUnit a form has already read (and chosen among
    `queries.receiver_units()`); it is checked again here either way."""
    assignment = require_assignment(actor)
    question = (question or "").strip()
    missing = [
        (name, label)
        for name, label, value in (
            ("receiver_unit", _("mottagande enhet"), receiver_unit_id),
            ("question", _("frågeställning"), question),
            ("priority", _("prioritet"), priority),
        )
        if not value
    ]
    if missing:
        raise DomainError(
            _("Remissen saknar: %(what)s.") % {"what": ", ".join(str(label) for _n, label in missing)},
            field=missing[0][0],
            code="required",
        )
    if priority not in Priority.values:
        raise DomainError(_("Okänd prioritet."), field="priority")
    key = (idempotency_key or "").strip()[:100] or None
    if key:
        existing = _by_key(key)
        if existing is not None:
            return _same_send(actor, existing)
    pa = patient_access(actor, patient_id, action="referral.send", write=True)
    unit = _receiver(actor, receiver_unit_id, field="receiver_unit")
    try:
        with transaction.atomic():
            referral = Referral.objects.create(
                patient=pa.patient,
                sender_unit=assignment.unit,
                sender_staff=actor.staff,
                receiver_unit=unit,
                owner_unit_id=actor.unit_id,
                priority=priority,
                priority_rank=PRIORITY_RANK[Priority(priority)],
                question=question,
                idempotency_key=key,
            )
    except IntegrityError:
        # A second click raced the first one: it waited on the key and finds the first referral.
        existing = _by_key(key) if key else None
        if existing is None:
            raise
        return _same_send(actor, existing)
    staff_name = _staff_name(actor)
    events = [
        ReferralEvent(
            referral=referral,
            staff=actor.staff,
            staff_name=staff_name,
            unit_id=actor.unit_id,
            to_status=S.DRAFT,
            to_unit_id=actor.unit_id,
            note=_("Remissen skapades."),
        )
    ]
    if not draft:
        _apply(referral, staff=actor.staff, staff_name=staff_name, unit_id=actor.unit_id, to=S.SENT, pending=events)
    # Created, then sent: both events in one INSERT, in that order.
    ReferralEvent.objects.bulk_create(events)
    # One row for the write (patient_access above logged the access itself, with write=True).
    audit.record(
        actor, "referral.sent" if not draft else "referral.create", patient=pa, obj=referral, detail={"receiver_unit_id": unit.pk}
    )
    return referral


def _by_key(key: str) -> Referral | None:
    # No ORDER BY (first() would add one): a plain lookup on the unique index.
    return next(iter(Referral.objects.filter(idempotency_key=key)[:1]), None)


def _same_send(actor: Actor, existing: Referral) -> Referral:
    if existing.sender_staff_id != actor.staff.pk:
        raise DomainError(_("Formuläret har redan använts. Ladda om sidan."), code="duplicate")
    return existing


@transaction.atomic
def referral_accept(
    *, actor: Actor, referral_id: int, expected_version: int | None = None, note: str = "", waitlist: bool = False
) -> Referral:
    """Bedömning: accept; optionally put the patient on the unit's waiting list (tidbok)."""
    referral = _transition(actor=actor, referral_id=referral_id, to=S.ACCEPTED, note=note, expected_version=expected_version)
    if waitlist:
        try:
            from tidbok.services import waitlist_add
        except ImportError:
            raise DomainError(_("Väntelistan i tidboken är inte tillgänglig; acceptera utan väntelista."), field="waitlist")
        # Accepted: the owner is the receiving unit and a sent referral always has its due date.
        waitlist_add(
            actor=actor,
            patient_id=referral.patient_id,
            unit_id=referral.receiver_unit_id,
            priority=referral.priority,
            due_by=referral.due_date or timezone.localdate(),
            referral_id=referral.pk,
            note=note,
        )
    return referral


def referral_reject(*, actor: Actor, referral_id: int, reason: str, expected_version: int | None = None) -> Referral:
    """Avvisa: the reason is required; the referral returns to the sender's inbox."""
    return referral_transition(
        actor=actor, referral_id=referral_id, to=S.REJECTED, note=reason, expected_version=expected_version
    )


def referral_forward(
    *, actor: Actor, referral_id: int, to_unit_id: int, note: str = "", expected_version: int | None = None
) -> Referral:
    """Vidarebefordra to a better-suited unit, which then owns it (after delivery)."""
    return referral_transition(
        actor=actor, referral_id=referral_id, to=S.FORWARDED, note=note, to_unit_id=to_unit_id, expected_version=expected_version
    )


def referral_request_completion(*, actor: Actor, referral_id: int, note: str, expected_version: int | None = None) -> Referral:
    """Begär komplettering: back to the sender, who completes and resends."""
    return referral_transition(
        actor=actor, referral_id=referral_id, to=S.COMPLETION_REQUESTED, note=note, expected_version=expected_version
    )


@transaction.atomic
def referral_resend(
    *,
    actor: Actor,
    referral_id: int,
    note: str = "",
    question: str = "",
    to_unit_id: int | None = None,
    expected_version: int | None = None,
) -> Referral:
    """Skicka igen after komplettering or rejection, optionally with an amended question or another receiver."""
    referral = _transition(
        actor=actor, referral_id=referral_id, to=S.SENT, note=note, to_unit_id=to_unit_id, expected_version=expected_version
    )
    if question.strip() and question.strip() != referral.question:
        referral.question = referral.question + "\n\n" + _("Komplettering: ") + question.strip()
        referral.save(update_fields=["question", "updated_at"])
    return referral


@transaction.atomic
def referral_answer(*, actor: Actor, referral_id: int, text: str, expected_version: int | None = None) -> ReferralReply:
    """Remissvar: signed by the author and sent back to the sender for acknowledgement."""
    referral = _transition(
        actor=actor,
        referral_id=referral_id,
        to=S.ANSWERED,
        expected_version=expected_version,
        note=_("Remissvar signerat."),
        reply_text=text,
    )
    return referral.reply


@transaction.atomic
def referral_acknowledge(*, actor: Actor, referral_id: int, expected_version: int | None = None, close: bool = False) -> Referral:
    """Vidimering: the sender has read the reply; optionally close at once."""
    referral = _transition(actor=actor, referral_id=referral_id, to=S.ACKNOWLEDGED, expected_version=expected_version)
    if close:
        referral = _transition(actor=actor, referral_id=referral_id, to=S.CLOSED, expected_version=referral.version)
    return referral


def referral_close(*, actor: Actor, referral_id: int, note: str = "", expected_version: int | None = None) -> Referral:
    return referral_transition(actor=actor, referral_id=referral_id, to=S.CLOSED, note=note, expected_version=expected_version)


def referral_cancel(*, actor: Actor, referral_id: int, reason: str, expected_version: int | None = None) -> Referral:
    """Makulera: the sender, with a reason, before the referral is answered."""
    return referral_transition(
        actor=actor, referral_id=referral_id, to=S.CANCELLED, note=reason, expected_version=expected_version
    )


# --- Delivery (called by the outbox handlers) ----------------------------------


def _receipt_dict(receipt: ReferralReceipt) -> dict[str, Any]:
    return {
        "receipt_id": receipt.pk,
        "referral_id": receipt.referral_id,
        "unit_id": receipt.unit_id,
        "received_at": receipt.received_at.isoformat(),
    }


@transaction.atomic
def referral_receive(*, outbox_key: str, referral_id: int, remote_detail: dict[str, Any] | None = None) -> dict[str, Any]:
    """Mottagning: the delivery arrived at the receiving unit. Runs in the same
    transaction that marks the outbox row delivered (local), or right after the
    adapter's answer (remote); the receipt's unique key makes it happen once.
    The receiving unit gets its care relationship (ground: referral)."""
    referral = Referral.objects.select_for_update(of=("self",)).select_related("receiver_unit").filter(pk=referral_id).first()
    if referral is None:
        raise outbox.PermanentFailure(f"referral {referral_id} does not exist")
    existing = ReferralReceipt.objects.filter(idempotency_key=outbox_key).first()
    if existing is not None:
        return _receipt_dict(existing)
    if referral.delivery_key != outbox_key or referral.status not in (S.SENT, S.FORWARDED):
        # Cancelled (or sent again) while this delivery was queued: nothing to receive.
        return {"ignored": True, "status": referral.status}
    sys = system_actor("remisser")
    now = timezone.now()
    receipt = ReferralReceipt.objects.create(
        referral=referral,
        unit_id=referral.receiver_unit_id,
        idempotency_key=outbox_key,
        received_at=now,
        remote=remote_detail is not None,
        detail=remote_detail or {},
    )
    if remote_detail is None:
        care_relationship_ensure(
            actor=sys,
            patient=referral.patient_id,
            unit=referral.receiver_unit_id,
            ground=CareRelationship.Ground.REFERRAL,
            reason=f"Remiss {referral.pk}",
        )
    _apply(
        referral,
        staff=None,
        staff_name=str(_("Mottagningskvitto")),
        unit_id=referral.receiver_unit_id,
        to=S.RECEIVED,
        note=_("Mottagen av %(unit)s.") % {"unit": referral.receiver_unit},
    )
    audit.record(
        sys,
        "referral.received",
        patient=referral.patient_id,
        obj=referral,
        ground=Ground.SYSTEM,
        detail={"unit_id": referral.receiver_unit_id, "key": outbox_key},
    )
    return _receipt_dict(receipt)


# --- Escalation (beat job) ------------------------------------------------------


def _coordinators(unit_id: int) -> list[int]:
    """The unit's referral coordinators; failing those, its managers (django-guardian)."""
    ids = list(
        Assignment.objects.active()
        .filter(unit_id=unit_id, role=Assignment.Role.COORDINATOR)
        .values_list("staff_id", flat=True)
        .distinct()
    )
    if ids:
        return ids
    from guardian.shortcuts import get_users_with_perms

    unit = CareUnit.objects.get(pk=unit_id)
    users: Any = get_users_with_perms(unit, only_with_perms_in=["manage_unit"], with_superusers=False, with_group_users=True)
    return list(users.values_list("pk", flat=True))


@transaction.atomic
def referral_escalate_overdue(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Tell the owning unit's coordinator and the sender about every overdue referral
    (once per REMISS_ESCALATION_REPEAT_HOURS). Returns how many were escalated."""
    now = now or timezone.now()
    again = now - dt.timedelta(hours=conf.escalation_repeat_hours())
    refs = list(
        Referral.objects.select_for_update(of=("self",), skip_locked=True)
        .select_related("owner_unit")
        .filter(status__in=list(RECEIVER_OPEN), due_date__lt=timezone.localdate(now))
        .filter(Q(escalated_at__isnull=True) | Q(escalated_at__lt=again))
        .order_by("due_date")[:limit]
    )
    if not refs:
        return 0
    sys = system_actor("remisser")
    cache: dict[int, list[int]] = {}
    notes: list[ReferralNotification] = []
    events: list[ReferralEvent] = []
    for r in refs:
        owner = r.owner_unit_id or r.receiver_unit_id
        if owner not in cache:
            cache[owner] = _coordinators(owner)
        text = (
            _("Remiss %(id)s är försenad: skulle vara hanterad senast %(due)s (%(status)s hos %(unit)s).")
            % {"id": r.pk, "due": r.due_date, "status": status_label(r.status), "unit": r.owner_unit}
        )[:300]
        recipients: list[int | None] = list(cache[owner]) or [None]
        notes += [ReferralNotification(referral=r, unit_id=owner, recipient_id=s, text=text, created_at=now) for s in recipients]
        notes.append(
            ReferralNotification(referral=r, unit_id=r.sender_unit_id, recipient_id=r.sender_staff_id, text=text, created_at=now)
        )
        events.append(
            ReferralEvent(
                referral=r,
                kind=ReferralEvent.Kind.ESCALATION,
                at=now,
                staff_name=str(_("Systemet")),
                unit_id=owner,
                from_status=r.status,
                to_status=r.status,
                note=text,
            )
        )
        r.escalated_at = now
    ReferralNotification.objects.bulk_create(notes)
    ReferralEvent.objects.bulk_create(events)
    Referral.objects.bulk_update(refs, ["escalated_at"])
    record_list(sys, "referral.escalate", [r.patient_id for r in refs], detail={"referrals": [r.pk for r in refs]})
    return len(refs)


@transaction.atomic
def referral_notification_read(*, actor: Actor, notification_id: int) -> None:
    require_assignment(actor)
    ReferralNotification.objects.filter(
        Q(recipient__isnull=True) | Q(recipient=actor.staff), pk=notification_id, unit_id=actor.unit_id
    ).update(read_at=timezone.now())
