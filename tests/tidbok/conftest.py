"""A browser for tidbok's own browser tests.

The shared `browser`/`page` fixtures live in tests/browser/conftest.py and are not
visible here; a second session-wide sync Playwright in the same thread is refused by
Playwright. So each tidbok browser test drives its own Playwright (same Debian
chromium, same flags, same refusal of any outside host) in a thread of its own.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from tests.browser.conftest import ARGS, CHROMIUM

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def in_browser(live_server) -> Callable[[Callable[[Any], None]], None]:  # type: ignore[no-untyped-def]
    if not CHROMIUM:
        pytest.skip("Ingen chromium installerad (apt-get install chromium); webbläsartesterna hoppas över.")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("Python-paketet playwright saknas.")

    def run(steps: Callable[[Any], None]) -> None:
        failure: list[BaseException] = []
        outside: list[str] = []

        def target() -> None:
            from playwright.sync_api import sync_playwright

            try:
                with sync_playwright() as pw:
                    b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
                    ctx = b.new_context(locale="sv-SE", base_url=live_server.url)
                    page = ctx.new_page()
                    page.set_default_timeout(10000)

                    def check(route, request):  # type: ignore[no-untyped-def]
                        url = request.url
                        if url.startswith(live_server.url) or url.startswith(("data:", "blob:")):
                            return route.continue_()
                        outside.append(url)
                        return route.abort()

                    page.route("**/*", check)
                    try:
                        steps(page)
                    finally:
                        # Database work done inside Playwright's loop has its own connection: close it here.
                        connections.close_all()
                        ctx.close()
                        b.close()
            except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
                failure.append(exc)
            finally:
                connection.close()

        t = threading.Thread(target=target)
        t.start()
        t.join(timeout=180)
        if failure:
            raise failure[0]
        assert not t.is_alive(), "the browser test did not finish"
        assert not outside, f"the page tried to load from another host: {outside}"

    return run
