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

from collections.abc import Sequence
from typing import Any, TypeVar

import psycopg
from django.db import connection, connections
from django.db.models import Model

from vardmiljo import readonly

M = TypeVar("M", bound=Model)


class _PreparedCursor(psycopg.Cursor[Any]):
    """A server-side-binding cursor that prepares every statement it runs."""

    def execute(self, query: Any, params: Any = None, *, prepare: bool | None = None, binary: bool | None = None) -> Any:
        return super().execute(query, params, prepare=True, binary=binary)


def cursor() -> Any:
    """A Django cursor (counted by assertNumQueries, wrapped errors) whose statements are prepared."""
    # In read-only mode (vardmiljo/readonly.py) the same statements run on the replica.
    conn = connections[readonly.alias()] if readonly.active() else connection
    conn.ensure_connection()
    return conn._prepare_cursor(_PreparedCursor(conn.connection))  # type: ignore[attr-defined]


def rows(sql: str, params: list[Any] | dict[str, Any]) -> list[dict[str, Any]]:
    """Run one SELECT and return its rows as dicts keyed by column name."""
    with cursor() as cur:
        cur.execute(sql, params)
        names = [c[0] for c in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def columns(model: type[Model], alias: str) -> str:
    """The SELECT list of all of `model`'s columns under `alias`, in instance() order."""
    return ", ".join(f'{alias}."{f.column}"' for f in model._meta.concrete_fields)


def instance(model: type[M], values: Sequence[Any]) -> M:
    """A model instance from values in columns() order, as the ORM would load it
    (fields' from_db_value conversions applied, e.g. decryption)."""
    fields = model._meta.concrete_fields
    converted = [
        f.from_db_value(v, None, connection) if hasattr(f, "from_db_value") else v for f, v in zip(fields, values, strict=True)
    ]
    return model.from_db(connection.alias, [f.attname for f in fields], converted)
