"""Retry a write once when PostgreSQL gives up on it for a reason that a second try
resolves: a detected deadlock (40P01) or a serialisation failure (40001).

Our writes take their locks in one order (the object's row first, then the access log's
chain head), so this should not happen; when it does anyway (a lock order we have not
foreseen, an operator's job) the user's save must not be lost to it.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db import OperationalError, connection

log = logging.getLogger(__name__)

RETRYABLE = frozenset({"40P01", "40001"})

P = ParamSpec("P")
R = TypeVar("R")


def is_retryable(exc: BaseException) -> bool:
    cause = exc.__cause__ or exc.__context__
    return getattr(cause, "sqlstate", None) in RETRYABLE


def retry_once(func: Callable[P, R]) -> Callable[P, R]:
    """Wrap a service whose body is one transaction (put it outside @transaction.atomic).
    Inside a caller's transaction there is nothing to retry: the whole transaction is lost."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if connection.in_atomic_block:
            return func(*args, **kwargs)
        try:
            return func(*args, **kwargs)
        except OperationalError as exc:
            if not is_retryable(exc):
                raise
            log.warning("%s: %s; trying once more", func.__qualname__, str(exc).splitlines()[0])
            return func(*args, **kwargs)

    return wrapper
