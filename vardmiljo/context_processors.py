from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from vardmiljo import registry

WORKLIST_CACHE_SECONDS = 20


def _worklists(actor: Any) -> list[dict[str, Any]]:
    # The top bar's counters are shown on every page; a count a few seconds old is
    # fine there, and it saves one COUNT per module on each page load.
    key = f"worklists:{actor.assignment.pk}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    worklists = []
    for w in registry.WORKLISTS.values():
        try:
            url = reverse(w.url_name)
        except NoReverseMatch:
            continue
        worklists.append({"title": w.title, "url": url, "count": w.count(actor)})
    cache.set(key, worklists, WORKLIST_CACHE_SECONDS)
    return worklists


def shell(request: HttpRequest) -> dict[str, Any]:
    actor = getattr(request, "actor", None)
    read_only = getattr(request, "read_only", False)
    return {
        "actor": actor,
        "demo_mode": settings.DEMO,
        "read_only": read_only,
        # Counters are writes-free reads, but the cache may be the very thing that is down.
        "worklists": _worklists(actor) if actor is not None and not read_only else [],
    }
