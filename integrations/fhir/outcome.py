"""OperationOutcome: every error of the FHIR API, in Swedish."""

from __future__ import annotations

from typing import Any

FHIR_JSON = "application/fhir+json"


class FhirError(Exception):
    """Refuses a FHIR request: HTTP status, issue type (FHIR IssueType) and a Swedish message."""

    def __init__(self, status: int, code: str, message: str, *, expression: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.expression = expression

    def outcome(self) -> dict[str, Any]:
        return outcome(self.message, code=self.code, expression=self.expression)


def outcome(message: str, *, code: str, severity: str = "error", expression: str | None = None) -> dict[str, Any]:
    issue: dict[str, Any] = {"severity": severity, "code": code, "diagnostics": message, "details": {"text": message}}
    if expression:
        issue["expression"] = [expression]
    return {"resourceType": "OperationOutcome", "issue": [issue]}


def not_found(resource_type: str, resource_id: str) -> FhirError:
    # The same words for a row that does not exist and one the caller may not read.
    return FhirError(404, "not-found", f"{resource_type}/{resource_id} finns inte.")
