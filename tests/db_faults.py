"""A real database failure for tests: the connection settings point at a closed port."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator

from django.db import connection


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when the block ends: nothing listens there


@contextlib.contextmanager
def database_down() -> Iterator[None]:
    """Every new connection (this thread's, and the live server's, which connects per request
    from the same settings) is refused until the block ends."""
    saved = dict(connection.settings_dict)
    # As a real outage does: the server ends every open session of this database (the live
    # server keeps one across keep-alive requests), then refuses new ones (the closed port).
    with connection.cursor() as cur:
        cur.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(_closed_port()))
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
