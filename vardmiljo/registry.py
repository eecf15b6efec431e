"""Where the clinical modules plug into the shell without the core importing them.

- patient panels on the patient overview (`@patient_panel`),
- attention signals in the patient header (`@header_signal`),
- worklist counters in the top bar (`@worklist`).

Each app registers from its AppConfig.ready(). Panel functions receive the
PatientAccess already decided (and logged) by the overview; they must read
only through it (`pa.filter(...)`), and must be bounded (latest N) so the page
costs the same for 5 notes as for 5,000.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vardmiljo.access import PatientAccess
    from vardmiljo.actor import Actor


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    template: str
    order: int
    context: Callable[[PatientAccess], dict[str, Any]]


@dataclass(frozen=True)
class Worklist:
    key: str
    title: str
    url_name: str
    count: Callable[[Actor], int]


PANELS: dict[str, Panel] = {}
HEADER_SIGNALS: dict[str, Callable[[PatientAccess], list[dict[str, str]]]] = {}
WORKLISTS: dict[str, Worklist] = {}


def patient_panel(
    key: str, *, title: str, template: str, order: int = 100
) -> Callable[[Callable[[PatientAccess], dict[str, Any]]], Callable[[PatientAccess], dict[str, Any]]]:
    def register(func: Callable[[PatientAccess], dict[str, Any]]) -> Callable[[PatientAccess], dict[str, Any]]:
        PANELS[key] = Panel(key=key, title=title, template=template, order=order, context=func)
        return func

    return register


def header_signal(
    key: str,
) -> Callable[[Callable[[PatientAccess], list[dict[str, str]]]], Callable[[PatientAccess], list[dict[str, str]]]]:
    """A function returning [{"kind": "allergy", "text": "Penicillin"}, ...] for the header."""

    def register(func: Callable[[PatientAccess], list[dict[str, str]]]) -> Callable[[PatientAccess], list[dict[str, str]]]:
        HEADER_SIGNALS[key] = func
        return func

    return register


def worklist(key: str, *, title: str, url_name: str) -> Callable[[Callable[[Actor], int]], Callable[[Actor], int]]:
    def register(func: Callable[[Actor], int]) -> Callable[[Actor], int]:
        WORKLISTS[key] = Worklist(key=key, title=title, url_name=url_name, count=func)
        return func

    return register


def panels() -> list[Panel]:
    return sorted(PANELS.values(), key=lambda p: (p.order, p.key))


@dataclass(frozen=True)
class PatientLink:
    key: str
    title: str
    url_name: str  # reversed with patient_id=<pk>
    order: int
    shortcut: str  # e.g. "alt+n"


PATIENT_LINKS: dict[str, PatientLink] = {}


def patient_link(key: str, *, title: str, url_name: str, order: int = 100, shortcut: str = "") -> None:
    """A link in the patient's navigation bar (shown on every page of the patient)."""
    PATIENT_LINKS[key] = PatientLink(key=key, title=title, url_name=url_name, order=order, shortcut=shortcut)


# Downtime bundles (driftstopp): what each module contributes to a unit's read-only copy for
# a shift without the system. Unit sections list patients (day list, inbox, ward beds); patient
# sections add what is needed per listed patient (medication list, alerts, latest notes).
# Both are a disclosure to the unit by the system: they read only what the access module's
# `unit_disclosure_filter` lets the unit read, and the bundle writes one access-log row.


@dataclass(frozen=True)
class DowntimeTable:
    title: str
    columns: list[str]
    rows: list[list[str]]
    patient_ids: list[int]  # every patient the rows name


@dataclass(frozen=True)
class DowntimeSource:
    key: str
    order: int
    build: Callable[..., Any]
    title: str = ""


DOWNTIME_UNIT_SECTIONS: dict[str, DowntimeSource] = {}
DOWNTIME_PATIENT_SECTIONS: dict[str, DowntimeSource] = {}


def downtime_unit_section(key: str, *, order: int = 100) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`func(unit, now) -> list[DowntimeTable]`: tables of the unit's own work (rows name patients)."""

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        DOWNTIME_UNIT_SECTIONS[key] = DowntimeSource(key=key, order=order, build=func)
        return func

    return register


def downtime_patient_section(key: str, *, title: str, order: int = 100) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`func(unit, patient_ids, now) -> {patient_id: [line, …]}`: per listed patient, bounded."""

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        DOWNTIME_PATIENT_SECTIONS[key] = DowntimeSource(key=key, order=order, build=func, title=title)
        return func

    return register


# Extra checks for /healthz from modules (the core imports none): `func() -> (ok, text)`.
HEALTH_CHECKS: dict[str, Callable[[], tuple[bool, str]]] = {}


def health_check(key: str) -> Callable[[Callable[[], tuple[bool, str]]], Callable[[], tuple[bool, str]]]:
    def register(func: Callable[[], tuple[bool, str]]) -> Callable[[], tuple[bool, str]]:
        HEALTH_CHECKS[key] = func
        return func

    return register


# The quality-registry objection (PDL 7 kap. 2 §) lives in integrations, which no module may
# import; the resident's e-services reach it through this hook, registered by integrations.
RegistryObjection = Callable[..., Any]
REGISTRY_OBJECTION: dict[str, RegistryObjection] = {}


def registry_objection(func: RegistryObjection) -> RegistryObjection:
    REGISTRY_OBJECTION["set"] = func
    return func


def set_registry_objection(*, actor: Any, patient_id: int, objection: bool, patient_statement: str) -> Any:
    """Record (or withdraw) the patient's objection through the registered service."""
    return REGISTRY_OBJECTION["set"](actor=actor, patient_id=patient_id, objection=objection, patient_statement=patient_statement)
