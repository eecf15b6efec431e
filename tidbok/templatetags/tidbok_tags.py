"""The day list's rows, rendered in Python: a unit's day has a few hundred rows and
the page must answer within the benchmark budget (p95 ≤ 30 ms, bench `tidbok.daylist`).
Every value from the database goes through html.escape."""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from tidbok.models import Booking, SlotType
from tidbok.queries import DayList

register = template.Library()


def _pattern(name: str) -> str:
    """A reversed URL with `{}` where the id goes: reversed once per page, not per row."""
    return reverse(name, args=[987654321]).replace("987654321", "{}")


@register.simple_tag(takes_context=True)
def daylist_rows(context: dict[str, Any], dl: DayList) -> SafeString:
    if not dl.rows:
        return mark_safe(f'<tr><td colspan="7">{escape(_("Inga tider denna dag."))}</td></tr>')  # noqa: S308 (escaped)
    csrf = escape(str(context.get("csrf_token", "")))
    t_blocked, t_free = escape(_("Spärrad")), escape(_("Ledig"))
    t_cancel, t_rebook, t_book = escape(_("Avboka")), escape(_("Boka om")), escape(_("Boka"))
    t_clash = escape(_("krockar med frånvaro"))
    t_checkin = _("Ankomstregistrera %(n)s")
    types = {k: escape(str(v)) for k, v in SlotType.choices}
    statuses = {k: escape(str(v)) for k, v in Booking.Status.choices}
    patient_url, book_url = _pattern("patient_overview"), _pattern("tidbok:book_slot")
    week_url, cancel_url = _pattern("tidbok:week"), _pattern("tidbok:cancel")
    checkin_url, rebook_url = _pattern("tidbok:check_in"), reverse("tidbok:book") + "?omboka="
    day_q = f"?datum={dl.day:%Y-%m-%d}"
    is_today = dl.day == timezone.localdate()
    tz = timezone.get_current_timezone()
    # Each resource's cell and each time cell once per page, not per row (a unit's
    # resources share their times: 10 resources, 16 times a day).
    resource_cells: dict[int, str] = {}
    time_cells: dict[tuple[dt.datetime, dt.datetime], str] = {}
    out: list[str] = []
    for row in dl.rows:
        s, b = row.slot, row.booking
        blocked = s.status == "blocked"
        note = status = action = ""
        if b is not None:
            p = b.patient
            full_name = p.full_name
            name = escape(full_name)
            # Contact details of a protected identity stay off the list (and off the printout).
            phone = f" · {escape(p.phone)}" if p.phone and not p.is_protected else ""
            who = f'<a href="{patient_url.format(p.id)}">{name}</a> {escape(p.display_identifier)}{phone}'
            note = escape(b.note) if b.note else ""
            status = statuses.get(b.status, "")
            if b.checked_in_at:
                status += f" {b.checked_in_at.astimezone(tz):%H:%M}"
            if blocked:
                status += f" <strong>{t_clash}</strong>"
            if b.status == Booking.Status.BOOKED:
                if is_today:
                    action = (
                        f'<form method="post" action="{checkin_url.format(b.id)}" class="inline">'
                        f'<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
                        f'<button type="submit">{escape(t_checkin % {"n": full_name})}</button></form> '
                    )
                action += f'<a href="{cancel_url.format(b.id)}">{t_cancel}</a> <a href="{rebook_url}{b.id}">{t_rebook}</a>'
            css = f"slot-{s.status} booking-{b.status}"
        else:
            who = f"<em>{t_blocked}</em>" if blocked else f'<span class="hint">{t_free}</span>'
            if s.status == "free":
                action = f'<a href="{book_url.format(s.id)}">{t_book}</a>'
            css = f"slot-{s.status}"
        resource_cell = resource_cells.get(s.resource_id)
        if resource_cell is None:
            resource_cell = resource_cells[s.resource_id] = (
                f'<td><a href="{week_url.format(s.resource_id)}{day_q}">{escape(s.resource.name)}</a></td>'
            )
        time_cell = time_cells.get((s.starts_at, s.ends_at))
        if time_cell is None:
            start, end = s.starts_at.astimezone(tz), s.ends_at.astimezone(tz)
            time_cell = time_cells[s.starts_at, s.ends_at] = f"<td>{start:%H:%M}–{end:%H:%M}</td>"
        out.append(
            f'<tr class="{css}">{time_cell}{resource_cell}'
            f"<td>{types.get(s.slot_type, '')}</td><td>{who}</td><td>{note}</td><td>{status}</td>"
            f'<td class="no-print">{action}</td></tr>\n'
        )
    # Every value in `out` went through escape() above; the tags are our own.
    return mark_safe("".join(out))  # noqa: S308
