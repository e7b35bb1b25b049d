"""How hard the heavy tests push: small counts for `make test`, full ones for `make torture`.

The same test code runs in both; only the counts change, so the quick run
in CI exercises exactly what the long run proves at scale.
"""

from __future__ import annotations

import math
import os

TORTURE = bool(os.environ.get("ASSETTRACK_TORTURE"))


def scaled(quick: int, full: int) -> int:
    """``quick`` under `make test`, ``full`` under `make torture`."""
    return full if TORTURE else quick


def time_limit(count: int, seconds_each: float) -> int:
    """pytest-timeout's limit for a test that does ``count`` things of ``seconds_each`` at most.

    The limit grows with the count, so the full torture count gets the time
    it needs on a loaded two-core machine; it never drops below the suite's
    default of 300 s. ``seconds_each`` is a generous worst case (several
    times what one item takes on a busy machine), not a speed target.
    """
    return max(300, math.ceil(count * seconds_each))
