"""How hard the heavy tests push: small counts for `make test`, full ones for `make torture`.

The same test code runs in both; only the counts change, so the quick run
in CI exercises exactly what the long run proves at scale.
"""

from __future__ import annotations

import os

TORTURE = bool(os.environ.get("ASSETTRACK_TORTURE"))


def scaled(quick: int, full: int) -> int:
    """``quick`` under `make test`, ``full`` under `make torture`."""
    return full if TORTURE else quick
