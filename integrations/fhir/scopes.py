"""SMART App Launch v2 / Backend Services scopes: `<context>/<type>.<permissions>`.

context: patient, user or system; type: a resource type or `*`; permissions: an ordered
subset of c r u d s (v2) or read / write / * (v1). The resource types are those the
registry serves, so a scope for something not served is unknown.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from oauth2_provider.scopes import BaseScopes

CONTEXTS = ("patient", "user", "system")
# Scopes that are not about resources.
OTHER_SCOPES = {
    "openid": "Din identitet (OpenID Connect)",
    "fhirUser": "Vem du är i vårdsystemet (Practitioner)",
    "profile": "Ditt namn",
    "offline_access": "Fortsatt åtkomst utan ny inloggning",
    "online_access": "Fortsatt åtkomst medan du är inloggad",
}
_SCOPE = re.compile(r"^(patient|user|system)/(\*|[A-Z][A-Za-z]+)\.(\*|read|write|c?r?u?d?s?)$")
_V1 = {"read": "rs", "write": "cud", "*": "cruds"}
_VERBS = {"c": "skapa", "r": "läsa", "u": "ändra", "d": "ta bort", "s": "söka"}


@dataclass(frozen=True)
class Scope:
    context: str
    resource: str  # a type or "*"
    permissions: frozenset[str]

    def allows(self, context: str, resource: str, permission: str) -> bool:
        return self.context == context and self.resource in ("*", resource) and permission in self.permissions

    def covers(self, other: Scope) -> bool:
        return self.context == other.context and self.resource in ("*", other.resource) and other.permissions <= self.permissions


def parse(scope: str) -> Scope | None:
    """The resource scope, or None when `scope` is not one (or names a type not served)."""
    from integrations.fhir.registry import REGISTRY

    m = _SCOPE.match(scope)
    if m is None or not m.group(3):
        return None
    context, resource, perms = m.groups()
    if resource != "*" and resource not in REGISTRY:
        return None
    return Scope(context, resource, frozenset(_V1.get(perms, perms)))


def resource_scopes(scopes: list[str] | str) -> list[Scope]:
    words = scopes.split() if isinstance(scopes, str) else scopes
    return [s for s in (parse(w) for w in words) if s is not None]


def is_known(scope: str) -> bool:
    return scope in OTHER_SCOPES or parse(scope) is not None


def describe(scope: str) -> str:
    if scope in OTHER_SCOPES:
        return OTHER_SCOPES[scope]
    s = parse(scope)
    if s is None:
        raise KeyError(scope)
    who = {"patient": "den valda patientens", "user": "dina patienters", "system": "systemets"}[s.context]
    what = "alla resurstyper" if s.resource == "*" else s.resource
    verbs = ", ".join(v for k, v in _VERBS.items() if k in s.permissions)
    return f"{verbs.capitalize()} {who} uppgifter: {what}"


class _Descriptions(Mapping[str, str]):
    """Every valid scope with its Swedish description (the consent page looks them up)."""

    def __getitem__(self, key: str) -> str:
        return describe(key)

    def __iter__(self) -> Iterator[str]:
        from integrations.fhir.registry import REGISTRY

        yield from OTHER_SCOPES
        for context in CONTEXTS:
            for resource in ("*", *REGISTRY):
                for perms in ("rs", "cruds"):
                    yield f"{context}/{resource}.{perms}"

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and is_known(key)


class SmartScopes(BaseScopes):
    """django-oauth-toolkit's scope backend: the scopes follow the registry of served types."""

    def get_all_scopes(self) -> Mapping[str, str]:
        return _Descriptions()

    def get_available_scopes(self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any) -> list[str]:
        return list(_Descriptions())

    def get_default_scopes(self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any) -> list[str]:
        return ["openid", "fhirUser", "user/*.rs"]
