"""The journal's reads written in SQL, each beside the ORM query it replaces (see
STYLE: measured first, and one test runs both on the same rows).

`latest_news2_rows`: the ward worklist's NEWS2 column. The ORM form
(`queries._latest_news2`: a window over every set of the listed patients) read 24
patients × 700 sets (a week of 15-minute observations) in 43 ms p50; this form reads
at most two index entries per patient (a LATERAL LIMIT 2 over the patient's
(patient, -observed_at) index), whatever the length of the stays.
"""

from __future__ import annotations

from typing import Any

from journal.models import VitalSigns
from vardmiljo import db

_LATEST_NEWS2 = f"""
SELECT p.id AS patient_id, l.news2_score, l.observed_at, l.next_due_at, l.news2_escalate, l.news2_risk
FROM unnest(%s::bigint[]) AS p(id)
CROSS JOIN LATERAL (
    SELECT v.news2_score, v.observed_at, v.next_due_at, v.news2_escalate, v.news2_risk
    FROM {VitalSigns._meta.db_table} v
    WHERE v.patient_id = p.id AND NOT v.entered_in_error
    ORDER BY v.observed_at DESC, v.id DESC
    LIMIT 2
) l
"""


def latest_news2_rows(patient_ids: list[int]) -> list[dict[str, Any]]:
    """The newest and the one before, per patient (newest first within a patient)."""
    return db.rows(_LATEST_NEWS2, [patient_ids])
