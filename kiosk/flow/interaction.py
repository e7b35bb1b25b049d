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

    unknown tag             intake:    first free slot blinks; a slot label retargets
    IN_STOCK, in a slot     stock-out: asks for a badge, then "LT-0193 -> Alice Ng"
    anything else           stock-in:  home slot blinks; a slot label retargets
                            (StockIn refuses RETIRED, occupied homes, ...)

States: ``idle`` -> ``await_badge`` (stock-out only) -> ``preview`` ->
``success`` -> ``idle``; a refused plan goes to ``conflict``, a scan that
means nothing here to ``error``. Cancel, or ``idle_timeout`` seconds without
input, returns to ``idle`` from anywhere; ``success`` lasts ``success_hold``.

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

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from kiosk.domain.custody import StockIn, StockOut
from kiosk.domain.intake import AUTO, AddAsset
from kiosk.domain.operations import Operation, Plan
from kiosk.domain.types import SlotRef
from kiosk.errors import InvalidInput, KioskError
from kiosk.flow import wording
from kiosk.flow.barcodes import BADGE, CANCEL, CONFIRM, SLOT, TAG, Classifier, Scan
from kiosk.flow.ports import DomainPort
from kiosk.flow.screen import Screen

IDLE = "idle"
AWAIT_BADGE = "await_badge"
PREVIEW = "preview"
CONFLICT = "conflict"
ERROR = "error"
SUCCESS = "success"
STATES = (IDLE, AWAIT_BADGE, PREVIEW, CONFLICT, ERROR, SUCCESS)

ADD, STOCK_OUT, STOCK_IN = "add", "stock_out", "stock_in"


@dataclass(frozen=True)
class Intent:
    """What the person is doing: the operation and what they scanned for it so far."""

    op: str
    tag: str
    badge: str | None = None
    slot: SlotRef | None = None

    def request(self) -> Operation:
        """The operation to preview for what has been scanned so far."""
        if self.op == ADD:
            return AddAsset(tag=self.tag, into=self.slot or AUTO)
        if self.op == STOCK_IN:
            return StockIn(self.tag, self.slot)
        return StockOut(self.tag, str(self.badge))


@dataclass(frozen=True)
class View:
    """Everything the hardware shows. ``leds`` lists only the slots not off."""

    state: str
    screen: Screen
    leds: Mapping[str, str] = field(default_factory=dict)
    ready: str = "off"
    conflict: str = "off"


class Interaction:
    """One kiosk's conversation with the person in front of it."""

    def __init__(
        self,
        port: DomainPort,
        classifier: Classifier | None = None,
        *,
        idle_timeout: float = 30.0,
        success_hold: float = 3.0,
        now: float = 0.0,
    ) -> None:
        self.port = port
        self.classifier = classifier or Classifier()
        self.idle_timeout = idle_timeout
        self.success_hold = success_hold
        self.intent: Intent | None = None
        self.plan: Plan | None = None
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
        except InvalidInput as exc:
            self._error(exc.message)
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
        if self.view.state == PREVIEW and self.plan is not None:
            return self.plan
        if self.view.state == AWAIT_BADGE:
            self._show(self.view, wording.note(self.view.screen, "Scan your badge first"))
        return None

    def cancel(self, now: float) -> None:
        """Cancel pressed (or held): back to idle, nothing changed."""
        self._since = now
        self._to_idle()

    def tick(self, now: float) -> None:
        """Time passed: drop an abandoned step, end the success screen."""
        state = self.view.state
        if state == SUCCESS:
            if now - self._since >= self.success_hold:
                self._to_idle()
        elif state != IDLE and now - self._since >= self.idle_timeout:
            self._to_idle()

    def refresh(self, now: float) -> None:
        """Another process committed: make the view match the database again."""
        state = self.view.state
        try:
            if state == IDLE:
                self._to_idle()
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
            self._start(value)
        elif isinstance(value, SlotRef) and intent is not None and intent.op in (ADD, STOCK_IN):
            if state in (PREVIEW, CONFLICT):
                self._plan(replace(intent, slot=value))
        elif scan.kind == BADGE and intent is not None and intent.op == STOCK_OUT:
            if state in (AWAIT_BADGE, PREVIEW, CONFLICT):
                self._plan(replace(intent, badge=str(value)))
        elif state in (AWAIT_BADGE, PREVIEW):
            # A stray label mid-step: keep the step, say what was expected.
            hint = "Scan your badge first" if state == AWAIT_BADGE else "Confirm or Cancel?"
            self._show(self.view, wording.note(self.view.screen, hint))
        else:
            what = "slot label" if scan.kind == SLOT else "badge"
            self._error(f"That is a {what}; scan an asset tag first")

    def _start(self, tag: str) -> None:
        """A fresh asset scan: infer what the person wants from the asset's state."""
        self.intent, self.plan = None, None
        asset = self.port.lookup(tag)
        if asset is None:
            self._plan(Intent(ADD, tag))
        elif asset.status == "IN_STOCK" and asset.slot is not None:
            self.intent = Intent(STOCK_OUT, tag)
            self._show_state(
                AWAIT_BADGE, wording.await_badge(tag, asset.slot), {str(asset.slot): "blink"}
            )
        else:
            # Stock-in from custody, repair or lost, or a put-away; the
            # operation decides what is allowed (RETIRED is refused there).
            self._plan(Intent(STOCK_IN, tag))

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
            self._show_state(CONFLICT, wording.conflict(title, exc.message))
            return None

    def _show_plan(self, plan: Plan, note: str | None = None) -> None:
        self.plan = plan
        slot = plan.to_slot or plan.from_slot
        leds = {} if slot is None else {str(slot): "blink"}
        screen = wording.preview(plan)
        if note:
            screen = wording.note(screen, note)
        self._show_state(PREVIEW, screen, leds)

    def _recheck_badge_wait(self, intent: Intent) -> None:
        asset = self.port.lookup(intent.tag)
        blinking = next(iter(self.view.leds), None)
        if asset is None or asset.status != "IN_STOCK" or str(asset.slot) != blinking:
            now = "gone" if asset is None else asset.status.lower().replace("_", " ")
            message = f"{intent.tag} changed meanwhile (now {now}); scan it again"
            self._show_state(CONFLICT, wording.conflict("Changed meanwhile", message))

    # -- views -----------------------------------------------------------------

    def _to_idle(self) -> None:
        self.intent, self.plan = None, None
        try:
            counts = self.port.summary()
        except KioskError:
            counts = {}
        self._show_state(IDLE, wording.idle(counts))

    def _error(self, message: str) -> None:
        self.intent, self.plan = None, None
        self._show_state(ERROR, wording.conflict("Not understood", message, kind="error"))

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
