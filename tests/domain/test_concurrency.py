"""Several processes (not threads) race for the same slots through the layer.

Each conflicting assign has exactly one winner; every loser gets the hard
stop that names the winner — never "database is locked", never a crash.
"""

from __future__ import annotations

import multiprocessing as mp

import pytest

from kiosk.domain import people, slots
from kiosk.domain.custody import StockIn, StockOut
from kiosk.domain.operations import execute
from kiosk.domain.placement import Assign, Move
from kiosk.domain.types import SlotRef
from kiosk.errors import HardStop, KioskError
from kiosk.store.db import Database
from tests.conftest import ACTOR, add
from tests.counts import scaled, time_limit
from tests.domain.helpers import sound

WORKERS = 4
ROUNDS = scaled(25, 200)


def _run(target, db_path, expect: int) -> list:
    """Start WORKERS processes on ``target`` at once; collect ``expect`` results."""
    ctx = mp.get_context("spawn")
    start, results = ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=target, args=(str(db_path), me, start, results)) for me in range(WORKERS)
    ]
    for p in procs:
        p.start()
    start.set()
    collected = [results.get(timeout=120) for _ in range(expect)]
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    return collected


def _race(path: str, me: int, start, results) -> None:
    """Worker: for each round, try to put my asset into that round's slot."""
    db = Database(path)
    start.wait()
    for r in range(ROUNDS):
        try:
            execute(db, Assign(f"W{me}-{r}", SlotRef.of("RACE", r + 1)), actor=f"worker{me}")
            results.put((r, me, "won"))
        except HardStop as err:
            results.put((r, me, f"stop:{err}"))
        except KioskError as err:  # busy, storage: must not happen
            results.put((r, me, f"error:{type(err).__name__}:{err}"))
    db.close()


@pytest.mark.timeout(time_limit(ROUNDS, 5.0))
def test_exactly_one_winner_per_contested_slot(db, db_path):
    slots.init_case(db, "RACE", ROUNDS, actor=ACTOR)
    for me in range(WORKERS):
        for r in range(ROUNDS):
            add(db, f"W{me}-{r}")
    outcomes = _run(_race, db_path, WORKERS * ROUNDS)
    by_round: dict[int, list[tuple[int, str]]] = {}
    for r, me, what in outcomes:
        by_round.setdefault(r, []).append((me, what))
    with db.read() as conn:
        for r, seen in by_round.items():
            winners = [me for me, what in seen if what == "won"]
            assert len(winners) == 1, seen
            holder = slots.occupant(conn, SlotRef("RACE", r + 1))
            assert holder == f"W{winners[0]}-{r}"
            for _me, what in seen:
                assert what == "won" or what == f"stop:slot RACE:{r + 1} holds {holder}", what
    sound(db)


def _churn(path: str, me: int, start, results) -> None:
    """Worker: move my two assets around shared slots and in and out of custody."""
    import random

    rng = random.Random(me)
    db = Database(path)
    start.wait()
    errors = []
    for _ in range(ROUNDS * 2):
        tag = f"C{me}-{rng.randrange(2)}"
        try:
            choice = rng.randrange(3)
            if choice == 0:
                execute(db, Move(tag, SlotRef.of("POOL", rng.randrange(1, 7))), actor=f"w{me}")
            elif choice == 1:
                execute(db, StockOut(tag, "0042"), actor=f"w{me}")
            else:
                execute(db, StockIn(tag, slot=SlotRef("POOL", rng.randrange(1, 7))), actor=f"w{me}")
        except HardStop:
            pass
        except KioskError as err:
            errors.append(f"{type(err).__name__}: {err}")
    results.put(errors)
    db.close()


@pytest.mark.timeout(time_limit(ROUNDS, 5.0))
def test_mixed_churn_keeps_invariants(db, db_path):

    slots.init_case(db, "POOL", 6, actor=ACTOR)
    people.add_person(db, "0042", "Alice Ng", actor=ACTOR)
    for me in range(WORKERS):
        for i in range(2):
            add(db, f"C{me}-{i}")
    errors = [e for batch in _run(_churn, db_path, WORKERS) for e in batch]
    assert errors == []
    sound(db)
