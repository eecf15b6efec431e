"""Every read of referrals. Single referrals come from `referral_for()` (access
check + access-log row); lists start from `patients_visible_to()` and write
one access-log row per list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import Left
from django.utils import timezone

from remisser.models import CLOSED_STATUSES, RECEIVER_OPEN, Referral, ReferralEvent, ReferralNotification
from vardmiljo import audit, db
from vardmiljo.access import Ground, PatientAccess, patient_access, patients_visible_to, require_assignment
from vardmiljo.actor import Actor
from vardmiljo.errors import NotFound, PermissionDenied
from vardmiljo.models import CareUnit, Outbox
from vardmiljo.queries import RowFilter, page_rows

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
        audit.record_refusal(actor, f"{action}.denied", patient=referral.patient_id, obj=referral, ground=Ground.DENIED)
        raise NotFound()
    pa = patient_access(actor, referral.patient_id, action=action, obj=referral, write=write)
    # Another unit caring for the patient reads the referral as part of the record
    # (inre sekretess, consent and blocks decided by the access module); only the
    # units taking part in it can act on it.
    if not involved and not pa.may_read_unit(referral.sender_unit):
        audit.record_refusal(actor, f"{action}.denied", patient=referral.patient_id, obj=referral, ground=Ground.DENIED)
        raise NotFound()
    return referral, pa


def _delivery_status() -> Subquery:
    return Subquery(Outbox.objects.filter(idempotency_key=OuterRef("delivery_key")).values("status")[:1])


def _visible(actor: Actor, qs: QuerySet[Referral]) -> QuerySet[Referral]:
    return qs.filter(Exists(patients_visible_to(actor).filter(pk=OuterRef("patient_id"))))


@dataclass
class ReferralList:
    rows: Sequence[Any]  # Referral (inbox, outbox) or a dict of INBOX_PAGE_COLUMNS (inbox_page)
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
    _log_list_ids(actor, action, [r.pk for r in rows], {r.patient_id for r in rows})


def _log_list_ids(actor: Actor, action: str, referral_ids: list[int], patient_ids: set[int]) -> None:
    if referral_ids:
        audit.record(
            actor,
            action,
            ground=Ground.CARE_RELATIONSHIP,
            detail={"referrals": referral_ids, "patients": sorted(patient_ids)},
        )


def _inbox_base(actor: Actor) -> QuerySet[Referral]:
    # The same condition as the inbox's partial index (and the worklist counter).
    return Referral.objects.filter(owner_unit_id=actor.unit_id).exclude(status__in=NOT_LISTED)


INBOX_ORDER = ("priority_rank", "due_date", "id")


def _inbox_count_sql(actor: Actor) -> tuple[str, tuple[Any, ...]]:
    """COUNT(*) of the unit's inbox. Counted in inbox order on purpose: PostgreSQL then reads
    the inbox's partial index (an index-only scan, ~2 ms for 10,000 referrals on the build
    machine) instead of scanning the table and comparing every row's status (5-8 ms), which
    it picks for a plain COUNT(*) since nearly every row is in the one big unit's inbox."""
    sql, params = _inbox_base(actor).order_by(*INBOX_ORDER).values("id").query.sql_with_params()
    return f"SELECT COUNT(*) FROM ({sql}) AS inbox", tuple(params)


# The columns the inbox page shows, nothing more.
INBOX_PAGE_COLUMNS = (
    "id",
    "patient_id",
    "priority",
    "status",
    "due_date",
    "patient__given_name",
    "patient__family_name",
    "patient__identifier",
    "patient__id_kind",
    "sender_unit__name",
)


def inbox(actor: Actor, *, offset: int = 0, limit: int = PAGE) -> ReferralList:
    """Inkorg (REST): referrals in the actor's unit's hands, most urgent first, then by due date,
    with the units and the patient the serializer shows."""
    require_assignment(actor)
    base = _inbox_base(actor)
    qs = _visible(actor, base).select_related("patient", "sender_unit", "receiver_unit", "owner_unit").order_by(*INBOX_ORDER)
    rows = list(qs[offset : offset + limit])
    _log_list(actor, "referral.inbox", rows)
    return ReferralList(rows=rows, total=base.count(), offset=offset, limit=limit, notifications=notifications_for(actor))


def inbox_page(actor: Actor, *, offset: int = 0, limit: int = PAGE) -> ReferralList:
    """Inkorg (page): as `inbox()`, but the rows are plain dicts of INBOX_PAGE_COLUMNS (plus
    `question_short`), and the unit's total and whether it has unread reminders come with
    them. This page is opened all day, with thousands of referrals behind it."""
    require_assignment(actor)
    base = _inbox_base(actor)
    # Both uncorrelated: PostgreSQL answers them once per query (InitPlans), not once per row.
    count_sql, count_params = _inbox_count_sql(actor)
    rows = list(
        _visible(actor, base)
        .order_by(*INBOX_ORDER)
        .values(
            *INBOX_PAGE_COLUMNS,
            question_short=Left("question", 80),
            total=RawSQL(count_sql, count_params, output_field=IntegerField()),
            has_notes=Exists(_unread_notifications(actor)),
        )[offset : offset + limit]
    )
    if rows:
        total = rows[0]["total"]
        notes = notifications_for(actor) if rows[0]["has_notes"] else []
    else:
        # No row on this page (past the end, or none visible): count and look on their own.
        total, notes = inbox_count(actor), notifications_for(actor)
    _log_list_ids(actor, "referral.inbox", [r["id"] for r in rows], {r["patient_id"] for r in rows})
    return ReferralList(rows=rows, total=total, offset=offset, limit=limit, notifications=notes)


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
    sql, params = _inbox_count_sql(actor)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return int(cur.fetchone()[0])


def _unread_notifications(actor: Actor) -> QuerySet[ReferralNotification]:
    return ReferralNotification.objects.filter(
        Q(recipient__isnull=True) | Q(recipient_id=actor.staff.pk), unit_id=actor.unit_id, read_at__isnull=True
    )


def notifications_for(actor: Actor, limit: int = 10) -> list[ReferralNotification]:
    """Unread reminders of the actor (or the whole unit): only what the inbox shows of them."""
    return list(_unread_notifications(actor).only("id", "referral_id", "text", "created_at").order_by("-created_at")[:limit])


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
    if not limit:
        rows = list(qs)
        return rows, len(rows)
    # Bounded: the count comes with the rows (COUNT(*) OVER () is taken before the LIMIT).
    rows = list(qs.annotate(total=Window(Count("*")))[:limit])
    return rows, (rows[0].total if rows else 0)  # type: ignore[attr-defined]  # annotated above


# What the patient panel shows of each open referral.
PANEL_COLUMNS = (
    "id",
    "status",
    "priority",
    "due_date",
    "receiver_unit_id",
    "owner_unit_id",
    "receiver_unit__name",
    "owner_unit__name",
)


def patient_open_referrals(pa: PatientAccess, *, limit: int) -> tuple[list[dict[str, Any]], int]:
    """The patient panel: the latest `limit` open referrals readable under `pa` (the sending
    unit owns the document) as dicts of PANEL_COLUMNS, and how many there are, in one query
    (COUNT(*) OVER () is taken before the LIMIT): the same cost for 1 referral as for 1,000.
    Read in SQL: every patient overview runs it."""
    cond, params = pa.sql(Referral, "r", unit_field="sender_unit")
    unit = CareUnit._meta.db_table
    found = db.rows(
        f"""SELECT r.id, r.status, r.priority, r.due_date, r.receiver_unit_id, r.owner_unit_id,
                   ru.name AS receiver_unit__name, ou.name AS owner_unit__name, count(*) OVER () AS total
            FROM {Referral._meta.db_table} r
            JOIN {unit} ru ON ru.id = r.receiver_unit_id
            LEFT JOIN {unit} ou ON ou.id = r.owner_unit_id
            WHERE {cond} AND NOT (r.status = ANY(%s))
            ORDER BY r.sent_at DESC, r.id DESC LIMIT %s""",
        [*params, [S.DRAFT, *CLOSED_STATUSES], limit],
    )
    return found, (found[0]["total"] if found else 0)


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


# --- Reads for other channels (the FHIR API) --------------------------------


def referrals_page(pa: PatientAccess, f: RowFilter) -> tuple[list[Referral], int]:
    """A page of the patient's referrals readable under `pa` (drafts are not sent yet), by status."""
    qs = pa.filter(Referral.objects.exclude(status=S.DRAFT), unit_field="sender_unit").select_related(
        "sender_unit", "receiver_unit", "owner_unit", "sender_staff"
    )
    return page_rows(qs, f, date_field="created_at", status_field="status")
