"""Small helpers shared by the hardware tests."""

from __future__ import annotations

import time


def wait_for(predicate, timeout=30.0, interval=0.005):
    """Poll ``predicate`` until it is true or ``timeout`` passes; return its last value.

    The deadline is generous on purpose: it is there to end a test that hangs,
    not to measure speed, so a loaded machine only makes a passing test slower.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def timeline(pin):
    """A mock pin's history as (absolute monotonic time, level), oldest first.

    MockPin stores each change as the delay since the previous one; walking
    back from the time of the last change gives times comparable across pins.
    """
    at = pin._last_change
    events = []
    for state in reversed(pin.states):
        events.append((at, bool(state.state)))
        at -= state.timestamp
    return events[::-1]


class Clock:
    """A clock the test steps by hand (``clock.now += 0.05``): time without waiting."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
