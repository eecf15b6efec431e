"""The trend charts (issue 14): server-rendered SVG, accessible and readable without colour."""

from __future__ import annotations

import datetime as dt
import re

from journal import charts


def test_14_chart_is_an_accessible_image_with_values_as_text_and_distinct_markers() -> None:
    t0 = dt.datetime(2026, 11, 29, 6, 0, tzinfo=dt.UTC)
    svg = str(
        charts.line_chart(
            chart_id="ch-bp",
            title="Blodtryck <test>",
            unit="mmHg",
            series=[
                charts.Series("Systoliskt", [(t0, 128), (t0 + dt.timedelta(hours=4), 96)], "triangle"),
                charts.Series("Diastoliskt", [(t0, 78), (t0 + dt.timedelta(hours=4), 58)], "square"),
            ],
            y_range=(50, 180),
            normal=(111, 219),
            flagged=[t0 + dt.timedelta(hours=4)],
        )
    )
    assert re.search(r'<svg [^>]*role="img" aria-labelledby="ch-bp-title ch-bp-desc"', svg)
    assert '<title id="ch-bp-title">Blodtryck &lt;test&gt;</title>' in svg  # escaped
    desc = re.search(r'<desc id="ch-bp-desc">([^<]*)</desc>', svg)
    assert desc and "Systoliskt: 2 värden" in desc.group(1) and "senast 96 mmHg" in desc.group(1)
    assert "Diastoliskt: 2 värden" in desc.group(1) and "lägst 58" in desc.group(1)
    for value in ("128", "96", "78", "58"):
        assert f">{value}</text>" in svg  # every value is written at its point
    assert "<polygon" in svg and "<rect x=" in svg  # triangle and square markers, not colour
    assert 'fill="url(#ch-bp-hatch)"' in svg and "0 poäng" in svg  # the hatched normal band, named
    assert svg.count('class="flag">!</text>') == 1
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")  # nothing from another host


def test_14_empty_series_is_described() -> None:
    svg = str(
        charts.line_chart(chart_id="c", title="Puls", unit="slag/min", series=[charts.Series("Puls", [])], y_range=(40, 130))
    )
    assert "Puls: inga värden." in svg
