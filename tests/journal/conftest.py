from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import ARGS, CHROMIUM, page  # noqa: F401  (Playwright page fixture for test_browser_*)


@pytest.fixture(scope="module")
def browser(request: pytest.FixtureRequest) -> Iterator[Any]:
    """The Playwright browser for tests/journal/test_browser_*.py.

    Only one sync Playwright may run per process: reuse the one tests/browser/
    already started in this session (full test run); otherwise start one for
    this module only and close it after, so a later module can start its own."""
    fm = request._fixturemanager  # type: ignore[attr-defined]
    by_node = getattr(fm, "_arg2node2fixturedefs", None) or getattr(fm, "_arg2fixturedefs", {})
    defs = by_node.get("browser", ())
    defs = [fd for group in defs.values() for fd in group] if isinstance(defs, dict) else list(defs)
    for fd in defs:
        cached = getattr(fd, "cached_result", None)
        if cached is not None and cached[0] is not None:
            yield cached[0]
            return
    if not CHROMIUM:
        pytest.skip("Ingen chromium installerad (apt-get install chromium); webbläsartesterna hoppas över.")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Python-paketet playwright saknas.")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(autouse=True)
def journal_defaults(request: pytest.FixtureRequest) -> None:
    """Curated codes and default templates. The data migration loads them, but a
    transactional (browser) test flushes the tables, so make sure they are there."""
    uses_db = request.node.get_closest_marker("django_db") or {"db", "world", "transactional_db"} & set(
        request.fixturenames)
    if uses_db:
        if "world" in request.fixturenames:
            request.getfixturevalue("world")
        from journal.codes import ensure_defaults
        from journal.queries import clear_template_cache

        ensure_defaults()
        clear_template_cache()
