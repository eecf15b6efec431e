"""Swedish identifiers: personnummer, samordningsnummer, reservnummer and HSA-id.

Validators raise ValidationError with a Swedish message that says *why*
(date or check digit), so a receptionist can correct a typo at once.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# re.ASCII: \d is 0–9 only. Python's \d and str.isdigit() also accept Arabic-Indic,
# full-width and other digits, which int() would quietly read as a number.
PNR_RE = re.compile(r"^(?P<century>\d{2})?(?P<yymmdd>\d{6})(?P<sep>[-+]?)(?P<serial>\d{3})(?P<check>\d)$", re.ASCII)
HSA_RE = re.compile(r"^SE\d{10}-[A-Za-z0-9]+$")


class IdType:
    PERSONNUMMER = "personnummer"
    SAMORDNINGSNUMMER = "samordningsnummer"
    RESERVNUMMER = "reservnummer"


@dataclass(frozen=True)
class PersonId:
    """A normalised identifier: `value` is always YYYYMMDDNNNC for (samordnings)nummer."""

    value: str
    kind: str
    birth_date: dt.date | None
    sex: str  # "F", "M" or "" (unknown)

    @property
    def display(self) -> str:
        if self.kind == IdType.RESERVNUMMER:
            return self.value
        return f"{self.value[:8]}-{self.value[8:]}"


def luhn_digit(nine_digits: str) -> int:
    total = 0
    for i, ch in enumerate(nine_digits):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return (10 - total % 10) % 10


def _century_for(yymmdd: str, sep: str, today: dt.date) -> str:
    # Without a century the separator decides: '+' means the person is 100 or older.
    yy = int(yymmdd[:2])
    year = today.year - (today.year - yy) % 100
    if sep == "+":
        year -= 100
    return str(year)[:2]


def parse_personnummer(raw: str, *, today: dt.date | None = None) -> PersonId:
    """Parse a personnummer or samordningsnummer with or without century and dash."""
    text = (raw or "").strip().replace(" ", "")
    m = PNR_RE.match(text)
    if not m:
        raise ValidationError(_("Personnumret måste ha 10 eller 12 siffror, till exempel 19121212-1212."), code="format")
    today = today or dt.date.today()
    century = m["century"] or _century_for(m["yymmdd"], m["sep"], today)
    yymmdd, serial, check = m["yymmdd"], m["serial"], int(m["check"])
    year, month, day = int(century + yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6])
    kind = IdType.PERSONNUMMER
    if day > 60:
        kind = IdType.SAMORDNINGSNUMMER
        day -= 60
    try:
        birth = dt.date(year, month, day)
    except ValueError:
        raise ValidationError(_("Personnumret innehåller inget giltigt datum (%(d)s).") % {"d": yymmdd}, code="date") from None
    if luhn_digit(yymmdd + serial) != check:
        raise ValidationError(_("Kontrollsiffran i personnumret stämmer inte."), code="check_digit")
    sex = "F" if int(serial[2]) % 2 == 0 else "M"
    return PersonId(value=century + yymmdd + serial + str(check), kind=kind, birth_date=birth, sex=sex)


def parse_reservnummer(raw: str) -> PersonId:
    text = (raw or "").strip().upper()
    if not re.fullmatch(settings.RESERVNUMMER_PATTERN, text):
        raise ValidationError(_("Reservnumret följer inte vårdgivarens mönster."), code="reservnummer")
    return PersonId(value=text, kind=IdType.RESERVNUMMER, birth_date=None, sex="")


def parse_patient_id(raw: str) -> PersonId:
    """Any patient identifier: a personnummer/samordningsnummer, else a reservnummer."""
    text = (raw or "").strip()
    digits = text.replace("-", "").replace("+", "")
    if _ascii_digits(digits) and len(digits) in (10, 12) and not digits.startswith("99"):
        return parse_personnummer(text)
    try:
        return parse_reservnummer(text)
    except ValidationError:
        return parse_personnummer(text)


def _ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


# Letters a hurried hand types for a digit.
DIGIT_LOOKALIKES = {"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "Z": "2", "S": "5", "G": "6", "B": "8"}
_SEPARATORS = re.compile(r"[\s\-+\u2010-\u2015\u2212]")


def looks_like_pnr(text: str) -> bool:
    digits = (text or "").replace("-", "").replace("+", "").strip()
    return _ascii_digits(digits) and len(digits) >= 6


def search_identifier(text: str) -> PersonId | None:
    """What a search box's text is: None for a name; the identifier when it is one; and
    a ValidationError saying why when it looks like an identifier but is not a valid one
    (a letter for a digit, Arabic-Indic or full-width digits, wrong length, date, check digit),
    so that a mistyped personnummer is never quietly searched as a name."""
    stripped = (text or "").strip()
    compact = _SEPARATORS.sub("", stripped)
    if not compact:
        return None
    if re.fullmatch(settings.RESERVNUMMER_PATTERN, stripped.upper()):
        return parse_reservnummer(stripped)
    digits = sum(ch.isdigit() for ch in compact)
    # Identifier-shaped: at least six digits of any script, and mostly digits.
    if digits < 6 or digits * 4 < len(compact) * 3:
        return None
    for ch in compact:
        if ch.isdigit() and not ch.isascii():
            raise ValidationError(
                _("Personnumret innehåller tecknet ”%(c)s”, som inte är en av siffrorna 0–9. Skriv det med siffrorna 0–9.")
                % {"c": ch},
                code="non_ascii_digit",
            )
    for ch in compact:
        if not ch.isdigit():
            hint = DIGIT_LOOKALIKES.get(ch.upper())
            message = _(
                "Personnumret innehåller ”%(c)s”, som inte är en siffra; ett personnummer har bara siffror 0–9 och bindestreck."
            )
            if hint:
                message += " " + _("Menade du siffran %(d)s?") % {"d": hint}
            raise ValidationError(message % {"c": ch}, code="not_a_digit")
    return parse_patient_id(stripped)


def validate_hsa_id(value: str) -> None:
    if not value or len(value) > 31 or not HSA_RE.match(value):
        raise ValidationError(
            _("Ogiltigt HSA-id: förväntat SE, tio siffror, bindestreck och bokstäver/siffror, högst 31 tecken."),
            code="hsa_id",
        )


def make_personnummer(birth: dt.date, serial: int) -> str:
    """Build a Luhn-correct 12-digit personnummer (used by demo and test data)."""
    yymmdd = birth.strftime("%y%m%d")
    s = f"{serial % 1000:03d}"
    return birth.strftime("%Y%m%d") + s + str(luhn_digit(yymmdd + s))
