"""The one wall clock of stored data: UTC, ISO 8601, milliseconds, a ``Z``.

Read from ``time.time``, which may step (a Pi has no RTC; NTP corrects it
later): stored times are for people, order is by id.
"""

from __future__ import annotations

import datetime as _dt
import time


def utcnow() -> str:
    """Now, sortable and unambiguous: ``2026-11-25T21:59:00.123Z``."""
    now = _dt.datetime.fromtimestamp(time.time(), _dt.UTC)
    # isoformat is several times cheaper than strftime and, like it, truncates.
    return now.isoformat(timespec="milliseconds")[:-6] + "Z"
