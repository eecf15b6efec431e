"""The three errors services and queries raise; views and the API map them in one place."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as PermissionDenied  # re-export
from django.http import Http404


class DomainError(Exception):
    """A rule of the domain refused the act. The message is Swedish and shown to the user.

    `field` names the form field at fault, when there is one.
    """

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


class Conflict(DomainError):
    """Someone else changed the object meanwhile (stale tab, double triage)."""


class NotFound(Http404):
    """Absent and not allowed answer the same."""
