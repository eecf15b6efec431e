"""Issue 13 item 15: the Hypothesis profile the suite runs under never fails a build for being slow."""

from __future__ import annotations

import os
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def test_13_15_ci_profile_has_no_deadline_and_no_too_slow_check() -> None:
    if os.environ.get("HYPOTHESIS_PROFILE", "ci") != "ci":
        return  # someone chose another profile on purpose
    assert settings.default.deadline is None
    assert HealthCheck.too_slow in settings.default.suppress_health_check


@settings(max_examples=3)
@given(st.integers())
def test_13_15_a_slow_example_on_a_loaded_machine_does_not_fail(n: int) -> None:
    # Longer than Hypothesis's default 200 ms deadline: fails under the default profile.
    time.sleep(0.25)
