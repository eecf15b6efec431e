"""Nursing risk assessments used in Swedish care (as in Senior alert), as data: each
scale is a list of items with their options and points, scored by one function.

- Modifierad Nortonskala (trycksår): 7 items of 1–4 points, 7–28; 20 or less = risk.
- Downton fall risk index (fall): 0–11; 3 or more = high risk of falls. Medication and
  sensory deficits are "tick all that apply" items (each ticked risk option scores 1).
- MNA-SF (nutrition): items A–E plus F1 (BMI) or, when no BMI can be had, F2 (calf
  circumference), 0–14; 12–14 normal, 8–11 at risk of malnutrition, 0–7 malnourished.

Pure: no database. The service stores the answers together with the computed score.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vardmiljo.errors import DomainError


@dataclass(frozen=True)
class Option:
    value: str
    label: Any
    points: int


@dataclass(frozen=True)
class Item:
    key: str
    label: Any
    options: tuple[Option, ...]
    multiple: bool = False  # tick all that apply; each ticked option adds its points
    required: bool = True


@dataclass(frozen=True)
class Result:
    score: int
    at_risk: bool
    level: str


L = gettext_lazy

NORTON = (
    Item(
        "mental",
        L("Psykisk status"),
        (
            Option("4", L("Vaken"), 4),
            Option("3", L("Apatisk"), 3),
            Option("2", L("Förvirrad"), 2),
            Option("1", L("Stuporös/medvetslös"), 1),
        ),
    ),
    Item(
        "activity",
        L("Aktivitet"),
        (
            Option("4", L("Går utan hjälp"), 4),
            Option("3", L("Går med hjälp"), 3),
            Option("2", L("Sitter i rullstol"), 2),
            Option("1", L("Sängliggande"), 1),
        ),
    ),
    Item(
        "mobility",
        L("Rörlighet"),
        (
            Option("4", L("Full"), 4),
            Option("3", L("Något begränsad"), 3),
            Option("2", L("Mycket begränsad"), 2),
            Option("1", L("Orörlig"), 1),
        ),
    ),
    Item(
        "food",
        L("Födointag"),
        (
            Option("4", L("Tar för sig"), 4),
            Option("3", L("Måttligt"), 3),
            Option("2", L("Dåligt"), 2),
            Option("1", L("Ingenting"), 1),
        ),
    ),
    Item(
        "fluid",
        L("Vätskeintag"),
        (
            Option("4", L("Tillräckligt"), 4),
            Option("3", L("Måttligt"), 3),
            Option("2", L("Dåligt"), 2),
            Option("1", L("Ingenting"), 1),
        ),
    ),
    Item(
        "incontinence",
        L("Inkontinens"),
        (
            Option("4", L("Ingen"), 4),
            Option("3", L("Ibland"), 3),
            Option("2", L("Vanligtvis urin"), 2),
            Option("1", L("Urin och avföring"), 1),
        ),
    ),
    Item(
        "general",
        L("Allmäntillstånd"),
        (
            Option("4", L("Gott"), 4),
            Option("3", L("Ganska gott"), 3),
            Option("2", L("Dåligt"), 2),
            Option("1", L("Mycket dåligt"), 1),
        ),
    ),
)
NORTON_RISK_AT_MOST = 20

DOWNTON = (
    Item("previous_falls", L("Tidigare fall"), (Option("no", L("Nej"), 0), Option("yes", L("Ja"), 1))),
    Item(
        "medication",
        L("Läkemedel"),
        (
            Option("none", L("Inga"), 0),
            Option("sedatives", L("Lugnande/sömnmedel"), 1),
            Option("diuretics", L("Diuretika"), 1),
            Option("antihypertensives", L("Blodtryckssänkande (ej diuretika)"), 1),
            Option("antiparkinson", L("Antiparkinsonmedel"), 1),
            Option("antidepressants", L("Antidepressiva"), 1),
            Option("other", L("Andra läkemedel"), 0),
        ),
        multiple=True,
    ),
    Item(
        "sensory",
        L("Sensoriska funktionsnedsättningar"),
        (
            Option("none", L("Inga"), 0),
            Option("vision", L("Synnedsättning"), 1),
            Option("hearing", L("Hörselnedsättning"), 1),
            Option("limb", L("Nedsatt funktion i armar/ben"), 1),
        ),
        multiple=True,
    ),
    Item("mental", L("Mental status"), (Option("oriented", L("Orienterad"), 0), Option("confused", L("Förvirrad"), 1))),
    Item(
        "gait",
        L("Gångförmåga"),
        (
            Option("normal", L("Normal (säker utan hjälpmedel)"), 0),
            Option("safe_aid", L("Säker med hjälpmedel"), 0),
            Option("unsafe", L("Osäker (med eller utan hjälpmedel)"), 1),
            Option("unable", L("Kan inte gå"), 0),
        ),
    ),
)
DOWNTON_HIGH_RISK_FROM = 3

MNA_SF = (
    Item(
        "a_food_intake",
        L("A. Minskat födointag de senaste 3 månaderna (aptitlöshet, matsmältning, tugg- eller sväljsvårigheter)"),
        (Option("0", L("Kraftigt minskat"), 0), Option("1", L("Måttligt minskat"), 1), Option("2", L("Oförändrat"), 2)),
    ),
    Item(
        "b_weight_loss",
        L("B. Viktförlust de senaste 3 månaderna"),
        (
            Option("0", L("Mer än 3 kg"), 0),
            Option("1", L("Vet inte"), 1),
            Option("2", L("1–3 kg"), 2),
            Option("3", L("Ingen viktförlust"), 3),
        ),
    ),
    Item(
        "c_mobility",
        L("C. Rörlighet"),
        (
            Option("0", L("Bunden till säng eller rullstol"), 0),
            Option("1", L("Kan lämna säng/rullstol men går inte ut"), 1),
            Option("2", L("Går ut"), 2),
        ),
    ),
    Item(
        "d_stress",
        L("D. Psykisk stress eller akut sjukdom de senaste 3 månaderna"),
        (Option("0", L("Ja"), 0), Option("2", L("Nej"), 2)),
    ),
    Item(
        "e_neuropsych",
        L("E. Neuropsykologiska problem"),
        (
            Option("0", L("Svår demens eller depression"), 0),
            Option("1", L("Lätt demens"), 1),
            Option("2", L("Inga psykologiska problem"), 2),
        ),
    ),
    Item(
        "f1_bmi",
        L("F1. BMI (kg/m²)"),
        (
            Option("0", L("Under 19"), 0),
            Option("1", L("19 till under 21"), 1),
            Option("2", L("21 till under 23"), 2),
            Option("3", L("23 eller mer"), 3),
        ),
        required=False,
    ),
    Item(
        "f2_calf",
        L("F2. Vadomkrets (cm), om BMI saknas"),
        (Option("0", L("Under 31"), 0), Option("3", L("31 eller mer"), 3)),
        required=False,
    ),
)

SCALES: dict[str, tuple[Item, ...]] = {"norton": NORTON, "downton": DOWNTON, "mna_sf": MNA_SF}


def _points(item: Item, raw: Any) -> int:
    values = [str(v) for v in (raw if isinstance(raw, list | tuple) else [raw]) if str(v or "").strip()]
    if not values:
        if item.required:
            raise DomainError(_("Besvara %(i)s.") % {"i": item.label}, field=item.key)
        return 0
    if len(values) > 1 and not item.multiple:
        raise DomainError(_("Välj ett svar för %(i)s.") % {"i": item.label}, field=item.key)
    by_value = {o.value: o for o in item.options}
    unknown = [v for v in values if v not in by_value]
    if unknown:
        raise DomainError(_("Okänt svar för %(i)s.") % {"i": item.label}, field=item.key)
    if "none" in values and len(values) > 1:
        raise DomainError(_("%(i)s: ”Inga” kan inte kombineras med andra svar.") % {"i": item.label}, field=item.key)
    return sum(by_value[v].points for v in set(values))


def clean_answers(kind: str, answers: dict[str, Any]) -> dict[str, Any]:
    """The answers of the scale's items only, lists for the multiple-choice items."""
    items = SCALES[kind]
    out: dict[str, Any] = {}
    for item in items:
        raw = answers.get(item.key)
        if item.multiple:
            out[item.key] = sorted({str(v) for v in (raw if isinstance(raw, list | tuple) else [raw]) if str(v or "").strip()})
        elif raw not in (None, ""):
            out[item.key] = str(raw)
    return out


def assess(kind: str, answers: dict[str, Any]) -> Result:
    """Score a scale's answers; a missing or unknown answer raises DomainError (Swedish)."""
    if kind not in SCALES:
        raise DomainError(_("Okänd riskbedömning."), field="kind")
    items = SCALES[kind]
    points = {item.key: _points(item, answers.get(item.key)) for item in items}
    if kind == "mna_sf":
        has_f1 = str(answers.get("f1_bmi") or "").strip() != ""
        has_f2 = str(answers.get("f2_calf") or "").strip() != ""
        if has_f1 == has_f2:
            raise DomainError(_("Besvara antingen F1 (BMI) eller F2 (vadomkrets), inte båda."), field="f1_bmi")
        total = sum(points.values())
        if total >= 12:
            return Result(total, False, _("Normalt nutritionsstatus"))
        if total >= 8:
            return Result(total, True, _("Risk för undernäring"))
        return Result(total, True, _("Undernäring"))
    total = sum(points.values())
    if kind == "norton":
        at_risk = total <= NORTON_RISK_AT_MOST
        return Result(total, at_risk, _("Risk för trycksår") if at_risk else _("Ingen förhöjd risk för trycksår"))
    at_risk = total >= DOWNTON_HIGH_RISK_FROM
    return Result(total, at_risk, _("Hög fallrisk") if at_risk else _("Ingen förhöjd fallrisk"))
