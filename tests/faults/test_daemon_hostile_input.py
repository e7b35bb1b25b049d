"""Anything scanned, never confirmed: the kiosk survives it and commits nothing.

Two levels. The running daemon gets a stream of hostile scanner input through
its pty: random bytes, overlong lines, NULs, terminal escapes, invalid UTF-8,
valid-looking codes for assets in odd states, slot labels, badges and the
cancel code, but never the confirm code and no button press. Then the pure
state machine (kiosk.flow.interaction) over a real demo database, driven by
Hypothesis through arbitrary scans, cancels, ticks and refreshes, must never
raise, never hand out a plan, and never light an LED that does not match
the database.
"""

from __future__ import annotations

import logging
import random
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.daemon import control
from kiosk.domain.operations import execute
from kiosk.flow.db_port import DbPort
from kiosk.flow.interaction import (
    AWAIT_BADGE,
    AWAIT_SLOT,
    CONFLICT,
    ERROR,
    IDLE,
    PREVIEW,
    REPLACE,
    SUCCESS,
    Interaction,
)
from tests.conftest import snapshot
from tests.counts import scaled, time_limit
from tests.daemon.helpers import looping, wait_for
from tests.domain.helpers import REQUESTS
from tests.faults.helpers import brisk_daemon

INPUTS = scaled(5_000, 100_000)
EXAMPLES = scaled(200, 3_000)
CONFIRM = b"CMD:CONFIRM"
SENTINEL = "END-OF-FUZZ"

#: Codes a person could print: demo assets in every state, slots real and not, badges.
VALID_LOOKING = [
    "LT-0101",  # in stock, in its slot
    "LT-0102",  # retired (below)
    "LT-0103",  # out with Alice
    "LT-0104",  # in repair (below)
    "LT-0202",  # lost (below)
    "LT-9999",  # unknown: intake
    "lt-0101",
    "SLOT:CART-A:3",
    "SLOT:CART-A:1",
    "SLOT:CART-B:6",
    "SLOT:CART-Z:1",
    "SLOT:CART-A:0",
    "SLOT:CART-A:99999999999999999999",
    "SLOT::",
    "SLOT:CART-A:3:4",
    "BADGE:0042",
    "BADGE:0044",
    "BADGE:9999",
    "BADGE:",
    "BADGE:BADGE:0042",
    "CMD:CANCEL",
    "CMD:CANCEL ",
    "CMD:confirm",
    "CMD:",
    "'; DROP TABLE assets; --",
    "%s%s%n",
    "{cmd}",
]
ESCAPES = [b"\x1b[2J", b"\x1b]0;owned\x07", b"\x1bc", b"\x9b31m", b"\xe2\x80\xae", b"\x00" * 8]


@pytest.fixture
def odd_states(kiosk_db):
    """The demo with assets retired, in repair and lost, besides the one out on loan."""
    for op, tag in (("retire", "LT-0102"), ("repair", "LT-0104"), ("lost", "LT-0202")):
        execute(kiosk_db, REQUESTS[op](tag=tag), actor="test")
    return kiosk_db


def hostile(rng: random.Random) -> bytes:
    """One line of hostile scanner input (terminated), never holding the confirm code."""
    while True:
        kind = rng.randrange(8)
        if kind == 0:
            data = rng.randbytes(rng.randrange(1, 200))
        elif kind == 1:  # overlong, printable
            data = bytes(rng.choice(b"LT-0123456789ABC") for _ in range(rng.randrange(129, 3000)))
        elif kind == 2:  # a valid code with NULs or an escape inside
            code = rng.choice(VALID_LOOKING).encode()
            cut = rng.randrange(len(code) + 1)
            data = code[:cut] + rng.choice(ESCAPES) + code[cut:]
        elif kind == 3:
            data = rng.choice(ESCAPES) * rng.randrange(1, 5)
        elif kind == 4:  # invalid UTF-8 and high bytes
            data = bytes(rng.randrange(0x80, 0x100) for _ in range(rng.randrange(1, 40)))
        else:
            data = rng.choice(VALID_LOOKING).encode()
        if CONFIRM not in data.upper():
            return data + rng.choice([b"\r", b"\n", b"\r\n"])


class Barrier(logging.Handler):
    """Waits until the kiosk has taken every line written so far.

    An empty pty and an empty input queue are not enough: under load the
    kernel may still hold written bytes in the pty's own buffer, which no
    ioctl counts, and then hands the reader dozens of lines at once. So a
    barrier line goes after them, which the reader refuses (it holds a
    control byte) and logs; once that is logged, the reader has queued every
    line before it, and an empty queue means the main loop has taken them.
    """

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.crossed = -1

    def emit(self, record: logging.LogRecord) -> None:
        found = re.search(r"BARRIER(\d+)", record.getMessage())
        if found:
            self.crossed = int(found.group(1))

    def cross(self, pty, daemon, number: int) -> None:
        pty.write(b"BARRIER%d\x01\r" % number)
        assert wait_for(lambda: self.crossed == number and daemon.inbox.qsize() == 0, 30, 0.01)


@pytest.mark.timeout(time_limit(INPUTS, 0.01))
def test_hostile_scanner_stream_commits_nothing(
    odd_states, other_db, mock_factory, scanner_pty, short_tmp, caplog
):
    sock = short_tmp / "control.sock"
    d = brisk_daemon(odd_states, mock_factory, scanner_pty, socket_path=sock)
    before = snapshot(other_db)
    rng = random.Random(20240601)
    sent = 0
    barrier = Barrier()
    reader_log = logging.getLogger("hw.scanner")
    reader_log.addHandler(barrier)
    try:
        with caplog.at_level(logging.INFO), looping(d) as loop:
            for i in range(INPUTS):
                scanner_pty.write(hostile(rng))
                sent += 1
                if i % 8 == 7:
                    # Hostile content, not rate (that is the flood test's): stay within the
                    # kiosk's input queue so that every line is judged, none dropped.
                    barrier.cross(scanner_pty, d, i // 8)
            scanner_pty.write(b"\r")
            scanner_pty.scan(SENTINEL)  # handled after everything before it
            assert wait_for(lambda: SENTINEL in " ".join(d.status()["display"]), 120, 0.05), (
                d.status()
            )
            assert loop.is_alive() and d.hw.scanner.connected
            answer = control.request(sock, {"cmd": "status"})
            assert answer["ok"] and answer["state"] == PREVIEW  # the sentinel's intake preview
            lit = {slot: led for slot, led in answer["leds"].items() if led != "off"}
            assert len(lit) == 1 and set(lit.values()) == {"blink"}, lit
            assert f"into {next(iter(lit))}" in answer["display"]  # the LED and the OLED agree
    finally:
        reader_log.removeHandler(barrier)
    assert snapshot(other_db) == before
    assert d.inbox.dropped == 0
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not failures, failures[0].getMessage()
    scans = sum(1 for r in caplog.records if r.getMessage().startswith("scan "))
    print(f"\nhostile scanner input: {sent} lines sent, {scans} reached the state machine")
    assert scans > sent // 4  # most valid-looking lines got through the reader


# -- the pure state machine ------------------------------------------------------

CODES = st.one_of(
    st.sampled_from(VALID_LOOKING),
    st.text(max_size=40),
    st.binary(max_size=40).map(lambda b: b.decode("latin-1")),
    st.from_regex(r"SLOT:CART-[AB]:[0-9]{1,2}", fullmatch=True),
    st.from_regex(r"BADGE:00[0-9]{2}", fullmatch=True),
    st.from_regex(r"LT-0[12]0[0-9]", fullmatch=True),
).filter(lambda code: "CMD:CONFIRM" not in code.upper())
STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("scan"), CODES),
        st.tuples(st.just("cancel"), st.none()),
        st.tuples(st.just("tick"), st.floats(0, 100)),
        st.tuples(st.just("refresh"), st.none()),
    ),
    max_size=30,
)


def leds_tell_the_truth(machine: Interaction, port: DbPort) -> None:
    """A lit LED always points at the slot the pending step touches, in the database now."""
    view = machine.view
    assert view.state != SUCCESS  # nothing was ever confirmed
    if view.state in (IDLE, CONFLICT, ERROR):
        assert dict(view.leds) == {} and view.conflict == ("off" if view.state == IDLE else "on")
    elif view.state == AWAIT_BADGE:
        asset = port.lookup(machine.intent.tag)
        assert asset.status == "IN_STOCK"
        assert dict(view.leds) == {str(asset.slot): "blink"}
    elif view.state == REPLACE:
        # Asking whether to drop the pending step: nothing lit, nothing to confirm.
        assert dict(view.leds) == {} and machine.plan is None
    elif view.state == AWAIT_SLOT:
        assert machine.plan is None and len(view.leds) <= 1
    else:
        assert view.state == PREVIEW
        fresh = port.preview(machine.intent.request())
        assert fresh == machine.plan
        slot = fresh.to_slot or fresh.from_slot
        assert dict(view.leds) == ({} if slot is None else {str(slot): "blink"})


@pytest.mark.timeout(time_limit(EXAMPLES, 1.0))
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=STEPS)
def test_state_machine_never_raises_or_commits_without_confirm(odd_states, steps):
    port = DbPort(odd_states)
    before = snapshot(odd_states)
    now = 0.0
    machine = Interaction(port, now=now)
    for action, value in steps:
        if action == "scan":
            assert machine.scan(value, now) is None
        elif action == "cancel":
            machine.cancel(now)
        elif action == "tick":
            now += value
            machine.tick(now)
        else:
            machine.refresh(now)
        leds_tell_the_truth(machine, port)
        assert not re.search(r"Traceback|Error\(", " ".join(machine.view.screen.lines))
    assert snapshot(odd_states) == before
