"""Random sequences of every operation against a small model of the rules.

After each step the database must equal the model (assets, slots, people),
every invariant must hold and the event chain must verify. Refusals must be
the same kind the model predicts and must change nothing.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from kiosk.domain import assets, people, slots
from kiosk.domain.custody import STATUS_CHANGES, StockIn, StockOut
from kiosk.domain.intake import AddAsset
from kiosk.domain.operations import execute
from kiosk.domain.placement import Assign, Move, Vacate
from kiosk.domain.types import SlotRef
from kiosk.errors import HardStop, KioskError, NotFound
from kiosk.store.db import Database
from tests.counts import scaled, time_limit
from tests.domain.helpers import sound

TAGS = st.sampled_from(["T1", "T2", "T3", "T4", "T5"])
BADGES = st.sampled_from(["P1", "P2"])
CASES = st.sampled_from(["A", "B"])
POSITIONS = st.integers(1, 4)
SLOTS = st.builds(SlotRef, CASES, POSITIONS)
ACTOR = "model"
LEAVES_STOCK = {
    "repair": ("REPAIR", ("IN_STOCK", "IN_CUSTODY")),
    "retire": ("RETIRED", ("IN_STOCK", "REPAIR", "LOST")),
    "lost": ("LOST", ("IN_STOCK", "IN_CUSTODY", "REPAIR")),
    "found": ("IN_STOCK", ("LOST",)),
}
COUNT = scaled(60, 500)


class Outcome(Exception):
    """What the model expects instead of success."""

    def __init__(self, kind: type[KioskError]):
        self.kind = kind


class Model:
    def __init__(self):
        self.cases: dict[str, int] = {}
        self.occ: dict[SlotRef, str | None] = {}
        self.assets: dict[str, dict] = {}
        self.people: set[str] = set()

    def slot_of(self, tag):
        return next((s for s, t in self.occ.items() if t == tag), None)

    def asset(self, tag):
        if tag not in self.assets:
            raise Outcome(NotFound)
        return self.assets[tag]

    def empty_slot(self, ref):
        if ref not in self.occ:
            raise Outcome(NotFound)
        if self.occ[ref] is not None:
            raise Outcome(HardStop)

    def leave_slot(self, tag):
        where = self.slot_of(tag)
        if where is not None:
            self.occ[where] = None


class Slots(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.dir = tempfile.mkdtemp()
        self.db = Database(os.path.join(self.dir, "s.db"))
        self.m = Model()
        self.done = 0

    def teardown(self):
        self.db.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def check(self, predict, act):
        """Run ``predict`` on the model and ``act`` on the database; they must agree."""
        try:
            predict()
            expected = None
        except Outcome as o:
            expected = o.kind
        if expected is None:
            act()
            self.done += 1
            return
        before = self.state()
        try:
            act()
        except KioskError as err:
            assert isinstance(err, expected), (err, expected)
        else:
            raise AssertionError(f"expected {expected.__name__}")
        assert self.state() == before

    def state(self):
        with self.db.read() as conn:
            rows = assets.listing(conn)
            occ = {r: t for r, t in slots.list_slots(conn)}
            badges = {p.badge for p in people.people(conn)}
        return ({a.tag: (a.status, a.slot, a.home, a.custodian) for a in rows}, occ, badges)

    @initialize()
    def furnish(self):
        """Start from a furnished room so most steps do something, not only refuse."""
        for case in ("A", "B"):
            self.init_case(case, 3)
        for tag, ref in (("T1", SlotRef("A", 1)), ("T2", SlotRef("A", 2)), ("T3", None)):
            self.add(tag, ref)
        self.person_add("P1")

    # -- rules ------------------------------------------------------------------
    @rule(case=CASES, n=POSITIONS)
    def init_case(self, case, n):
        m = self.m

        def predict():
            have = m.cases.get(case, 0)
            for p in range(n + 1, have + 1):
                if m.occ[SlotRef(case, p)] is not None:
                    raise Outcome(HardStop)
            if any(
                a["home"] and a["home"].case == case and a["home"].pos > n
                for a in m.assets.values()
            ):
                raise Outcome(HardStop)
            for p in range(n + 1, have + 1):
                del m.occ[SlotRef(case, p)]
            for p in range(have + 1, n + 1):
                m.occ[SlotRef(case, p)] = None
            m.cases[case] = n

        self.check(predict, lambda: slots.init_case(self.db, case, n, actor=ACTOR))

    @rule(tag=TAGS, into=st.none() | SLOTS)
    def add(self, tag, into):
        m = self.m

        def predict():
            if tag in m.assets:
                raise Outcome(HardStop)
            if into is not None:
                m.empty_slot(into)
                m.occ[into] = tag
            m.assets[tag] = {"status": "IN_STOCK", "home": into, "custodian": None}

        self.check(predict, lambda: execute(self.db, AddAsset(tag=tag, into=into), actor=ACTOR))

    @rule(tag=TAGS, ref=SLOTS)
    def assign(self, tag, ref):
        m = self.m

        def predict():
            a = m.asset(tag)
            if a["status"] != "IN_STOCK" or m.slot_of(tag) is not None:
                raise Outcome(HardStop)
            m.empty_slot(ref)
            m.occ[ref] = tag
            a["home"] = a["home"] or ref

        self.check(
            predict,
            lambda: execute(self.db, Assign(tag, ref), actor=ACTOR),
        )

    @rule(ref=SLOTS)
    def vacate(self, ref):
        m = self.m

        def predict():
            if ref not in m.occ:
                raise Outcome(NotFound)
            if m.occ[ref] is None:
                raise Outcome(HardStop)
            m.occ[ref] = None

        self.check(
            predict,
            lambda: execute(self.db, Vacate(slot=ref), actor=ACTOR),
        )

    @rule(tag=TAGS, ref=SLOTS)
    def move(self, tag, ref):
        m = self.m

        def predict():
            a = m.asset(tag)
            old = m.slot_of(tag)
            if a["status"] != "IN_STOCK" or old is None or old == ref:
                raise Outcome(HardStop)
            m.empty_slot(ref)
            # The home of a laptop out on loan is kept for its return.
            if any(a2["home"] == ref and a2["status"] == "IN_CUSTODY" for a2 in m.assets.values()):
                raise Outcome(HardStop)
            m.occ[old], m.occ[ref] = None, tag
            if a["home"] in (None, old):
                a["home"] = ref

        self.check(predict, lambda: execute(self.db, Move(tag, ref), actor=ACTOR))

    @rule(badge=BADGES)
    def person_add(self, badge):
        def predict():
            if badge in self.m.people:
                raise Outcome(HardStop)
            self.m.people.add(badge)

        self.check(predict, lambda: people.add_person(self.db, badge, badge.lower(), actor=ACTOR))

    @rule(badge=BADGES)
    def person_remove(self, badge):
        def predict():
            if badge not in self.m.people:
                raise Outcome(NotFound)
            if any(a["custodian"] == badge for a in self.m.assets.values()):
                raise Outcome(HardStop)
            self.m.people.remove(badge)

        self.check(predict, lambda: people.remove_person(self.db, badge, actor=ACTOR))

    @rule(tag=TAGS, badge=BADGES)
    def stock_out(self, tag, badge):
        m = self.m

        def predict():
            a = m.asset(tag)
            if badge not in m.people:
                raise Outcome(NotFound)
            if a["status"] != "IN_STOCK":
                raise Outcome(HardStop)
            old = m.slot_of(tag)
            m.leave_slot(tag)
            a.update(status="IN_CUSTODY", custodian=badge, home=a["home"] or old)

        self.check(predict, lambda: execute(self.db, StockOut(tag, badge), actor=ACTOR))

    @rule(tag=TAGS, ref=st.none() | SLOTS)
    def stock_in(self, tag, ref):
        m = self.m

        def predict():
            a = m.asset(tag)
            if a["status"] == "RETIRED" or (a["status"] == "IN_STOCK" and m.slot_of(tag)):
                raise Outcome(HardStop)
            target = ref or a["home"]
            if target is None:
                raise Outcome(HardStop)
            m.empty_slot(target)
            m.occ[target] = tag
            a.update(status="IN_STOCK", custodian=None, home=a["home"] or target)

        self.check(predict, lambda: execute(self.db, StockIn(tag, slot=ref), actor=ACTOR))

    @rule(tag=TAGS, op=st.sampled_from(sorted(LEAVES_STOCK)))
    def change_status(self, tag, op):
        status, allowed = LEAVES_STOCK[op]

        def predict():
            a = self.m.asset(tag)
            if a["status"] not in allowed:
                raise Outcome(HardStop)
            self.m.leave_slot(tag)
            a.update(status=status, custodian=None)
            if status == "RETIRED":
                a["home"] = None

        self.check(predict, lambda: execute(self.db, STATUS_CHANGES[op](tag), actor=ACTOR))

    # -- after every step ---------------------------------------------------------
    @invariant()
    def database_matches_model(self):
        m = self.m
        expected = (
            {
                t: (a["status"], m.slot_of(t), a["home"], a["custodian"])
                for t, a in m.assets.items()
            },
            dict(m.occ),
            set(m.people),
        )
        assert self.state() == expected

    @invariant()
    def invariants_hold_and_chain_verifies(self):
        sound(self.db)


Slots.TestCase.settings = settings(max_examples=COUNT, stateful_step_count=30, deadline=None)
TestSlots = pytest.mark.timeout(time_limit(COUNT, 5.0))(Slots.TestCase)
