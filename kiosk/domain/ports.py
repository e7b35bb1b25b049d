"""What the domain needs of a database, as a Protocol.

:class:`kiosk.store.db.Database` satisfies it; so would anything else that
hands out one connection per consistent read and per whole write.
"""

from __future__ import annotations

import sqlite3
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol


class Store(Protocol):
    """Transactions over one SQLite file."""

    path: Path

    def read(self) -> AbstractContextManager[sqlite3.Connection]:
        """A read transaction: every statement inside sees the same snapshot."""
        ...

    def write(self) -> AbstractContextManager[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` transaction; commits whole or rolls back whole."""
        ...
