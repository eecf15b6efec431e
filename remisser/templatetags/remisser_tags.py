"""The inbox rows, rendered in Python: the page is opened all day and the
template engine's per-variable cost dominated its time. Everything is escaped."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from remisser.models import RECEIVER_OPEN, Referral

register = template.Library()


@register.simple_tag
def inbox_rows(rows: Sequence[Referral]) -> SafeString:
    today = timezone.localdate()
    late = escape(_("Försenad"))
    out = []
    for r in rows:
        overdue = r.status in RECEIVER_OPEN and r.due_date is not None and r.due_date < today
        p = r.patient
        due = r.due_date.isoformat() if r.due_date else ""
        row_attr = ' class="overdue"' if overdue else ""
        late_mark = f' <strong class="error">{late}</strong>' if overdue else ""
        name = f"{escape(p.given_name)} {escape(p.family_name)}, {escape(p.display_identifier)}"
        question = escape(r.question_short)  # type: ignore[attr-defined]  # annotated by queries.inbox
        out.append(
            f"<tr{row_attr}><td>{escape(r.priority_label)}</td><td>{due}{late_mark}</td>"
            f'<td><a href="{r.pk}/">{name}</a></td><td>{escape(r.sender_unit.name)}</td>'
            f"<td>{escape(r.status_label)}</td><td>{question}</td></tr>"
        )
    return mark_safe("\n".join(out))  # noqa: S308 - every value above is escaped
