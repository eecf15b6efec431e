"""Structured dosage read back to a person in Swedish ("1 tablett 2 gånger
dagligen", "1 tablett vid behov, högst 4 per dygn"). A dosage that cannot be
rendered is refused: what the patient reads must be what was ordered."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from vardmiljo.errors import DomainError

# singular, plural
UNITS: dict[str, tuple[str, str]] = {
    "tablett": ("tablett", "tabletter"),
    "kapsel": ("kapsel", "kapslar"),
    "depottablett": ("depottablett", "depottabletter"),
    "brustablett": ("brustablett", "brustabletter"),
    "munsönderfallande tablett": ("munsönderfallande tablett", "munsönderfallande tabletter"),
    "dospåse": ("dospåse", "dospåsar"),
    "suppositorium": ("suppositorium", "suppositorier"),
    "plåster": ("plåster", "plåster"),
    "puff": ("puff", "puffar"),
    "inhalation": ("inhalation", "inhalationer"),
    "droppe": ("droppe", "droppar"),
    "spray": ("spray", "sprayningar"),
    "ml": ("ml", "ml"),
    "mg": ("mg", "mg"),
    "mikrog": ("mikrog", "mikrog"),
    "g": ("g", "g"),
    "E": ("E", "E"),
    "enhet": ("enhet", "enheter"),
    "dos": ("dos", "doser"),
    "applikation": ("applikation", "applikationer"),
    "injektion": ("injektion", "injektioner"),
}

ROUTES: dict[str, str] = {
    "oral": "via munnen",
    "sublingual": "under tungan",
    "inhalation": "inhalation",
    "nasal": "i näsan",
    "kutan": "på huden",
    "transdermal": "plåster på huden",
    "rektal": "i ändtarmen",
    "vaginal": "i slidan",
    "subkutan": "under huden",
    "intramuskulär": "i muskeln",
    "intravenös": "i blodet (intravenöst)",
    "okulär": "i ögat",
    "otologisk": "i örat",
}

MAX_TIMES = {"day": 24, "week": 21}
MAX_PRN_PER_DAY = 24


def parse_dose(raw: object) -> Decimal:
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise DomainError(_("Dosen måste vara ett tal, t.ex. 1 eller 0,5."), field="dose")
    if not value.is_finite() or value <= 0 or value > Decimal("100000"):
        raise DomainError(_("Dosen måste vara större än noll."), field="dose")
    return value


def format_number(value: Decimal | float | int) -> str:
    d = Decimal(str(value)).normalize()
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def unit_text(dose: Decimal, unit: str) -> str:
    forms = UNITS.get(unit)
    if forms is None:
        raise DomainError(_("Okänd dosenhet: %(u)s.") % {"u": unit}, field="dose_unit")
    return forms[0] if Decimal(str(dose)) <= 1 else forms[1]


def times_text(times: int, period: str) -> str:
    word = _("gång") if times == 1 else _("gånger")
    if period == "day":
        return _("%(n)s %(w)s dagligen") % {"n": times, "w": word}
    if period == "week":
        return _("%(n)s %(w)s i veckan") % {"n": times, "w": word}
    raise DomainError(_("Doseringen kan inte läsas ut: okänd period."), field="period")


def render_dosage(
    dose: Decimal | float | int | str | None,
    unit: str,
    frequency: str,
    times: int | None,
    period: str,
    prn_max_per_day: int | None,
) -> str:
    """The dosage as a person reads it, or DomainError when it cannot be read."""
    if dose is None or dose == "":
        raise DomainError(_("Ange en dos."), field="dose")
    if not (unit or "").strip():
        raise DomainError(_("Dosen saknar enhet. Ange t.ex. tablett, ml eller mg."), field="dose_unit")
    d = parse_dose(dose)
    amount = f"{format_number(d)} {unit_text(d, unit)}"
    if frequency == "regular":
        if not times or times < 1:
            raise DomainError(_("Doseringen kan inte läsas ut: ange hur många gånger per dygn eller vecka."), field="times")
        if period not in MAX_TIMES:
            raise DomainError(_("Doseringen kan inte läsas ut: okänd period."), field="period")
        if times > MAX_TIMES[period]:
            raise DomainError(
                _("Doseringen kan inte läsas ut: %(n)s gånger per %(p)s är orimligt.")
                % {"n": times, "p": _("dygn") if period == "day" else _("vecka")},
                field="times",
            )
        if prn_max_per_day:
            raise DomainError(_("Högsta antal per dygn gäller bara vid behovsdosering."), field="prn_max_per_day")
        return f"{amount} {times_text(times, period)}"
    if frequency == "prn":
        if not prn_max_per_day or prn_max_per_day < 1:
            raise DomainError(_("Vid behov kräver ett högsta antal doser per dygn."), field="prn_max_per_day")
        if prn_max_per_day > MAX_PRN_PER_DAY:
            raise DomainError(
                _("Doseringen kan inte läsas ut: högst %(n)s per dygn är orimligt.") % {"n": prn_max_per_day},
                field="prn_max_per_day",
            )
        if times:
            raise DomainError(_("Ange antingen regelbunden dosering eller vid behov, inte båda."), field="times")
        return _("%(a)s vid behov, högst %(n)s per dygn") % {"a": amount, "n": prn_max_per_day}
    raise DomainError(_("Doseringen kan inte läsas ut: välj regelbundet eller vid behov."), field="frequency")


def daily_amount(dose: Decimal, frequency: str, times: int | None, period: str, prn_max_per_day: int | None) -> Decimal:
    """Maximum amount per day (in dose units), for a supply estimate."""
    if frequency == "prn":
        return Decimal(dose) * (prn_max_per_day or 1)
    per = Decimal(times or 1)
    return Decimal(dose) * (per if period == "day" else per / 7)
