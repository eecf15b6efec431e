"""Delivery adapters. Configured from the environment only:

- `REGISTRY_<NAME>_URL`    endpoint of registry <NAME> (e.g. REGISTRY_NDR_URL); unset = not
                           configured: transfers stay visibly queued until it is set;
- `REGISTRY_<NAME>_TOKEN`  optional bearer token for that endpoint;
- `REGISTRY_<NAME>_TIMEOUT_SECONDS`, else `REGISTRY_TIMEOUT_SECONDS` (default 10): seconds one
  network operation towards that registry may take.

The call happens outside any transaction (outbox handler, local=False) and
carries the outbox row's idempotency key, so the receiver de-duplicates retries.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from typing import Any, Protocol
from urllib.parse import urlparse

from vardmiljo import outbox
from vardmiljo.outbox import NotConfigured, PermanentFailure, TemporaryFailure


class Adapter(Protocol):
    def send(self, payload: dict[str, Any], *, idempotency_key: str) -> dict[str, Any]: ...


def timeout_seconds(registry: str = "") -> float:
    name = f"REGISTRY_{registry.upper()}_TIMEOUT_SECONDS"
    if not (registry and os.environ.get(name, "").strip()):
        name = "REGISTRY_TIMEOUT_SECONDS"
    raw = os.environ.get(name, "10")
    try:
        return float(raw)
    except ValueError:
        raise NotConfigured(f"{name} must be a number, got {raw!r}") from None


class HttpJsonAdapter:
    def __init__(self, registry: str) -> None:
        self.registry = registry
        self.env = f"REGISTRY_{registry.upper()}_URL"

    def url(self) -> str:
        url = os.environ.get(self.env, "").strip()
        if not url:
            raise NotConfigured(f"{self.env} is not set")
        if urlparse(url).scheme not in ("http", "https"):
            raise NotConfigured(f"{self.env} must be an http(s) URL")
        return url

    def send(self, payload: dict[str, Any], *, idempotency_key: str) -> dict[str, Any]:
        url = self.url()
        headers = {"Content-Type": "application/json", "Idempotency-Key": idempotency_key, "Accept": "application/json"}
        token = os.environ.get(f"REGISTRY_{self.registry.upper()}_TOKEN", "").strip()
        if token:
            headers["Authorization"] = f"Bearer {token}"
        body = json.dumps(payload, ensure_ascii=False).encode()
        request = outbox.endpoint_request(url, data=body, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout_seconds(self.registry)) as resp:  # noqa: S310 (outbox.endpoint_request checked the scheme)
                raw = resp.read()
                status = resp.status
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:300].decode(errors="replace")
            if exc.code in (408, 425, 429) or exc.code >= 500:
                raise TemporaryFailure(f"HTTP {exc.code} från {self.registry}: {detail}") from None
            raise PermanentFailure(f"HTTP {exc.code} från {self.registry}: {detail}") from None
        except TimeoutError as exc:
            raise TemporaryFailure(f"Tidsgräns mot {self.registry}: {exc}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise TemporaryFailure(f"Kunde inte nå {self.registry}: {exc}") from None
        try:
            receipt = json.loads(raw or b"{}")
        except ValueError:
            raise TemporaryFailure(f"Oläsbart kvitto från {self.registry} (HTTP {status})") from None
        if not isinstance(receipt, dict):
            raise TemporaryFailure(f"Oläsbart kvitto från {self.registry} (HTTP {status})")
        receipt.setdefault("http_status", status)
        return receipt
