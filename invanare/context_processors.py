from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def resident(request: HttpRequest) -> dict[str, Any]:
    """The logged-in resident on the resident's pages (set by invanare.web.resident_required)."""
    return {"resident": getattr(request, "resident", None)}
