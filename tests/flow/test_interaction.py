"""The kiosk state machine, path by path, against a real demo database.

Each case is a script of steps; after every step the state, the lit slot
LEDs and a piece of the screen text are checked. Steps:

``scan CODE``, ``confirm``, ``cancel``
    the person's inputs (a confirm commits, as the daemon does);
``wait N``
    N seconds pass, then a tick;
``cli OP TAG [key=value ...]``
    another process commits (a second connection), *without* telling the kiosk;
``refresh``
    the kiosk notices the change (the daemon does this on its next tick).
"""

from __future__ import annotations

import pytest

from kiosk.domain import assets
from kiosk.domain.operations import execute
from kiosk.domain.types import SlotRef
from kiosk.flow.db_port import DbPort, settle
from kiosk.flow.interaction import (
    AWAIT_BADGE,
    CONFLICT,
    ERROR,
    IDLE,
    PREVIEW,
    REPLACE,
    SUCCESS,
    Interaction,
)
from kiosk.flow.wording import screen_text
from tests.domain.helpers import REQUESTS

A1, A3, A4, A6 = "CART-A:1", "CART-A:3", "CART-A:4", "CART-A:6"
BLINK, ON = "blink", "on"

# name: (steps, expected end state of assets {tag: (status, slot)}, kiosk commits)
# A step is (input, state, lit LEDs or None to skip, text the screen shows or None).
CASES = {
    "stock-out asks for a badge, then commits": (
        [
            ("scan LT-0101", AWAIT_BADGE, {A1: BLINK}, "Scan your badge"),
            ("scan BADGE:0043", PREVIEW, {A1: BLINK}, "LT-0101 -> Bob Okafor"),
            ("confirm", SUCCESS, {}, "Done"),
            ("wait 3", IDLE, {}, "Scan an asset"),
        ],
        {"LT-0101": ("IN_CUSTODY", None)},
        1,
    ),
    "unknown badge is a conflict; the next badge retries": (
        [
            ("scan LT-0101", AWAIT_BADGE, {A1: BLINK}, None),
            ("scan BADGE:9999", CONFLICT, {}, "unknown badge 9999"),
            ("confirm", CONFLICT, {}, None),
            ("scan BADGE:0044", PREVIEW, {A1: BLINK}, "LT-0101 -> Chen Wei"),
            ("cancel", IDLE, {}, None),
        ],
        {"LT-0101": ("IN_STOCK", A1)},
        0,
    ),
    "stock-in to the home slot": (
        [
            ("scan LT-0103", PREVIEW, {A3: BLINK}, "LT-0103 returned by Alice Ng"),
            ("confirm", SUCCESS, {A3: ON}, "LT-0103 in CART-A:3"),
            ("wait 2.9", SUCCESS, {A3: ON}, None),
            ("wait 0.1", IDLE, {}, None),
        ],
        {"LT-0103": ("IN_STOCK", A3)},
        1,
    ),
    "a slot label retargets a stock-in": (
        [
            ("scan LT-0103", PREVIEW, {A3: BLINK}, None),
            ("scan SLOT:CART-B:4", PREVIEW, {"CART-B:4": BLINK}, "into CART-B:4"),
            ("confirm", SUCCESS, {"CART-B:4": ON}, None),
        ],
        {"LT-0103": ("IN_STOCK", "CART-B:4")},
        1,
    ),
    "occupied home slot blocks; another slot label unblocks": (
        [
            ("cli add LT-0900 into=CART-A:3", IDLE, {}, None),
            ("scan LT-0103", CONFLICT, {}, "slot CART-A:3 holds LT-0900"),
            ("confirm", CONFLICT, {}, None),
            ("scan SLOT:CART-A:4", PREVIEW, {A4: BLINK}, "into CART-A:4"),
            ("confirm", SUCCESS, {A4: ON}, None),
        ],
        {"LT-0103": ("IN_STOCK", A4), "LT-0900": ("IN_STOCK", A3)},
        1,
    ),
    "a retired asset is a conflict; the next scan clears it": (
        [
            ("cli retire LT-0102", IDLE, {}, None),
            ("scan LT-0102", CONFLICT, {}, "RETIRED"),
            ("confirm", CONFLICT, {}, None),
            ("scan LT-0101", AWAIT_BADGE, {A1: BLINK}, None),
        ],
        {"LT-0102": ("RETIRED", None)},
        0,
    ),
    "back from repair goes home": (
        [
            ("cli repair LT-0102", IDLE, {}, None),
            ("scan LT-0102", PREVIEW, {"CART-A:2": BLINK}, "LT-0102 back from repair"),
            ("confirm", SUCCESS, {"CART-A:2": ON}, None),
        ],
        {"LT-0102": ("IN_STOCK", "CART-A:2")},
        1,
    ),
    "a lost asset found at the kiosk goes home": (
        [
            ("cli lost LT-0201", IDLE, {}, None),
            ("scan LT-0201", PREVIEW, {"CART-B:1": BLINK}, "LT-0201 found"),
            ("scan CMD:CONFIRM", SUCCESS, {"CART-B:1": ON}, None),
        ],
        {"LT-0201": ("IN_STOCK", "CART-B:1")},
        1,
    ),
    "intake proposes the first free slot": (
        [
            # CART-A:3 is empty but kept for LT-0103, out with Alice: A4 is first free.
            ("scan LT-0999", PREVIEW, {A4: BLINK}, "New asset"),
            ("confirm", SUCCESS, {A4: ON}, None),
        ],
        {"LT-0999": ("IN_STOCK", A4)},
        1,
    ),
    "intake into a scanned slot; an occupied one is a conflict": (
        [
            ("scan LT-0999", PREVIEW, {A4: BLINK}, None),
            ("scan SLOT:CART-A:1", CONFLICT, {}, "slot CART-A:1 holds LT-0101"),
            ("scan SLOT:CART-B:6", PREVIEW, {"CART-B:6": BLINK}, "into CART-B:6"),
            ("confirm", SUCCESS, {"CART-B:6": ON}, None),
        ],
        {"LT-0999": ("IN_STOCK", "CART-B:6")},
        1,
    ),
    "cancel while waiting for a badge": (
        [
            ("scan LT-0101", AWAIT_BADGE, {A1: BLINK}, None),
            ("cancel", IDLE, {}, "Scan an asset"),
            ("confirm", IDLE, {}, None),
        ],
        {"LT-0101": ("IN_STOCK", A1)},
        0,
    ),
    "the cancel code works like the button": (
        [
            ("scan LT-0103", PREVIEW, {A3: BLINK}, None),
            ("scan CMD:CANCEL", IDLE, {}, None),
        ],
        {"LT-0103": ("IN_CUSTODY", None)},
        0,
    ),
    "no input for the idle timeout drops the step": (
        [
            ("scan LT-0101", AWAIT_BADGE, {A1: BLINK}, None),
            ("wait 29.9", AWAIT_BADGE, {A1: BLINK}, None),
            ("wait 0.1", IDLE, {}, None),
            ("scan LT-0103", PREVIEW, {A3: BLINK}, None),
            ("wait 30", IDLE, {}, None),
        ],
        {"LT-0101": ("IN_STOCK", A1), "LT-0103": ("IN_CUSTODY", None)},
        0,
    ),
    "a new tag asks before it replaces the preview; scanned again it does": (
        [
            ("scan LT-0103", PREVIEW, {A3: BLINK}, None),
            ("scan LT-0101", REPLACE, {}, "LT-0103 stock-in is not done"),
            ("confirm", REPLACE, {}, "Rescan it, or Cancel"),
            ("scan LT-0101", AWAIT_BADGE, {A1: BLINK}, "LT-0101"),
        ],
        {"LT-0103": ("IN_CUSTODY", None)},
        0,
    ),
    "stray scans keep the step and say what is expected": (
        [
            ("scan LT-0101", AWAIT_BADGE, {A1: BLINK}, None),
            ("scan SLOT:CART-A:4", AWAIT_BADGE, {A1: BLINK}, "Scan your badge first"),
            ("confirm", AWAIT_BADGE, {A1: BLINK}, "Scan your badge first"),
            ("scan BADGE:0042", PREVIEW, {A1: BLINK}, None),
            ("scan BADGE:0043", PREVIEW, {A1: BLINK}, "Bob Okafor"),
            ("scan SLOT:CART-A:4", PREVIEW, {A1: BLINK}, "Confirm or Cancel?"),
        ],
        {},
        0,
    ),
    "labels and junk at idle are errors": (
        [
            ("scan SLOT:CART-A:1", ERROR, {}, "scan an asset tag first"),
            ("scan BADGE:0042", ERROR, {}, "badge"),
            ("scan " + "X" * 80, ERROR, {}, "not a tag"),
            ("scan SLOT:CART-A:0", ERROR, {}, "bad slot label"),
            ("confirm", ERROR, {}, None),
            ("cancel", IDLE, {}, None),
        ],
        {},
        0,
    ),
    "changed since preview is a hard stop, not an overwrite": (
        [
            ("scan LT-0103", PREVIEW, {A3: BLINK}, None),
            ("cli stock_in LT-0103 slot=CART-B:3", PREVIEW, {A3: BLINK}, None),
            ("confirm", CONFLICT, {}, "changed since preview"),
            ("wait 30", IDLE, {}, None),
        ],
        {"LT-0103": ("IN_STOCK", "CART-B:3")},
        0,
    ),
    "a plan that still holds but differs at confirm is refused, not applied": (
        [
            ("scan LT-0101", AWAIT_BADGE, {A1: BLINK}, None),
            ("scan BADGE:0043", PREVIEW, {A1: BLINK}, "LT-0101 -> Bob Okafor"),
            ("cli move LT-0101 slot=CART-A:6", PREVIEW, {A1: BLINK}, None),
            ("confirm", CONFLICT, {}, "changed since preview"),
        ],
        {"LT-0101": ("IN_STOCK", A6)},
        0,
    ),
    "a CLI change during a preview moves the LED": (
        [
            ("scan LT-0999", PREVIEW, {A4: BLINK}, None),
            ("cli add LT-0950 into=CART-A:4", PREVIEW, {A4: BLINK}, None),
            ("refresh", PREVIEW, {A6: BLINK}, "Changed meanwhile"),
            ("confirm", SUCCESS, {A6: ON}, None),
        ],
        {"LT-0999": ("IN_STOCK", A6), "LT-0950": ("IN_STOCK", A4)},
        1,
    ),
    "a CLI change that blocks the preview turns it into a conflict": (
        [
            ("scan LT-0103", PREVIEW, {A3: BLINK}, None),
            ("cli add LT-0950 into=CART-A:3", PREVIEW, {A3: BLINK}, None),
            ("refresh", CONFLICT, {}, "holds LT-0950"),
        ],
        {"LT-0103": ("IN_CUSTODY", None)},
        0,
    ),
    "a CLI stock-out while waiting for a badge": (
        [
            ("scan LT-0101", AWAIT_BADGE, {A1: BLINK}, None),
            ("cli stock_out LT-0101 badge=0042", AWAIT_BADGE, {A1: BLINK}, None),
            ("refresh", CONFLICT, {}, "changed meanwhile"),
        ],
        {"LT-0101": ("IN_CUSTODY", None)},
        0,
    ),
    "a CLI change after success puts the steady LED out": (
        [
            ("scan LT-0103", PREVIEW, {A3: BLINK}, None),
            ("confirm", SUCCESS, {A3: ON}, None),
            ("cli stock_out LT-0103 badge=0044", SUCCESS, {A3: ON}, None),
            ("refresh", IDLE, {}, None),
        ],
        {"LT-0103": ("IN_CUSTODY", None)},
        1,
    ),
    "an unrelated CLI change leaves the preview alone": (
        [
            ("scan LT-0103", PREVIEW, {A3: BLINK}, "Confirm / Cancel"),
            ("cli repair LT-0202", PREVIEW, {A3: BLINK}, None),
            ("refresh", PREVIEW, {A3: BLINK}, "Confirm / Cancel"),
            ("confirm", SUCCESS, {A3: ON}, None),
        ],
        {"LT-0103": ("IN_STOCK", A3), "LT-0202": ("REPAIR", None)},
        1,
    ),
}


def cli(db, op, tag, *pairs):
    args = dict(p.split("=", 1) for p in pairs)
    for key in ("into", "slot"):
        if key in args:
            args[key] = SlotRef.parse(args[key])
    execute(db, REQUESTS[op](tag=tag, **args), actor="cli")


class Script:
    """Plays a case's steps the way the daemon's main loop would."""

    def __init__(self, kiosk_db, other_db, **options):
        self.port = DbPort(kiosk_db)
        self.other = other_db
        self.now = 100.0
        options = {"idle_timeout": 30, "success_hold": 3, **options}
        self.machine = Interaction(self.port, now=self.now, **options)

    def step(self, action):
        verb, _, rest = action.partition(" ")
        m = self.machine
        if verb == "scan":
            settle(m, self.port, m.scan(rest, self.now), now=self.now)
        elif verb == "confirm":
            settle(m, self.port, m.confirm(self.now), now=self.now)
        elif verb == "cancel":
            m.cancel(self.now)
        elif verb == "wait":
            self.now += float(rest)
            m.tick(self.now)
        elif verb == "cli":
            cli(self.other, *rest.split())
        elif verb == "refresh":
            m.refresh(self.now)
        else:
            raise ValueError(action)


def play(script, steps):
    """Play ``steps`` (input, state, lit LEDs, text on screen); returns the last view."""
    for action, state, leds, text in steps:
        script.step(action)
        view = script.machine.view
        where = f"after {action!r}: {view}"
        assert view.state == state, where
        if leds is not None:
            assert dict(view.leds) == leds, where
        if text is not None:
            assert text.lower() in " ".join(screen_text(view.screen)).lower(), where
    return script.machine.view


@pytest.mark.parametrize("name", list(CASES))
def test_path(name, kiosk_db, other_db):
    steps, end, commits = CASES[name]
    script = Script(kiosk_db, other_db)
    assert script.machine.state == IDLE
    play(script, steps)
    with kiosk_db.read() as conn:
        for tag, (status, slot) in end.items():
            asset = assets.get(conn, tag)
            assert (asset.status, None if asset.slot is None else str(asset.slot)) == (
                status,
                slot,
            ), tag
        done = conn.execute("SELECT count(*) FROM events WHERE actor = 'kiosk'").fetchone()[0]
    assert done == commits


STATUS_LEDS = {
    IDLE: ("on", "off"),
    AWAIT_BADGE: ("blink", "off"),
    PREVIEW: ("blink", "off"),
    CONFLICT: ("off", "on"),
    ERROR: ("off", "on"),
    SUCCESS: ("on", "off"),
}


@pytest.mark.parametrize(
    "actions",
    [
        [],
        ["scan LT-0101"],
        ["scan LT-0103"],
        ["scan LT-0102", "scan BADGE:9999"],
        ["scan BADGE:0042"],
        ["scan LT-0103", "confirm"],
    ],
)
def test_status_leds_follow_the_state(actions, kiosk_db, other_db):
    script = Script(kiosk_db, other_db)
    for action in actions:
        script.step(action)
    view = script.machine.view
    assert (view.ready, view.conflict) == STATUS_LEDS[view.state]


def test_every_screen_fits_the_panel(kiosk_db, other_db):
    script = Script(kiosk_db, other_db)
    long_tag = "LT-" + "9" * 60
    for action in ("scan " + long_tag, "scan SLOT:CART-B:5", "confirm", "scan LT-0101"):
        script.step(action)
        screen = script.machine.view.screen
        assert len(screen.lines) <= 4
        assert all(len(line) <= 21 for line in screen.lines), screen


def test_control_characters_never_reach_the_screen(kiosk_db, other_db):
    script = Script(kiosk_db, other_db)
    script.step("scan LT-01\x1b[2J")
    text = "".join(screen_text(script.machine.view.screen))
    assert "\x1b" not in text
    assert script.machine.state == ERROR
