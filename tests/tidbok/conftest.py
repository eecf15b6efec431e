"""Reuse the shared browser fixtures (Playwright on Debian chromium, no outside hosts) for tidbok's browser test."""

from tests.browser.conftest import browser, page  # noqa: F401
