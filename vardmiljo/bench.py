"""The benchmark framework behind `make bench` / `manage.py bench`.

Each app may add `<app>/bench.py` with
    def seed_bench(ctx: BenchContext) -> None      # bulk data at scale, idempotent
    def scenarios(ctx: BenchContext) -> list[Scenario]
A scenario performs one request through Django's full request path (the test
Client: middleware, access check, audit row included) and the command prints
`<scenario> n=<requests> p50=<ms> p95=<ms> p99=<ms>` of server time: from the
moment the WSGI handler gets the request until the response is closed, as a WSGI
server would call it. What only the test client does (encoding the form, reading
cookies back) is not server time; the round trip is printed beside it (`rt95`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.messages.storage.cookie import CookieStorage
from django.test import Client
from django.test.client import ClientHandler

from vardmiljo.actor import Actor
from vardmiljo.demo import DemoContext
from vardmiljo.middleware import SESSION_KEY


class _TimedHandler(ClientHandler):
    """Django's test handler, timing what the server does for one request."""

    def __call__(self, environ: dict[str, Any]) -> Any:
        start = time.perf_counter()
        response = super().__call__(environ)
        response.server_ms = (time.perf_counter() - start) * 1000  # type: ignore[attr-defined]
        return response


class BenchClient(Client):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.handler = _TimedHandler(enforce_csrf_checks=False)

    def post(self, *args: Any, **kwargs: Any) -> Any:
        response = super().post(*args, **kwargs)
        # A click's "saved" message is shown, and cleared, by the page the browser is sent
        # to next; the benchmark does not follow redirects, so clear it as that page would
        # (else messages pile up in the cookie, then in the session, request after request).
        self.cookies.pop(CookieStorage.cookie_name, None)
        return response


@dataclass
class Scenario:
    name: str
    # Called with the request number; performs one request and returns the response.
    run: Callable[[int], Any]
    n: int = 300
    # Called once before timing (e.g. to create the drafts a sign scenario signs).
    prepare: Callable[[int], Any] | None = None


@dataclass
class BenchContext:
    demo: DemoContext
    patients: int
    state: dict[str, Any] = field(default_factory=dict)
    _clients: dict[str, BenchClient] = field(default_factory=dict)

    def actor(self, key: str = "anna") -> Actor:
        a = self.demo.assignments[key]
        return Actor(staff=self.demo.staff[key], assignment=a, client_ip="127.0.0.1")

    def client(self, key: str = "anna") -> BenchClient:
        """A logged-in client acting in the persona's assignment (anna = physician at Vårdcentral Centrum)."""
        if key not in self._clients:
            c = BenchClient(raise_request_exception=True)
            c.force_login(self.demo.staff[key])
            s = c.session
            s[SESSION_KEY] = self.demo.assignments[key].pk
            s.save()
            self._clients[key] = c
        return self._clients[key]


def percentile(sorted_ms: list[float], p: float) -> float:
    if not sorted_ms:
        return 0.0
    k = (len(sorted_ms) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(sorted_ms) - 1)
    return sorted_ms[lo] + (sorted_ms[hi] - sorted_ms[lo]) * (k - lo)
