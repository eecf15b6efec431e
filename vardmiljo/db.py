"""Reads written in SQL: for the few statements that run on every click (the access
decision, the access-log row, the patient overview's panels), where building a query
with the ORM costs more than running it. Each such read filters with
PatientAccess.sql(), never on its own.

They run as prepared statements: PostgreSQL plans each once per connection instead
of on every request (planning cost more than running them). Django leaves prepared
statements off so that transaction-pooling proxies work; this system talks to
PostgreSQL directly (a pooler in front must support prepared statements, as
PgBouncer 1.21+ does with max_prepared_statements).
"""

from __future__ import annotations

from typing import Any

import psycopg
from django.db import connection


class _PreparedCursor(psycopg.Cursor[Any]):
    """A server-side-binding cursor that prepares every statement it runs."""

    def execute(self, query: Any, params: Any = None, *, prepare: bool | None = None, binary: bool | None = None) -> Any:
        return super().execute(query, params, prepare=True, binary=binary)


def cursor() -> Any:
    """A Django cursor (counted by assertNumQueries, wrapped errors) whose statements are prepared."""
    connection.ensure_connection()
    return connection._prepare_cursor(_PreparedCursor(connection.connection))  # type: ignore[attr-defined]


def rows(sql: str, params: list[Any] | dict[str, Any]) -> list[dict[str, Any]]:
    """Run one SELECT and return its rows as dicts keyed by column name."""
    with cursor() as cur:
        cur.execute(sql, params)
        names = [c[0] for c in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
