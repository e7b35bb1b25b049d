"""The kiosk's behaviour as a pure state machine: scans and presses in, a view out.

Nothing in here touches hardware or SQL. Inputs are method calls --
:meth:`Interaction.scan`, :meth:`~Interaction.confirm`,
:meth:`~Interaction.cancel`, :meth:`~Interaction.tick` and
:meth:`~Interaction.refresh` (someone else changed the database) -- each
given a monotonic ``now``. The output is :attr:`Interaction.view` (slot
LEDs, status LEDs, the OLED screen) and, from a confirm, the
:class:`~kiosk.domain.operations.Plan` to commit. The caller commits it
through :func:`kiosk.domain.operations.commit` and reports back with
:meth:`~Interaction.committed` or :meth:`~Interaction.commit_failed`. The
domain is reached through a small :class:`~kiosk.flow.ports.DomainPort` that
only *reads*; every rule (what may be stocked in, which slot is free) comes
from the domain's operations, never from here.

What a scan of an asset tag means depends on the asset::

    unknown tag             intake (``Rules.intake``): "confirm": the first free
                            slot blinks, a slot label retargets; "slot": its slot
                            label must be scanned first; "off": refused
    IN_STOCK, in a slot     stock-out: asks for a badge, then "LT-0193 -> Alice Ng",
                            with the due date (``Rules.loan_days``) and the
                            badge's overdue loans (refused with ``block_overdue``)
    anything else           stock-in:  home slot blinks; a slot label retargets
                            (StockIn refuses RETIRED, occupied homes, ...)

A tag that differs only in letter case from a known one is refused, naming
the known one: ``lt-0101`` is a typo or a reprint, never a second laptop.

States: ``idle`` -> ``await_badge`` (stock-out) or ``await_slot`` (intake
by slot label) -> ``preview`` -> ``success`` -> ``idle``; a refused plan
goes to ``conflict``, a scan that means nothing here to ``error``. A tag
scanned while another step is pending goes to ``replace``: nothing can be
confirmed until the person scans it again (switch) or cancels, so one
reflex press never confirms a step the person did not see. Cancel, or
``idle_timeout`` seconds without input, returns to ``idle`` from anywhere;
``success`` lasts ``success_hold`` and ``error`` ``error_hold`` seconds.

What the LEDs show (a pick-to-light station: a lit LED is an instruction):

* idle: every slot LED off; the *ready* status LED on.
* await_badge / preview: only the slot the pending step touches blinks
  (where the laptop comes from, or goes to); *ready* blinks.
* conflict / error: every slot LED off (nothing to do at a slot); the
  *conflict* status LED on.
* success: after a stock-in or intake the slot now holding the asset is on
  steady for ``success_hold`` seconds; after a stock-out every slot is off.

A lit LED must never point at a slot whose state no longer matches the plan,
so :meth:`~Interaction.refresh` re-plans the pending step against the
database: the preview follows the change, or becomes a conflict.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from kiosk.domain.custody import StockIn, StockOut, due_in
from kiosk.domain.operations import Plan
from kiosk.domain.types import SlotRef
from kiosk.errors import InvalidInput, KioskError
from kiosk.flow import wording
from kiosk.flow.barcodes import (
    BADGE,
    CANCEL,
    CONFIRM,
    SLOT,
    SNIPEIT_ID,
    TAG,
    BadLabel,
    Classifier,
    Scan,
)
from kiosk.flow.intent import ADD, STEP_NAMES, STOCK_IN, STOCK_OUT, Intent, Rules
from kiosk.flow.ports import DomainPort
from kiosk.flow.screen import Screen

IDLE = "idle"
AWAIT_BADGE = "await_badge"
AWAIT_SLOT = "await_slot"
PREVIEW = "preview"
REPLACE = "replace"
CONFLICT = "conflict"
ERROR = "error"
SUCCESS = "success"
#: States with a step under way that a new tag would throw away.
PENDING = (AWAIT_BADGE, AWAIT_SLOT, PREVIEW)


@dataclass(frozen=True)
class View:
    """Everything the hardware shows. ``leds`` lists only the slots not off."""

    state: str
    screen: Screen
    leds: Mapping[str, str]
    ready: str
    conflict: str


class Interaction:
    """One kiosk's conversation with the person in front of it."""

    #: The step under way and the plan Confirm would commit (None: nothing to confirm).
    intent: Intent | None
    plan: Plan | None
    view: View
    #: What heads the idle screen for a few seconds ("Cancelled").
    _idle_note: str | None

    def __init__(
        self,
        port: DomainPort,
        classifier: Classifier | None = None,
        *,
        rules: Rules | None = None,
        idle_timeout: float = 30.0,
        success_hold: float = 3.0,
        error_hold: float = 5.0,
        now: float = 0.0,
        today: Callable[[], _dt.date] = _dt.date.today,
    ) -> None:
        self.port = port
        self.classifier = classifier or Classifier()
        self.rules = rules or Rules()
        self.idle_timeout = idle_timeout
        self.success_hold = success_hold
        self.error_hold = error_hold
        self.today = today
        self._since = now
        self._to_idle()

    @property
    def state(self) -> str:
        return self.view.state

    # -- inputs ----------------------------------------------------------------

    def scan(self, code: str, now: float) -> Plan | None:
        """A barcode was read. Returns a plan to commit when it was the confirm code."""
        self._since = now
        try:
            scan = self.classifier.classify(code)
        except BadLabel as exc:
            self._error(exc.message, "Bad label", "Reprint the label")
            return None
        except InvalidInput as exc:
            self._not_a_tag(code, exc)
            return None
        if scan.kind == CONFIRM:
            return self.confirm(now)
        if scan.kind == CANCEL:
            self.cancel(now)
            return None
        try:
            self._scan(scan)
        except KioskError as exc:
            # A storage error while planning: say so; nothing was written.
            self._error(exc.message)
        return None

    def confirm(self, now: float) -> Plan | None:
        """Confirm pressed: the previewed plan to commit, or None when nothing is pending."""
        self._since = now
        state = self.view.state
        if state == PREVIEW and self.plan is not None:
            return self.plan
        hints = {
            AWAIT_BADGE: "Scan your badge first",
            AWAIT_SLOT: "Scan its slot label",
            REPLACE: "Rescan it, or Cancel",
        }
        if state in hints:
            self._show(self.view, wording.note(self.view.screen, hints[state]))
        return None

    def cancel(self, now: float) -> None:
        """Cancel pressed (or held): back to idle, nothing changed, and the screen says so."""
        self._since = now
        self._to_idle("Cancelled" if self.view.state != IDLE else "Nothing to cancel")

    def tick(self, now: float) -> None:
        """Time passed: drop an abandoned step, end the success and error screens."""
        state, held = self.view.state, now - self._since
        if state == SUCCESS:
            if held >= self.success_hold:
                self._to_idle()
        elif state in (ERROR, IDLE):
            # Short-lived: "Not understood", "Cancelled" clear themselves.
            if held >= self.error_hold and (state == ERROR or self._idle_note):
                self._to_idle()
        elif held >= self.idle_timeout:
            self._to_idle()

    def refresh(self, now: float) -> None:
        """Another process committed: make the view match the database again."""
        state = self.view.state
        try:
            if state == IDLE:
                self._to_idle(self._idle_note)
            elif state == AWAIT_BADGE and self.intent is not None:
                self._recheck_badge_wait(self.intent)
            elif state == PREVIEW and self.intent is not None and self.plan is not None:
                self._replan(self.intent, self.plan)
            elif state == SUCCESS and self.view.leds and self.plan is not None:
                asset = self.port.lookup(self.plan.subject)
                if asset is None or asset.slot != self.plan.to_slot:
                    self._to_idle()  # the steady LED would point at the wrong slot
        except KioskError as exc:
            self._error(exc.message)

    def committed(self, plan: Plan, now: float) -> None:
        """The plan from :meth:`confirm` is committed: show success."""
        self._since = now
        self.intent, self.plan = None, plan
        leds = {} if plan.to_slot is None else {str(plan.to_slot): "on"}
        self._show_state(SUCCESS, wording.success(plan), leds)

    def commit_failed(self, error: KioskError, now: float) -> None:
        """Committing refused (changed since preview, storage): a hard stop, nothing written."""
        self._since = now
        self.plan = None
        self._show_state(CONFLICT, wording.refused(error))

    # -- scans -----------------------------------------------------------------

    def _scan(self, scan: Scan) -> None:
        intent, state = self.intent, self.view.state
        value = scan.value
        if scan.kind == TAG and isinstance(value, str):
            self._tag(value)
        elif scan.kind == SNIPEIT_ID and isinstance(value, int):
            tag = self.port.tag_of_snipeit_id(value)
            if tag is None:
                self._error(f"Snipe-IT id {value} unknown: import with the ID column")
            else:
                self._tag(tag)
        elif state == REPLACE:
            self._show(self.view, wording.note(self.view.screen, "Rescan it, or Cancel"))
        elif isinstance(value, SlotRef) and intent is not None and intent.op in (ADD, STOCK_IN):
            if state in (AWAIT_SLOT, PREVIEW, CONFLICT):
                self._plan(replace(intent, slot=value))
        elif scan.kind == BADGE and intent is not None and intent.op == STOCK_OUT:
            if state in (AWAIT_BADGE, PREVIEW, CONFLICT):
                self._plan(replace(intent, badge=str(value)))
        elif state in PENDING:
            # A stray label mid-step: keep the step, say what was expected.
            hints = {AWAIT_BADGE: "Scan your badge first", AWAIT_SLOT: "Scan its slot label"}
            self._show(
                self.view, wording.note(self.view.screen, hints.get(state, "Confirm or Cancel?"))
            )
        else:
            what = "slot label" if scan.kind == SLOT else "badge"
            self._error(f"That is a {what}; scan an asset tag first")

    def _tag(self, tag: str) -> None:
        """A tag: start its step, unless it would throw away a pending one unseen.

        On the "replace" screen any tag starts: the person has seen that the
        pending step is not done, and the new step shows before it can be confirmed.
        """
        intent = self.intent
        if self.view.state in PENDING and intent is not None and tag != intent.tag:
            self._ask_replace(intent, tag)
        else:
            self._start(tag)

    def _ask_replace(self, pending: Intent, tag: str) -> None:
        self.plan = None  # nothing can be confirmed from this screen
        step = STEP_NAMES[pending.op]
        screen = wording.conflict(
            f"Switch to {tag}?",
            f"{pending.tag} {step} is not done. Scan {tag} again to switch",
            "Rescan it, or Cancel",
            kind="preview",
        )
        self._show_state(REPLACE, screen)

    def _start(self, tag: str) -> None:
        """A fresh asset scan: infer what the person wants from the asset's state."""
        self.intent, self.plan = None, None
        asset = self.port.lookup(tag)
        if asset is None:
            self._new_asset(tag)
        elif asset.status == "IN_STOCK" and asset.slot is not None:
            due = due_in(self.rules.loan_days) if self.rules.loan_days else None
            self.intent = Intent(STOCK_OUT, tag, due=due)
            self._show_state(
                AWAIT_BADGE, wording.await_badge(tag, asset.slot), {str(asset.slot): "blink"}
            )
        else:
            # Stock-in from custody, repair or lost, or a put-away; the
            # operation decides what is allowed (RETIRED is refused there).
            self._plan(Intent(STOCK_IN, tag))

    def _new_asset(self, tag: str) -> None:
        known = self.port.known_tag(tag)
        if known is not None:
            self._case_twin(tag, known)
        elif self.rules.intake == "off":
            message = f"{tag} is not registered; staff add assets with the CLI"
            self._error(message, "Unknown tag", wording.NEXT_TAG)
        elif self.rules.intake == "slot":
            self.intent = Intent(ADD, tag)
            try:
                free = self.port.preview(self.intent.request()).to_slot
            except KioskError:
                free = None
            leds = {} if free is None else {str(free): "blink"}
            self._show_state(AWAIT_SLOT, wording.await_slot(tag, free), leds)
        else:
            self._plan(Intent(ADD, tag))

    def _not_a_tag(self, code: str, error: InvalidInput) -> None:
        try:
            known = self.port.known_tag(code.strip())
        except KioskError:
            known = None
        if known is not None:
            self._case_twin(code.strip(), known)
        else:
            self._error(error.message)

    def _case_twin(self, tag: str, known: str) -> None:
        self._error(f"{tag} is not {known}: tags differ in letter case", "Check the tag")

    def _plan(self, intent: Intent) -> None:
        """Preview ``intent``; show the preview, or the conflict that blocks it."""
        self.intent = intent
        plan = self._preview_or_conflict(intent, "Blocked")
        if plan is not None:
            self._show_plan(plan)

    def _replan(self, intent: Intent, old: Plan) -> None:
        """The database changed: follow it, or show what now blocks the step."""
        fresh = self._preview_or_conflict(intent, "Changed meanwhile")
        if fresh is not None and fresh != old:
            self._show_plan(fresh, "Changed meanwhile")

    def _preview_or_conflict(self, intent: Intent, title: str) -> Plan | None:
        try:
            return self.port.preview(intent.request())
        except KioskError as exc:
            self.plan = None
            self._show_state(CONFLICT, wording.blocked(title, exc, intent.op))
            return None

    def _show_plan(self, plan: Plan, note: str | None = None) -> None:
        notices: tuple[str, ...] = ()
        if isinstance(plan.request, StockOut) and plan.person:
            late = self._overdue(plan.person)
            if late:
                notice = wording.overdue_notice(str(plan.person_name), late)
                if self.rules.block_overdue:
                    self.plan = None
                    screen = wording.conflict(
                        "Overdue loans", notice, wording.NEXT_BY_CODE["overdue"]
                    )
                    self._show_state(CONFLICT, screen)
                    return
                notices = (notice,)
        self.plan = plan
        slot = plan.to_slot or plan.from_slot
        leds = {} if slot is None else {str(slot): "blink"}
        last_op = self.port.last_op(plan.request.tag) if isinstance(plan.request, StockIn) else None
        screen = wording.preview(plan, notices, last_op)
        if note:
            screen = wording.headed(screen, note)
        self._show_state(PREVIEW, screen, leds)

    def _overdue(self, badge: str) -> list[tuple[str, int]]:
        today = self.today()
        return [
            (tag, (today - _dt.date.fromisoformat(due)).days)
            for tag, due in self.port.loans(badge)
            if due is not None and due < today.isoformat()
        ]

    def _recheck_badge_wait(self, intent: Intent) -> None:
        asset = self.port.lookup(intent.tag)
        blinking = next(iter(self.view.leds), None)
        if asset is None or asset.status != "IN_STOCK" or str(asset.slot) != blinking:
            now = "gone" if asset is None else asset.status.lower().replace("_", " ")
            message = f"{intent.tag} changed meanwhile (now {now})"
            screen = wording.conflict("Changed meanwhile", message, wording.RESCAN)
            self._show_state(CONFLICT, screen)

    # -- views -----------------------------------------------------------------

    def _to_idle(self, note: str | None = None) -> None:
        self.intent, self.plan = None, None
        self._idle_note = note
        try:
            counts = self.port.summary()
        except KioskError:
            counts = {}
        self._show_state(IDLE, wording.idle(counts, note))

    def _error(
        self, message: str, title: str = "Not understood", action: str = wording.SCAN_A_TAG
    ) -> None:
        self.intent, self.plan = None, None
        self._show_state(ERROR, wording.conflict(title, message, action, kind="error"))

    def _show_state(
        self, state: str, screen: Screen, leds: Mapping[str, str] | None = None
    ) -> None:
        leds = dict(leds or {})
        if state in (IDLE, SUCCESS):
            ready, conflict = "on", "off"
        elif state in (CONFLICT, ERROR):
            ready, conflict = "off", "on"
        else:
            ready, conflict = "blink", "off"
        self._show(View(state, screen, leds, ready, conflict), screen)

    def _show(self, view: View, screen: Screen) -> None:
        self.view = replace(view, screen=screen)
