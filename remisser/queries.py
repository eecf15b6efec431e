"""Every read of referrals. Single referrals come from `referral_for()` (access
check + access-log row); lists start from `patients_visible_to()` and write
one access-log row per list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Left
from django.utils import timezone

from remisser.models import CLOSED_STATUSES, RECEIVER_OPEN, Referral, ReferralEvent, ReferralNotification
from vardmiljo import audit
from vardmiljo.access import Ground, PatientAccess, patient_access, patients_visible_to, require_assignment
from vardmiljo.actor import Actor
from vardmiljo.errors import NotFound, PermissionDenied
from vardmiljo.models import CareUnit, Outbox

S = Referral.Status
NOT_LISTED = [S.DRAFT, S.CLOSED, S.CANCELLED]
PAGE = 25


def involves_unit(referral: Referral, unit_id: int | None) -> bool:
    """The units that may see a referral: sender, current owner, addressee, and
    every unit it passed through (a forwarding unit keeps seeing where it went)."""
    if unit_id is None:
        return False
    if unit_id in (referral.sender_unit_id, referral.owner_unit_id, referral.receiver_unit_id):
        return True
    return ReferralEvent.objects.filter(Q(to_unit_id=unit_id) | Q(from_unit_id=unit_id), referral_id=referral.pk).exists()


def referral_for(
    actor: Actor, referral_id: int, *, action: str = "referral.read", lock: bool = False, write: bool = False
) -> tuple[Referral, PatientAccess]:
    """One referral, if the actor's unit takes part in it and may read the patient.
    Absent and not allowed answer the same (NotFound); the refusal is logged."""
    if lock:
        # Lock first: two nurses may triage the same referral at the same moment. A step
        # needs only the referral's own columns (the patient comes from the access check).
        qs = Referral.objects.select_for_update()
    else:
        qs = Referral.objects.select_related("patient", "sender_unit", "receiver_unit", "owner_unit", "sender_staff")
    try:
        referral = qs.filter(pk=int(referral_id)).first()
    except (TypeError, ValueError):
        referral = None
    if referral is None:
        raise NotFound()
    involved = involves_unit(referral, actor.unit_id)
    if not involved and write:
        audit.record(actor, f"{action}.denied", patient=referral.patient_id, obj=referral, ground=Ground.DENIED)
        raise NotFound()
    pa = patient_access(actor, referral.patient_id, action=action, obj=referral, write=write)
    # Another unit caring for the patient reads the referral as part of the record
    # (inre sekretess, consent and blocks decided by the access module); only the
    # units taking part in it can act on it.
    if not involved and not pa.may_read_unit(referral.sender_unit):
        audit.record(actor, f"{action}.denied", patient=referral.patient_id, obj=referral, ground=Ground.DENIED)
        raise NotFound()
    return referral, pa


def _delivery_status() -> Subquery:
    return Subquery(Outbox.objects.filter(idempotency_key=OuterRef("delivery_key")).values("status")[:1])


def _visible(actor: Actor, qs: QuerySet[Referral]) -> QuerySet[Referral]:
    return qs.filter(Exists(patients_visible_to(actor).filter(pk=OuterRef("patient_id"))))


@dataclass
class ReferralList:
    rows: Sequence[Referral]
    total: int
    offset: int = 0
    limit: int = PAGE
    notifications: list[ReferralNotification] = field(default_factory=list)

    @property
    def next_offset(self) -> int | None:
        return self.offset + self.limit if self.offset + self.limit < self.total else None

    @property
    def prev_offset(self) -> int | None:
        return max(self.offset - self.limit, 0) if self.offset else None


def _log_list(actor: Actor, action: str, rows: Sequence[Referral]) -> None:
    if rows:
        audit.record(
            actor,
            action,
            ground=Ground.CARE_RELATIONSHIP,
            detail={"referrals": [r.pk for r in rows], "patients": sorted({r.patient_id for r in rows})},
        )


def inbox(actor: Actor, *, offset: int = 0, limit: int = PAGE) -> ReferralList:
    """Inkorg: referrals in the actor's unit's hands, most urgent first, then by due date."""
    require_assignment(actor)
    base = Referral.objects.filter(owner_unit_id=actor.unit_id).exclude(status__in=NOT_LISTED)
    # Only what the list shows: this page is opened all day, with thousands of referrals behind it.
    qs = (
        _visible(actor, base)
        .select_related("patient", "sender_unit")
        .only(
            "id",
            "patient_id",
            "sender_unit_id",
            "priority",
            "status",
            "due_date",
            "patient__given_name",
            "patient__family_name",
            "patient__identifier",
            "patient__id_kind",
            "sender_unit__name",
        )
        .annotate(question_short=Left("question", 80))
        .order_by("priority_rank", "due_date", "id")
    )
    rows = list(qs[offset : offset + limit])
    _log_list(actor, "referral.inbox", rows)
    return ReferralList(rows=rows, total=base.count(), offset=offset, limit=limit, notifications=notifications_for(actor))


def outbox(actor: Actor, *, offset: int = 0, limit: int = PAGE) -> ReferralList:
    """Utkorg: referrals the unit sent that are still open, with their current owner and age."""
    require_assignment(actor)
    base = Referral.objects.filter(sender_unit_id=actor.unit_id).exclude(status__in=NOT_LISTED)
    qs = (
        _visible(actor, base)
        .select_related("patient", "receiver_unit", "owner_unit")
        .annotate(delivery_status=_delivery_status())
        .order_by("sent_at", "id")
    )
    rows = list(qs[offset : offset + limit])
    _log_list(actor, "referral.outbox", rows)
    return ReferralList(rows=rows, total=base.count(), offset=offset, limit=limit)


def inbox_count(actor: Actor) -> int:
    """The worklist counter: referrals waiting for the unit (no patient data)."""
    if actor.unit_id is None:
        return 0
    # The same condition as the inbox's partial index: an index-only count.
    return Referral.objects.filter(owner_unit_id=actor.unit_id).exclude(status__in=NOT_LISTED).count()


def notifications_for(actor: Actor, limit: int = 10) -> list[ReferralNotification]:
    return list(
        ReferralNotification.objects.filter(
            Q(recipient__isnull=True) | Q(recipient=actor.staff), unit_id=actor.unit_id, read_at__isnull=True
        )
        .select_related("referral")
        .order_by("-created_at")[:limit]
    )


def trail(referral: Referral) -> list[ReferralEvent]:
    """The whole trail of a referral already read through referral_for()."""
    return list(referral.events.select_related("unit", "from_unit", "to_unit").order_by("at", "id"))


def delivery_of(referral: Referral) -> Outbox | None:
    if not referral.delivery_key:
        return None
    return Outbox.objects.filter(idempotency_key=referral.delivery_key).first()


def referral_detail(actor: Actor, referral_id: int) -> dict[str, Any]:
    referral, pa = referral_for(actor, referral_id)
    return {
        "referral": referral,
        "pa": pa,
        "patient": pa.patient,
        "events": trail(referral),
        "reply": getattr(referral, "reply", None) if referral.status in (S.ANSWERED, S.ACKNOWLEDGED, S.CLOSED) else None,
        "delivery": delivery_of(referral),
    }


def patient_referrals(pa: PatientAccess, *, open_only: bool = True, limit: int | None = 5) -> tuple[list[Referral], int]:
    """A patient's referrals readable under `pa` (the sending unit owns the document)."""
    qs = pa.filter(Referral.objects.exclude(status=S.DRAFT), unit_field="sender_unit")
    if open_only:
        qs = qs.exclude(status__in=list(CLOSED_STATUSES))
    qs = qs.select_related("sender_unit", "receiver_unit", "owner_unit").order_by("-sent_at", "-id")
    rows = list(qs[:limit] if limit else qs)
    # Always count (when bounded) so the page costs the same for 1 referral as for 1,000.
    return rows, (qs.count() if limit else len(rows))


def receiver_units(actor: Actor) -> QuerySet[CareUnit]:
    """Units a referral can be sent to."""
    # With the route: the send form's choice goes straight to the service, which picks the channel from it.
    return (
        CareUnit.objects.filter(active=True)
        .exclude(pk=actor.unit_id or 0)
        .select_related("provider", "referral_route")
        .order_by("name")
    )


def forward_units(referral: Referral) -> QuerySet[CareUnit]:
    return CareUnit.objects.filter(active=True).exclude(pk__in=[referral.owner_unit_id, referral.sender_unit_id]).order_by("name")


def overdue_open() -> QuerySet[Referral]:
    return Referral.objects.filter(status__in=list(RECEIVER_OPEN), due_date__lt=timezone.localdate())


def audit_rows() -> QuerySet[Referral]:
    """For referral_audit (regional IT): every referral not closed."""
    return (
        Referral.objects.exclude(status__in=list(CLOSED_STATUSES))
        .select_related("owner_unit", "receiver_unit")
        .annotate(
            delivery_status=_delivery_status(),
            delivery_created=Subquery(Outbox.objects.filter(idempotency_key=OuterRef("delivery_key")).values("created_at")[:1]),
            delivery_error=Subquery(Outbox.objects.filter(idempotency_key=OuterRef("delivery_key")).values("last_error")[:1]),
        )
        .order_by("id")
    )


def require_unit(actor: Actor) -> None:
    if actor.unit_id is None:
        raise PermissionDenied()


def referral_patient_access(actor: Actor, patient_id: int, *, action: str = "referral.new") -> PatientAccess:
    """Pages about one patient's referrals (the send form, the full list) read the patient first."""
    return patient_access(actor, patient_id, action=action)
