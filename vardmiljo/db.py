"""Reads written in SQL: for the few pages that run on every click (the patient
overview's panels), where building the query with the ORM costs more than running it.
Each such query filters with PatientAccess.sql(), never on its own."""

from __future__ import annotations

from typing import Any

from django.db import connection


def rows(sql: str, params: list[Any] | dict[str, Any]) -> list[dict[str, Any]]:
    """Run one SELECT and return its rows as dicts keyed by column name."""
    with connection.cursor() as cur:
        cur.execute(sql, params)
        names = [c[0] for c in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
