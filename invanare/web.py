"""The resident's request plumbing: who is logged in (from the resident's own session)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from invanare.queries import resident_by_id
from vardmiljo.actor import ResidentActor
from vardmiljo.errors import NotFound
from vardmiljo.middleware import client_ip

SESSION_RESIDENT = "resident_id"


def resident_from(request: HttpRequest) -> ResidentActor | None:
    pk = request.session.get(SESSION_RESIDENT)
    if not pk:
        return None
    patient = resident_by_id(int(pk))
    if patient is None:
        return None
    return ResidentActor(patient=patient, client_ip=client_ip(request))


def resident_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A resident's page: logged in through the resident's own session, else the login page.
    A NotFound from the access module (someone else's record) is a plain 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        actor = resident_from(request)
        if actor is None:
            return redirect("invanare:login")
        request.resident = actor  # type: ignore[attr-defined]
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            return render(request, "invanare/not_found.html", {"resident": actor}, status=404)

    return wrapper


def rate_limited(key: str, limit: int, window: int = 3600) -> bool:
    """True when `key` has been used `limit` times in the current window."""
    bucket = f"rl:{key}"
    cache.add(bucket, 0, timeout=window)
    try:
        used = cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.set(bucket, 1, timeout=window)
        used = 1
    return used > limit
