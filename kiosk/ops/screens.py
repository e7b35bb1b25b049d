"""The kiosk's real screens, in the order a person meets them.

One story, played by the real state machine (:mod:`kiosk.flow.interaction`)
over a throw-away demo database, is the single source of every picture of
the OLED: ``scripts/make_screens.py`` renders it into ``docs/screens/`` for
the README, and ``assettrack hw display test`` shows it on the panel. So a
technician checking the wiring sees exactly the screens the kiosk shows.

    >>> [name for name, _ in tour()][:2]  # doctest: +SKIP
    ['01-idle', '02-stock-out-badge']
"""

from __future__ import annotations

import datetime as _dt
import tempfile
from collections.abc import Iterator
from pathlib import Path

from kiosk.domain.custody import Repair, StockOut, due_in
from kiosk.domain.operations import Operation, execute
from kiosk.flow.db_port import DbPort, settle
from kiosk.flow.interaction import Interaction, View
from kiosk.ops import demo
from kiosk.store.db import Database

#: Another process's change during the story (the CLI, as staff would run it).
CLI: dict[str, Operation] = {
    "stock-out LT-0201": StockOut(tag="LT-0201", badge="0042", due=due_in(7)),
    "repair LT-0102": Repair(tag="LT-0102"),
}
#: The story is told as if 10 days after it starts, so Alice's loan of
#: LT-0201, due in 7 days, shows as 3 days overdue when she borrows again.
LATER = 10

# (picture name, what happens before it is taken)
STORY: list[tuple[str, list[tuple[str, ...]]]] = [
    ("01-idle", []),
    ("02-stock-out-badge", [("scan", "LT-0101")]),
    ("03-stock-out-preview", [("scan", "BADGE:0043")]),
    ("04-stock-out-done", [("confirm",)]),
    ("05-stock-in-preview", [("cancel",), ("scan", "LT-0103")]),
    ("06-stock-in-done", [("confirm",)]),
    ("07-intake-preview", [("cancel",), ("scan", "LT-0999")]),
    ("08-conflict-slot-taken", [("scan", "SLOT:CART-A:2")]),
    ("09-unknown-badge", [("cancel",), ("scan", "LT-0102"), ("scan", "BADGE:9999")]),
    (
        "10-changed-since-preview",
        [
            ("cancel",),
            ("scan", "LT-0201"),
            ("scan", "BADGE:0044"),
            ("cli", "stock-out LT-0201"),
            ("confirm",),
        ],
    ),
    ("11-switch-step", [("scan", "LT-0104"), ("scan", "BADGE:0044"), ("scan", "LT-0202")]),
    ("12-cancelled", [("cancel",)]),
    ("13-overdue-loan", [("scan", "LT-0104"), ("scan", "BADGE:0042")]),
    ("14-bad-label", [("scan", "SLOT:CART-A:-1")]),
    ("15-back-from-repair", [("cli", "repair LT-0102"), ("scan", "LT-0102")]),
    ("16-not-understood", [("cancel",), ("scan", "BADGE:0042")]),
]


def tour() -> Iterator[tuple[str, View]]:
    """Play :data:`STORY`; yield each picture's name and the kiosk's view at that moment."""
    later = _dt.date.today() + _dt.timedelta(days=LATER)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(Path(tmp) / "demo.db")
        try:
            demo.seed(db)
            port = DbPort(db)
            machine = Interaction(port, today=lambda: later)
            now = 0.0
            for name, steps in STORY:
                for step in steps:
                    now += 1.0
                    _play(machine, port, db, step, now)
                yield name, machine.view
        finally:
            db.close()


def _play(
    machine: Interaction, port: DbPort, db: Database, step: tuple[str, ...], now: float
) -> None:
    verb = step[0]
    if verb == "scan":
        settle(machine, port, machine.scan(step[1], now), now=now)
    elif verb == "confirm":
        settle(machine, port, machine.confirm(now), now=now)
    elif verb == "cancel":
        machine.cancel(now)
    elif verb == "cli":
        # Not refreshed: Confirm must find the change (the daemon's tick may not have yet).
        execute(db, CLI[step[1]], actor="cli")
    else:
        raise ValueError(f"unknown story step {verb}")
