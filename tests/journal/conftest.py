from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def journal_defaults(request: pytest.FixtureRequest) -> None:
    """Curated codes and default templates. The data migration loads them, but a
    transactional (browser) test flushes the tables, so make sure they are there."""
    uses_db = request.node.get_closest_marker("django_db") or {"db", "world", "transactional_db"} & set(request.fixturenames)
    if uses_db:
        if "world" in request.fixturenames:
            request.getfixturevalue("world")
        from journal.codes import ensure_defaults
        from journal.queries import clear_template_cache

        ensure_defaults()
        clear_template_cache()
