"""The inbox rows, rendered in Python: the page is opened all day and the
template engine's per-variable cost dominated its time. Everything is escaped."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from remisser.models import RECEIVER_OPEN, Priority, Referral
from vardmiljo.models import Patient

register = template.Library()


def display_identifier(identifier: str, id_kind: str) -> str:
    """Patient.display_identifier, from the two columns (no Patient object per row)."""
    if id_kind == Patient.IdKind.RESERVNUMMER:
        return identifier
    return f"{identifier[:8]}-{identifier[8:]}"


@register.simple_tag
def inbox_rows(rows: Sequence[dict[str, Any]]) -> SafeString:
    """Rows of `queries.inbox_page()`; links are relative to the inbox (/remisser/<id>/)."""
    today = timezone.localdate()
    late = escape(_("Försenad"))
    # Labels in the request's language, escaped once per page rather than once per row.
    priorities = {value: escape(str(label)) for value, label in Priority.choices}
    statuses = {value: escape(str(label)) for value, label in Referral.Status.choices}
    out = []
    for r in rows:
        due_date, status = r["due_date"], r["status"]
        overdue = status in RECEIVER_OPEN and due_date is not None and due_date < today
        due = due_date.isoformat() if due_date else ""
        row_attr = ' class="overdue"' if overdue else ""
        late_mark = f' <strong class="error">{late}</strong>' if overdue else ""
        ident = display_identifier(r["patient__identifier"], r["patient__id_kind"])
        name = f"{escape(r['patient__given_name'])} {escape(r['patient__family_name'])}, {escape(ident)}"
        priority = priorities.get(r["priority"]) or escape(r["priority"])
        status_label = statuses.get(status) or escape(status)
        out.append(
            f"<tr{row_attr}><td>{priority}</td><td>{due}{late_mark}</td>"
            f'<td><a href="{r["id"]}/">{name}</a></td><td>{escape(r["sender_unit__name"])}</td>'
            f"<td>{status_label}</td><td>{escape(r['question_short'])}</td></tr>"
        )
    return mark_safe("\n".join(out))  # noqa: S308 - every value above is escaped
