from __future__ import annotations

import pytest

from tidbok import demo as tidbok_demo
from tidbok.models import Booking, Resource, WaitlistEntry
from vardmiljo import demo

pytestmark = pytest.mark.django_db


def test_demo_seed_is_idempotent() -> None:
    ctx = demo.seed_core(patients=60, progress=lambda s: None)
    tidbok_demo.seed(ctx)
    counts = (Resource.objects.count(), Booking.objects.count(), WaitlistEntry.objects.count())
    assert counts[0] == 5 and counts[1] > 0 and counts[2] > 0
    tidbok_demo.seed(ctx)
    assert (Resource.objects.count(), Booking.objects.count(), WaitlistEntry.objects.count()) == counts
