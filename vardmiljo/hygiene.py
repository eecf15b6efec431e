"""Input hygiene in one place: a NUL or another control character in any query parameter,
form field or JSON value is refused with a clear 400 before a view sees it.

PostgreSQL cannot store NUL in text (it raised a DataError: a 500), and no person types a
control character into a form, so such input is an attack or a broken client either way.
Tab, line feed and carriage return are text, not control input, and stay allowed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _

# C0 controls except \t \n \r, DEL, and the C1 controls.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
JSON_TYPES = re.compile(r"^application/(?:[\w.+-]+\+)?json\b", re.I)


def _json_strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            yield name, str(key)
            yield from _json_strings(item, name)
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from _json_strings(item, f"{path}[{n}]" if path else f"[{n}]")


def _query_strings(query: QueryDict) -> Iterator[tuple[str, str]]:
    for key, values in query.lists():
        yield key, key
        for value in values:
            yield key, value


def bad_field(request: HttpRequest) -> str | None:
    """The name of the first parameter or field that holds a control character, or None."""
    if CONTROL.search(request.path):
        return "path"
    for name, text in _query_strings(request.GET):
        if CONTROL.search(text):
            return name
    content_type = request.META.get("CONTENT_TYPE", "")
    # The API reads JSON only (a form body gets its 415 there): reading the form here would
    # consume the body DRF must see.
    form = content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))
    if request.method == "POST" and form and not request.path.startswith("/api/"):
        for name, text in _query_strings(request.POST):
            if CONTROL.search(text):
                return name
    elif request.method in {"POST", "PUT", "PATCH"} and JSON_TYPES.match(content_type):
        try:
            data = json.loads(request.body or b"null")
        except (ValueError, UnicodeDecodeError):
            return None  # malformed JSON: the API's parser answers that
        for name, text in _json_strings(data):
            if CONTROL.search(text):
                return name or "body"
    return None


def refusal(request: HttpRequest, field: str) -> HttpResponse:
    message = _(
        "Indata innehåller ett otillåtet styrtecken (till exempel NUL) i fältet ”%(field)s”. Ta bort tecknet och försök igen."
    ) % {"field": field}
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "control_character", "field": field}, status=400)
    return render(request, "vardmiljo/bad_input.html", {"message": message}, status=400)


class InputHygieneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        field = bad_field(request)
        if field is not None:
            return refusal(request, field)
        return self.get_response(request)
