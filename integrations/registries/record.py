"""Reads of the record for registry transfers (system reads, no actor: the
disclosure itself is what the access log records). Filled in against the
journal and lakemedel models."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from vardmiljo.models import Patient


def patients_with_diagnosis(prefixes: tuple[str, ...], *, since: dt.date | None = None) -> QuerySet[Patient]:
    raise NotImplementedError


def reporting_units(prefixes: tuple[str, ...], patient_ids: list[int]) -> dict[int, str]:
    raise NotImplementedError


def diagnoses(patient: Patient, prefixes: tuple[str, ...]) -> list[dict[str, Any]]:
    raise NotImplementedError


def latest_observation(patient: Patient, kind: str, *, since: dt.date | None = None) -> dict[str, Any] | None:
    raise NotImplementedError


def latest_blood_pressure(patient: Patient, *, since: dt.date | None = None) -> dict[str, Any] | None:
    raise NotImplementedError


def latest_bmi(patient: Patient, *, since: dt.date | None = None) -> dict[str, Any] | None:
    raise NotImplementedError


def smoking_status(patient: Patient, *, since: dt.date | None = None) -> dict[str, Any] | None:
    raise NotImplementedError


def medications(patient: Patient, *, atc_prefix: str) -> list[dict[str, Any]]:
    raise NotImplementedError
