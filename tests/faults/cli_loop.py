"""A technician at the CLI, in a process of its own, for a fixed time.

    python -m tests.faults.cli_loop writer|reader DB SOCKET SECONDS OUT.jsonl

Each command goes through the real entry point (``kiosk.cli.main.main``),
so exit codes and stderr are exactly what a person or script would see; one
JSON line per command records them. The writer cycles through changes on
CART-B's laptops; the reader asks where things are and what the kiosk shows.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import sys
import time

from kiosk.cli.main import main as assettrack

ACTOR = "cli-writer"
WRITES = [
    ["stock-out", "LT-0201", "--to", "0043"],
    ["stock-in", "LT-0201"],
    ["slot", "move", "LT-0202", "CART-B", "5"],
    ["slot", "move", "LT-0202", "CART-B", "2"],
]
#: The event each write appends: (op, asset).
EVENTS = {0: ("stock_out", "LT-0201"), 1: ("stock_in", "LT-0201")} | {
    2: ("move", "LT-0202"),
    3: ("move", "LT-0202"),
}


def reads(socket: str) -> list[list[str]]:
    return [["where", "LT-0201"], ["status", "--socket", socket], ["log", "--limit", "5"]]


def run(role: str, db: str, socket: str, seconds: float, out_path: str) -> None:
    commands = itertools.cycle(enumerate(WRITES if role == "writer" else reads(socket)))
    deadline = time.monotonic() + seconds
    with open(out_path, "w") as out:
        while time.monotonic() < deadline:
            index, argv = next(commands)
            full = ["--db", db, "--actor", ACTOR, "--json", *argv]
            stdout, stderr = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
                code = assettrack(full)
            record = {"index": index, "argv": argv, "code": code}
            record |= {"out": stdout.getvalue(), "err": stderr.getvalue()}
            out.write(json.dumps(record) + "\n")
            out.flush()


if __name__ == "__main__":
    role, db, socket, seconds, out_path = sys.argv[1:]
    run(role, db, socket, float(seconds), out_path)
