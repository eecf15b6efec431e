"""Follow-up of the access log: the patient's log extract, the review sample,
and verification of the hash chain. Used by the pages and the commands alike."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q, QuerySet

from vardmiljo import audit
from vardmiljo.access import Ground, record_list, require_follow_up
from vardmiljo.actor import Actor
from vardmiljo.errors import DomainError, NotFound
from vardmiljo.models import AccessLog, LogReview, Patient


def log_extract(actor: Actor, identifier: str) -> tuple[Patient, QuerySet[AccessLog]]:
    """Loggutdrag: who accessed this patient's record, when, where, on which ground."""
    require_follow_up(actor)
    from django.core.exceptions import ValidationError

    from vardmiljo.identifiers import parse_patient_id

    try:
        pid = parse_patient_id(identifier)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], field="identifier") from None
    patient = Patient.objects.filter(identifier=pid.value).first()
    if patient is None:
        raise NotFound()
    audit.record(actor, "log.extract", patient=patient, ground=Ground.ADMINISTRATION)
    return patient, extract_rows(patient.pk)


def extract_rows(patient_id: int) -> QuerySet[AccessLog]:
    """Every row about the patient: reads of the record (patient_id) and every list that
    showed the patient (patient_ids, GIN-indexed)."""
    return AccessLog.objects.filter(Q(patient_id=patient_id) | Q(patient_ids__contains=[patient_id])).order_by(
        "-logged_at", "-id"
    )


def review_sample(actor: Actor, *, sample: int = 50, since: dt.datetime | None = None) -> list[AccessLog]:
    """A systematic random sample plus every emergency access and every access
    to a protected identity since `since` (default: the last 30 days)."""
    require_follow_up(actor)
    since = since or (dt.datetime.now(dt.UTC) - dt.timedelta(days=30))
    base = AccessLog.objects.filter(logged_at__gte=since).exclude(action__startswith="log.")
    flagged = list(base.filter(flagged=True).order_by("-logged_at")[:1000])
    seen = {r.pk for r in flagged}
    # TABLESAMPLE would skip recent partitions unevenly; an ordered random pick
    # over the window's clinical reads is simple and fair at this scale.
    randoms = list(base.filter(Q(patient_id__isnull=False) | Q(patient_ids__isnull=False), flagged=False).order_by("?")[:sample])
    rows = flagged + [r for r in randoms if r.pk not in seen]
    # The sample shows whose record was read: a list read of those patients.
    listed = [pid for r in rows for pid in ([r.patient_id] if r.patient_id else (r.patient_ids or []))]
    if record_list(actor, "log.review.sample", listed, detail={"rows": len(rows)}) is None:
        audit.record(actor, "log.review.sample", ground=Ground.ADMINISTRATION, detail={"rows": len(rows)})
    return rows


@transaction.atomic
def review_mark(actor: Actor, *, access_log_id: int, verdict: str, comment: str = "") -> LogReview:
    require_follow_up(actor)
    if verdict not in LogReview.Verdict.values:
        raise DomainError("Välj en bedömning.", field="verdict")
    if verdict != LogReview.Verdict.OK and not comment.strip():
        raise DomainError("Skriv en kommentar när åtkomsten inte bedöms som befogad.", field="comment")
    row = AccessLog.objects.filter(pk=access_log_id).first()
    if row is None:
        raise NotFound()
    review = LogReview.objects.create(access_log_id=row.pk, reviewer=actor.staff, verdict=verdict, comment=comment.strip())
    audit.record(
        actor,
        "log.review.mark",
        patient=row.patient_id,
        patient_ids=row.patient_ids,
        obj=review,
        ground=Ground.ADMINISTRATION,
        detail={"access_log_id": row.pk, "verdict": verdict},
    )
    return review


def reviewed_ids(access_log_ids: list[int]) -> set[int]:
    return set(LogReview.objects.filter(access_log_id__in=access_log_ids).values_list("access_log_id", flat=True))


@dataclass
class ChainBreak:
    row_id: int
    logged_at: dt.datetime
    chain: int
    seq: int
    problem: str


_VERIFY_SQL = """
SELECT id, logged_at, chain, seq, problem FROM (
    SELECT id, logged_at, chain, seq,
        CASE
            WHEN row_hash <> vardmiljo_audit_row_hash(to_jsonb(t))
                THEN 'innehållet stämmer inte med radens hash'
            WHEN prev_hash <> coalesce(lag(row_hash) OVER w, '')
                THEN 'kedjan bruten: föregående hash stämmer inte'
            WHEN seq <> coalesce(lag(seq) OVER w, 0) + 1
                THEN 'kedjan bruten: rader saknas före denna'
        END AS problem
    FROM vardmiljo_accesslog t
    WINDOW w AS (PARTITION BY chain ORDER BY seq)
) v WHERE problem IS NOT NULL ORDER BY logged_at, id LIMIT 1
"""


def verify_chain() -> tuple[int, ChainBreak | None]:
    """Walk every chain; return (rows checked, first break or None)."""
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL timezone = 'UTC'")
        cur.execute("SELECT count(*) FROM vardmiljo_accesslog")
        total = int(cur.fetchone()[0])
        cur.execute(_VERIFY_SQL)
        bad = cur.fetchone()
        if bad is None:
            # Rows cut from the end of a chain: the head remembers how far it went.
            cur.execute(
                "SELECT h.chain, h.seq, coalesce(max(t.seq), 0) FROM vardmiljo_auditchainhead h "
                "LEFT JOIN vardmiljo_accesslog t ON t.chain = h.chain GROUP BY h.chain, h.seq HAVING h.seq <> coalesce(max(t.seq), 0)"
            )
            tail = cur.fetchone()
            if tail:
                return total, ChainBreak(
                    0,
                    dt.datetime.now(dt.UTC),
                    tail[0],
                    tail[2],
                    f"kedjan bruten: rader efter nr {tail[2]} saknas (huvudet anger {tail[1]})",
                )
            return total, None
    return total, ChainBreak(*bad)


def iter_extract_lines(rows: QuerySet[AccessLog]) -> Iterator[str]:
    for r in rows.iterator(chunk_size=2000):
        listed = " (i en lista)" if r.patient_id is None and r.patient_ids else ""
        yield (
            f"{r.logged_at:%Y-%m-%d %H:%M}\t{r.provider_name}\t{r.unit_name}\t{r.staff_name}"
            # Read through another system (FHIR): the extract names the system too.
            f"{(' via ' + str(r.detail['client'])) if r.detail.get('client') else ''}\t"
            f"{r.action}{listed}\t{r.get_ground_display()}{(' – ' + r.reason) if r.reason else ''}"
        )


def _require_log_review_assignment(actor: Actor) -> None:
    """Stricter than require_follow_up: another system reading the log must hold an
    assignment for follow-up itself (a system account gets no operator's pass here)."""
    require_follow_up(actor)
    a = actor.assignment
    if a is None or (a.purpose != a.Purpose.FOLLOW_UP and a.role != a.Role.LOG_REVIEWER):
        from vardmiljo.errors import PermissionDenied

        raise PermissionDenied("Loggkontroll kräver ett uppdrag för uppföljning.")


def access_log_rows(
    actor: Actor,
    *,
    action: str,
    patient_id: int | None = None,
    ids: tuple[int, ...] = (),
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[AccessLog], int]:
    """Access-log rows for a log reviewer in another system, newest first; the reading is
    itself logged (per patient when one is named)."""
    _require_log_review_assignment(actor)
    qs = AccessLog.objects.all()
    if patient_id is not None:
        qs = qs.filter(patient_id=patient_id)
    if ids:
        qs = qs.filter(pk__in=ids)
    if since is not None:
        qs = qs.filter(logged_at__gte=since)
    if until is not None:
        qs = qs.filter(logged_at__lt=until)
    total = qs.count()
    rows = list(qs.order_by("-logged_at", "-id")[offset : offset + limit]) if limit else []
    audit.record(actor, action, patient=patient_id, ground=Ground.ADMINISTRATION, detail={"rows": [r.pk for r in rows]})
    return rows, total
