"""SIGKILL in the middle of multi-step operations never leaves a half state.

A child process moves assets around and in and out of custody as fast as it
can, reporting each event id the layer acknowledged. It is killed at a random
moment; the file must then pass SQLite's integrity check, every invariant,
the event chain, hold every acknowledged event, and no asset may be lost
between two slots.
"""

from __future__ import annotations

import os
import random
import select
import signal
import struct
import time

import pytest

from kiosk.domain import assets, people, slots
from kiosk.domain.operations import commit, execute, preview
from kiosk.domain.types import SlotRef
from kiosk.errors import HardStop
from kiosk.store import events
from kiosk.store.db import Database
from tests.conftest import ACTOR, add
from tests.counts import scaled, time_limit
from tests.domain.helpers import REQUESTS, sound

KILLS = scaled(100, 1000)
TAGS = [f"K-{i}" for i in range(6)]


def _work(path: str, ack_fd: int, seed: int) -> None:
    """Operate as both front ends do: the CLI (plan and apply at once) and the
    kiosk (preview, then commit re-checked later); acknowledge each commit."""
    rng = random.Random(seed)
    db = Database(path)
    while True:
        tag = rng.choice(TAGS)
        with db.read() as conn:
            out = assets.get(conn, tag).status == "IN_CUSTODY"
            # Mostly a free slot; sometimes an occupied one, for the refusal path.
            empty = [ref for ref, held in slots.list_slots(conn, "K") if held is None]
            free = rng.choice(empty) if empty and rng.random() < 0.9 else SlotRef("K", 1)
        if out:
            op, args = "stock_in", {"tag": tag, "slot": free}
        elif rng.random() < 0.5:
            op, args = "move", {"tag": tag, "slot": free}
        else:
            op, args = "stock_out", {"tag": tag, "badge": "0042"}
        try:
            if rng.random() < 0.5:
                plan = execute(db, REQUESTS[op](**args), actor="cli")
            else:
                plan = commit(db, preview(db, REQUESTS[op](**args)), actor="kiosk")
        except HardStop:
            continue
        with db.read() as conn:
            last = conn.execute("SELECT max(id) FROM events").fetchone()[0]
        os.write(ack_fd, struct.pack("<I", last) + plan.op.encode()[:12].ljust(12))


def _first_ack(read_fd: int, deadline: float = 60.0) -> bytes:
    """Wait until the child acknowledged its first commit (or ``deadline`` passed).

    Killing only after that makes every kill land in a child that is at
    work, however slowly this machine runs it.
    """
    data = b""
    end = time.monotonic() + deadline
    while len(data) < 16 and time.monotonic() < end:
        if select.select([read_fd], [], [], 1.0)[0]:
            chunk = os.read(read_fd, 16 - len(data))
            if not chunk:
                break
            data += chunk
    return data


def _acked(read_fd: int, data: bytes = b"") -> list[tuple[int, str]]:
    while chunk := os.read(read_fd, 65536):
        data += chunk
    whole = len(data) - len(data) % 16
    return [
        (struct.unpack("<I", data[i : i + 4])[0], data[i + 4 : i + 16].rstrip().decode())
        for i in range(0, whole, 16)
    ]


@pytest.mark.timeout(time_limit(KILLS, 1.0))
def test_sigkill_during_operations(db, db_path):
    slots.init_case(db, "K", 8, actor=ACTOR)
    people.add_person(db, "0042", "Alice Ng", actor=ACTOR)
    for i, tag in enumerate(TAGS):
        add(db, tag, f"K:{i + 1}")
    db.close()
    rng = random.Random(7)
    total_acked = 0
    for kill in range(KILLS):
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:  # child: never returns into pytest
            try:
                os.close(r)
                _work(str(db_path), w, kill)
            finally:
                os._exit(1)
        os.close(w)
        first = _first_ack(r)
        assert first, f"kill {kill}: the child committed nothing within a minute"
        time.sleep(rng.uniform(0.01, 0.08))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        acked = _acked(r, first)
        os.close(r)
        total_acked += len(acked)

        check = Database(db_path)
        sound(check)
        with check.read() as conn:
            for event_id, op in acked:
                row = conn.execute("SELECT op FROM events WHERE id = ?", (event_id,)).fetchone()
                assert row == (op,), (event_id, op, row)
            # Every asset is somewhere: in exactly one slot, or with a person.
            for tag in TAGS:
                a = assets.get(conn, tag)
                assert (a.slot is not None) != (a.status == "IN_CUSTODY"), a
            assert events.verify(conn).ok
        check.close()
    assert total_acked >= KILLS  # each child got work done before its kill
