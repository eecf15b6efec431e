"""Adapter to the national prescription service (e-recept).

Configured by the environment variable ERECEPT_ENDPOINT (read here, at call
time, so operators can set it without a code change):
- unset or empty: NotConfigured; the outbox row stays visibly queued;
- `local:`: the in-process simulated service (tests, demo without a server);
- `http://…` / `https://…`: POST JSON to the region's gateway, for instance the
  simulated endpoint of this app at /lakemedel/sim/erecept/.
ERECEPT_TIMEOUT (seconds, default 10) bounds each call. The idempotency key goes
in the `Idempotency-Key` header; the receiver de-duplicates on it.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from typing import Any

from vardmiljo import outbox
from vardmiljo.outbox import NotConfigured, PermanentFailure, TemporaryFailure

ENV_ENDPOINT = "ERECEPT_ENDPOINT"
ENV_TIMEOUT = "ERECEPT_TIMEOUT"


def endpoint() -> str:
    return os.environ.get(ENV_ENDPOINT, "").strip()


def timeout_seconds() -> float:
    try:
        return float(os.environ.get(ENV_TIMEOUT, "10"))
    except ValueError:
        return 10.0


def send(payload: dict[str, Any], *, key: str) -> dict[str, Any]:
    url = endpoint()
    if not url:
        raise NotConfigured(f"{ENV_ENDPOINT} är inte satt: receptet väntar i utkorgen")
    if url == "local:":
        from lakemedel.services import simulated_receive

        receipt, _dup = simulated_receive(key=key, payload=payload)
        return receipt
    if not url.startswith(("http://", "https://")):
        raise PermanentFailure(f"{ENV_ENDPOINT} måste börja med http://, https:// eller vara local:")
    timeout = timeout_seconds()
    body = json.dumps(payload).encode("utf-8")
    req = outbox.endpoint_request(
        url, data=body, headers={"Content-Type": "application/json", "Accept": "application/json", "Idempotency-Key": key}
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 (outbox.endpoint_request checked the scheme)
            data = json.loads(resp.read().decode("utf-8") or "{}")
    except urllib.error.HTTPError as exc:
        text = exc.read().decode("utf-8", "replace")[:500]
        if exc.code in (408, 425, 429) or exc.code >= 500:
            raise TemporaryFailure(f"HTTP {exc.code}: {text}")
        raise PermanentFailure(f"HTTP {exc.code}: {text}")
    except (TimeoutError, urllib.error.URLError, ConnectionError, OSError) as exc:
        raise TemporaryFailure(f"{type(exc).__name__}: {exc}")
    except ValueError as exc:
        raise TemporaryFailure(f"ogiltigt svar: {exc}")
    if not isinstance(data, dict) or not data.get("receipt_id"):
        raise TemporaryFailure("svaret saknar kvittens (receipt_id)")
    return data
