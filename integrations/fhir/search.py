"""Parsing FHIR search parameters: dates with prefixes, tokens, references, paging."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings

from integrations.fhir.outcome import FhirError

DEFAULT_COUNT = 50
MAX_COUNT = 500
# Parameters every search understands (besides each type's own).
COMMON = {"_count", "_offset", "_sort", "_summary", "_format", "_pretty"}
_DATE = re.compile(
    r"^(eq|ne|gt|lt|ge|le|sa|eb|ap)?(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$"
)


@dataclass
class Query:
    """One search, parsed: what a handler needs to ask its module's query."""

    params: dict[str, list[str]]
    count: int = DEFAULT_COUNT
    offset: int = 0
    newest_first: bool = True
    summary: str = "false"
    since: dt.datetime | None = None  # inclusive
    until: dt.datetime | None = None  # exclusive
    ids: list[str] = field(default_factory=list)

    def first(self, name: str) -> str | None:
        values = self.params.get(name)
        return values[0] if values else None

    def tokens(self, name: str) -> list[tuple[str | None, str]]:
        """(system or None, code) for each comma-separated value of every occurrence of `name`."""
        out: list[tuple[str | None, str]] = []
        for value in self.params.get(name, []):
            for part in value.split(","):
                if "|" in part:
                    system, _, code = part.partition("|")
                    out.append((system or None, code))
                elif part:
                    out.append((None, part))
        return out


def _bounds(value: str, name: str) -> tuple[str, dt.datetime, dt.datetime]:
    m = _DATE.match(value)
    if m is None:
        raise FhirError(400, "invalid", f"Ogiltigt datum i {name}: {value!r} (t.ex. ge2024-01-31).", expression=name)
    prefix, y, mo, d, h, mi, s, tz = m.groups()
    zone: dt.tzinfo = ZoneInfo(settings.TIME_ZONE)
    if tz == "Z":
        zone = dt.UTC
    elif tz:
        sign = 1 if tz[0] == "+" else -1
        zone = dt.timezone(sign * dt.timedelta(hours=int(tz[1:3]), minutes=int(tz[4:6])))
    try:
        start = dt.datetime(int(y), int(mo or 1), int(d or 1), int(h or 0), int(mi or 0), int(s or 0), tzinfo=zone)
    except ValueError:
        raise FhirError(400, "invalid", f"Ogiltigt datum i {name}: {value!r}.", expression=name) from None
    if s or mi:
        end = start + dt.timedelta(seconds=1 if s else 60)
    elif d:
        end = start + dt.timedelta(days=1)
    elif mo:
        end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    else:
        end = start.replace(year=start.year + 1)
    return prefix or "eq", start, end


def date_range(values: list[str], name: str = "date") -> tuple[dt.datetime | None, dt.datetime | None]:
    """[since, until) from one or more `date` values (eq, ge, gt, le, lt)."""
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    for value in values:
        prefix, start, end = _bounds(value, name)
        lo, hi = {
            "eq": (start, end),
            "ge": (start, None),
            "gt": (end, None),
            "le": (None, end),
            "lt": (None, start),
        }.get(prefix, (None, None))
        if lo is None and hi is None:
            raise FhirError(400, "not-supported", f"Prefixet {prefix} stöds inte för {name}.", expression=name)
        if lo is not None:
            since = max(since, lo) if since else lo
        if hi is not None:
            until = min(until, hi) if until else hi
    return since, until


def reference_id(value: str, resource_type: str, name: str) -> str:
    """The id of `Type/id` or a bare id."""
    ref = value.rsplit("/_history/", 1)[0]
    if "/" in ref:
        kind, _, ref = ref.rpartition("/")
        if kind.rsplit("/", 1)[-1] != resource_type:
            raise FhirError(400, "invalid", f"{name} ska peka på {resource_type}.", expression=name)
    if not ref:
        raise FhirError(400, "invalid", f"{name} saknar id.", expression=name)
    return ref


def positive_int(value: str, name: str, maximum: int) -> int:
    try:
        n = int(value)
    except ValueError:
        raise FhirError(400, "invalid", f"{name} ska vara ett heltal.", expression=name) from None
    if n < 0:
        raise FhirError(400, "invalid", f"{name} får inte vara negativt.", expression=name)
    return min(n, maximum)
