"""Helpers shared by the browser views of every app."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import get_script_prefix, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from vardmiljo.actor import Actor
from vardmiljo.errors import DomainError


def actor_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page for staff acting in a chosen, active assignment."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if getattr(request, "actor", None) is None:
            return redirect("choose_assignment")
        return view(request, *args, **kwargs)

    return wrapper


def get_actor(request: HttpRequest) -> Actor:
    actor = getattr(request, "actor", None)
    if actor is None:  # a view without @actor_required: a programming error, never a user's
        raise RuntimeError("get_actor() needs a view decorated with @actor_required")
    return actor


_ID = 2_147_483_647  # a sentinel id no row has


@lru_cache(maxsize=256)
def _id_url_parts(name: str, script_prefix: str) -> tuple[str, str]:
    url = reverse(name, args=[_ID])
    head, _, tail = url.partition(str(_ID))
    return head, tail


def id_url(name: str) -> Callable[[int], str]:
    """The URL of a page that takes one id, for many ids: reversed once, not once per row
    (lists and panels show dozens of links)."""
    head, tail = _id_url_parts(name, get_script_prefix())
    return lambda pk: f"{head}{int(pk)}{tail}"


def form_error(form: Form, exc: DomainError) -> None:
    """Show a service's DomainError on the form: on its field, or on top."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


def safe_next(request: HttpRequest, value: str | None, fallback: str) -> str:
    """Where to go after a form: the `next` the page carried when it is a path on this
    host, else `fallback` (a URL or URL name). Every `next` read goes through here, so a
    link cannot send staff off-site (https://evil.example/, //evil.example/, javascript:)."""
    candidate = (value or "").strip()
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback
