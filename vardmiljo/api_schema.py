"""OpenAPI: every operation documents the errors the API answers with, in one place
(a drf-spectacular postprocessing hook), all with the one error body of
vardmiljo.api.exception_handler."""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA = {
    "type": "object",
    "description": "Varje fel från API:t: ett svenskt meddelande, en maskinläsbar kod och, när felet gäller ett fält eller en parameter, dess namn.",
    "properties": {
        "detail": {"type": "string", "description": "Felet, på svenska"},
        "code": {"type": "string", "description": "Felkod, t.ex. invalid, parse_error, not_found, permission_denied, throttled"},
        "field": {"type": "string", "description": "Fältet eller parametern som felet gäller"},
    },
    "required": ["detail", "code"],
}

ERRORS = {
    "400": "Felaktig begäran: ogiltiga fält eller parametrar, ej tolkningsbar JSON, eller en regel som vägrar åtgärden",
    "401": "Inte inloggad (token saknas eller är ogiltig)",
    "403": "Ingen behörighet, eller inget giltigt medarbetaruppdrag (X-Assignment)",
    "404": "Finns inte, eller får inte läsas (samma svar)",
    "405": "Metoden är inte tillåten",
    "406": "Svarsformatet kan inte levereras",
    "409": "Någon annan har ändrat uppgiften under tiden",
    "415": "Innehållstypen stöds inte",
    "429": "För många anrop; se Retry-After",
}


def error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """POSTPROCESSING_HOOKS entry: adds the Fel schema and, to every operation, each error
    status it can answer with (an operation's own description of one is kept)."""
    result.setdefault("components", {}).setdefault("schemas", {})["Fel"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Fel"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "put", "post", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for status_code, description in ERRORS.items():
                responses.setdefault(status_code, {"description": description, "content": {"application/json": {"schema": ref}}})
    return result
