"""Two writers and a reader at once: the kiosk, a technician's CLI, a monitoring loop.

The daemon (in-process, real main loop) is driven by scans through its pty
and Confirm through its control socket, stocking CART-A's LT-0101 out and
back in. Another process runs CLI changes on CART-B's laptops as fast as it
can; a third reads (``where``, ``status``, ``log``). No "database is locked"
may reach anyone — no CLI exit code or stderr, no kiosk screen — and the
event log must hold exactly what each writer was told it committed, in order.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.daemon import control
from kiosk.store import events
from tests.counts import scaled
from tests.daemon.helpers import looping, wait_for
from tests.domain.helpers import sound
from tests.faults import cli_loop
from tests.faults.helpers import brisk_daemon

SECONDS = scaled(15, 300)
REPO = Path(__file__).resolve().parents[2]


def loop(role, db_path, sock, out):
    return subprocess.Popen(
        [sys.executable, "-m", "tests.faults.cli_loop", role, str(db_path), str(sock)]
        + [str(SECONDS), str(out)],
        cwd=REPO,
        stderr=subprocess.PIPE,
        text=True,
    )


def records(path):
    return [json.loads(line) for line in Path(path).read_text().splitlines()]


@pytest.mark.timeout(SECONDS + 180)
def test_kiosk_cli_writer_and_reader_at_once(
    kiosk_db, other_db, seeded_path, mock_factory, scanner_pty, short_tmp
):
    sock = short_tmp / "control.sock"
    d = brisk_daemon(kiosk_db, mock_factory, scanner_pty, socket_path=sock)
    screens = []
    apply = d._apply
    d._apply = lambda view: (screens.append(view.screen), apply(view))[1]

    def step(code, state):
        scanner_pty.scan(code)
        assert wait_for(lambda: d.status()["state"] == state, 20), (code, d.status())

    def confirm():
        return control.request(sock, {"cmd": "inject", "kind": "press", "button": "confirm"})

    kiosk_done, refused = [], []
    with looping(d):
        writer = loop("writer", seeded_path, sock, short_tmp / "writer.jsonl")
        reader = loop("reader", seeded_path, sock, short_tmp / "reader.jsonl")
        deadline = time.monotonic() + SECONDS
        try:
            while time.monotonic() < deadline or len(kiosk_done) % 2:
                out = len(kiosk_done) % 2 == 0  # LT-0101 is in its slot
                step("LT-0101", "await_badge" if out else "preview")
                if out:
                    step("BADGE:0042", "preview")
                answer = confirm()
                if answer["state"] == "success":
                    kiosk_done.append(("stock_out" if out else "stock_in", "LT-0101"))
                else:
                    refused.append(answer["display"])
                    scanner_pty.scan("CMD:CANCEL")
        finally:
            for proc in (writer, reader):
                _, err = proc.communicate(timeout=SECONDS + 60)
                assert proc.returncode == 0, err
    cli_writes = records(short_tmp / "writer.jsonl")
    cli_reads = records(short_tmp / "reader.jsonl")

    assert not refused, refused[:3]
    shown = [" ".join((s.title, *s.lines)) for s in screens]
    assert not [s for s in shown if "locked" in s or "busy" in s.lower()]
    for r in cli_writes + cli_reads:
        assert r["code"] == 0 and r["err"] == "", r
        assert "locked" not in r["out"], r

    with other_db.read() as conn:
        log = events.recent(conn, limit=10**9)
    by_actor = lambda actor: [(e.op, e.asset) for e in log if e.actor == actor]  # noqa: E731
    assert by_actor("kiosk") == kiosk_done
    assert by_actor(cli_loop.ACTOR) == [cli_loop.EVENTS[r["index"]] for r in cli_writes]
    # All three really ran, and at the same time: CLI commits fall between the
    # kiosk's first and last commit (with no CLI writes every check above holds).
    assert kiosk_done and cli_writes and cli_reads
    kiosk_ids = [e.id for e in log if e.actor == "kiosk"]
    between = [e for e in log if e.actor == cli_loop.ACTOR and kiosk_ids[0] < e.id < kiosk_ids[-1]]
    assert between, "the CLI wrote nothing while the kiosk was committing"
    assert sound(other_db) == len(log)
    print(
        f"\nconcurrency for {SECONDS} s: kiosk {len(kiosk_done)} commits, "
        f"CLI {len(cli_writes)} commits, {len(cli_reads)} reads; "
        f"{len(log)} events, none lost or doubled"
    )
