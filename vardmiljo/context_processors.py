from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from vardmiljo import registry


def shell(request: HttpRequest) -> dict[str, Any]:
    actor = getattr(request, "actor", None)
    worklists = []
    if actor is not None:
        for w in registry.WORKLISTS.values():
            try:
                url = reverse(w.url_name)
            except NoReverseMatch:
                continue
            worklists.append({"title": w.title, "url": url, "count": w.count(actor)})
    return {"actor": actor, "demo_mode": settings.DEMO, "worklists": worklists}
