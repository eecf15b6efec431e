"""Trend charts drawn on the server as inline SVG (no script, nothing loaded from
anywhere). Readable without colour: every series has its own marker shape and is
named in a legend, each point carries its value as text, the parameter's normal
(0-point) NEWS2 band is a hatched area named in the chart, and escalated sets are
marked with a "!" above the point. Each chart is role="img" with <title> and <desc>;
the page shows the same values as a table beside it."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH, HEIGHT = 720, 190
LEFT, RIGHT, TOP, BOTTOM = 52, 44, 30, 46
MARKERS = ("circle", "square", "triangle", "diamond")


@dataclass(frozen=True)
class Series:
    label: str
    points: Sequence[tuple[dt.datetime, float | Decimal]]
    marker: str = "circle"


def _num(v: float | Decimal) -> str:
    f = float(v)
    return str(int(f)) if f == int(f) else f"{f:.1f}".replace(".", ",")


def _marker(shape: str, x: float, y: float) -> str:
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" class="pt"/>'
    if shape == "triangle":
        return f'<polygon points="{x:.1f},{y - 5:.1f} {x - 5:.1f},{y + 4:.1f} {x + 5:.1f},{y + 4:.1f}" class="pt"/>'
    if shape == "diamond":
        return f'<polygon points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} {x - 5:.1f},{y:.1f}" class="pt"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" class="pt pt-open"/>'


def line_chart(
    *,
    chart_id: str,
    title: str,
    unit: str,
    series: Sequence[Series],
    y_range: tuple[float, float],
    normal: tuple[float, float] | None = None,
    normal_label: str = "",
    flagged: Sequence[dt.datetime] = (),
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> SafeString:
    """One parameter over time. `y_range` is widened to hold every value; `normal` is the
    band that scores 0; `flagged` are the times of escalated sets."""
    values = [float(v) for s in series for _t, v in s.points]
    times = [t for s in series for t, _v in s.points]
    lo, hi = y_range
    if values:
        lo, hi = min(lo, min(values)), max(hi, max(values))
    step = _nice_step((hi - lo) / 4 if hi > lo else 1)
    lo, hi = math.floor(lo / step) * step, math.ceil(hi / step) * step
    if hi == lo:
        hi = lo + step
    t0 = start or (min(times) if times else timezone.now())
    t1 = end or (max(times) if times else t0)
    span = max((t1 - t0).total_seconds(), 60.0)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(t: dt.datetime) -> float:
        return LEFT + plot_w * (t - t0).total_seconds() / span

    def y(v: float) -> float:
        return TOP + plot_h * (1 - (v - lo) / (hi - lo))

    tid, did = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="trend" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{tid} {did}" id="{escape(chart_id)}">',
        f'<title id="{tid}">{escape(title)}</title>',
        f'<desc id="{did}">{escape(_describe(title, unit, series))}</desc>',
        f'<defs><pattern id="{chart_id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" class="hatch"/></pattern></defs>',
    ]
    if normal is not None:
        n_lo, n_hi = max(normal[0], lo), min(normal[1], hi)
        if n_hi > n_lo:
            parts.append(
                f'<rect x="{LEFT}" y="{y(n_hi):.1f}" width="{plot_w}" height="{y(n_lo) - y(n_hi):.1f}" '
                f'fill="url(#{chart_id}-hatch)" class="normal-band"/>'
                f'<text x="{WIDTH - RIGHT - 2}" y="{y(n_hi) + 11:.1f}" text-anchor="end" class="band-label">'
                f"{escape(normal_label or _('0 poäng'))}</text>"
            )
    # axes with five value ticks and up to six time ticks
    parts.append(f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" class="axis"/>')
    parts.append(f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" class="axis"/>')
    n_ticks = round((hi - lo) / step)
    for i in range(n_ticks + 1):
        tick = lo + step * i
        parts.append(
            f'<line x1="{LEFT - 3}" y1="{y(tick):.1f}" x2="{WIDTH - RIGHT}" y2="{y(tick):.1f}" class="grid"/>'
            f'<text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" class="tick">{_num(round(tick, 1))}</text>'
        )
    parts.append(f'<text x="4" y="14" class="unit">{escape(unit)}</text>')
    last_x = -1e9
    for t in sorted(set(times)):
        if x(t) - last_x < 84:
            continue  # too close to the previous label to be read
        last_x = x(t)
        local = timezone.localtime(t)
        parts.append(f'<text x="{x(t):.1f}" y="{HEIGHT - 22}" text-anchor="middle" class="tick">{local:%d/%m %H:%M}</text>')
    for t in flagged:
        if t0 <= t <= t1:
            # in a row of its own under the time labels, so that it never covers a value
            parts.append(f'<text x="{x(t):.1f}" y="{HEIGHT - 4}" text-anchor="middle" class="flag">!</text>')
    for i, s in enumerate(series):
        pts = sorted(s.points, key=lambda p: p[0])
        if len(pts) > 1:
            coords = " ".join(f"{x(t):.1f},{y(float(v)):.1f}" for t, v in pts)
            parts.append(f'<polyline points="{coords}" class="line line-{i}"/>')
        for t, v in pts:
            cx, cy = x(t), y(float(v))
            parts.append(_marker(s.marker, cx, cy))
            dy = -8 if i == 0 else 16
            parts.append(f'<text x="{cx:.1f}" y="{cy + dy:.1f}" text-anchor="middle" class="val">{_num(v)}</text>')
    # legend: shape and name of each series
    lx = max(LEFT + 8, 4 + 7 * len(unit) + 16)
    for s in series:
        parts.append(_marker(s.marker, lx, 10))
        parts.append(f'<text x="{lx + 9}" y="14" class="legend">{escape(s.label)}</text>')
        lx += 16 + 7 * len(s.label)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def _nice_step(raw: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^k that is at least `raw`: ticks people can read."""
    exp = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if m * exp >= raw - 1e-9:
            return m * exp
    return 10 * exp  # pragma: no cover


def _describe(title: str, unit: str, series: Sequence[Series]) -> str:
    out = []
    for s in series:
        pts = sorted(s.points, key=lambda p: p[0])
        if not pts:
            out.append(_("%(s)s: inga värden.") % {"s": s.label})
            continue
        vals = [v for _t, v in pts]
        out.append(
            _("%(s)s: %(n)d värden från %(a)s till %(b)s, senast %(last)s %(u)s, lägst %(lo)s, högst %(hi)s.")
            % {
                "s": s.label,
                "n": len(pts),
                "a": f"{timezone.localtime(pts[0][0]):%Y-%m-%d %H:%M}",
                "b": f"{timezone.localtime(pts[-1][0]):%Y-%m-%d %H:%M}",
                "last": _num(vals[-1]),
                "u": unit,
                "lo": _num(min(vals)),
                "hi": _num(max(vals)),
            }
        )
    return " ".join(out)
