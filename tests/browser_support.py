"""Browser tests: Playwright (Python) driving Debian's headless chromium against
pytest-django's live server. Skipped, with the reason, where no browser exists.

The fixtures are registered for the whole suite by tests/conftest.py: one sync
Playwright per process, so every app's browser tests share the session browser."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
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


@pytest.fixture
def page(browser, live_server):  # type: ignore[no-untyped-def]
    ctx = browser.new_context(locale="sv-SE", base_url=live_server.url)
    p = ctx.new_page()
    p.set_default_timeout(10000)
    # Nothing may leave the machine: fail the test on any request to another host.
    outside: list[str] = []

    def check(route, request):  # type: ignore[no-untyped-def]
        url = request.url
        if url.startswith(live_server.url) or url.startswith("data:") or url.startswith("blob:"):
            return route.continue_()
        outside.append(url)
        return route.abort()

    p.route("**/*", check)
    yield p
    ctx.close()
    assert not outside, f"the page tried to load from another host: {outside}"


def browser_login(page, username: str, password: str = "demo") -> None:  # type: ignore[no-untyped-def]
    page.goto("/login/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()


AXE_JS = os.path.join(os.path.dirname(__file__), "vendor", "axe-core", "axe.min.js")


def axe_violations(page, rules: list[str] | None = None, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    """Run the vendored axe-core on the page as it is now. Injected through the DevTools
    protocol (page.evaluate), which the page's CSP does not govern, so the test sees the page
    with the same policy as a user. Returns violations of the given impacts (or rules)."""
    with open(AXE_JS, encoding="utf-8") as f:
        page.evaluate(f.read() + "\n;undefined")
    options = {"runOnly": {"type": "rule", "values": rules}} if rules else {}
    result = page.evaluate("(opts) => axe.run(document, opts)", options)
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["html"][:200] for n in v["nodes"]]}
        for v in result["violations"]
        if rules or v["impact"] in impacts
    ]
