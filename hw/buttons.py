"""The Confirm and Cancel buttons.

Three events reach the daemon, each through a callback given at
construction:

``on_confirm``
    Confirm was pressed (fires on the press: the person wants it done).
``on_cancel``
    Cancel was pressed and released before ``long_press`` seconds.
``on_long_cancel``
    Cancel was held for ``long_press`` seconds (reserved for "clear"). The
    release that follows does not also count as a cancel.

The callbacks run on gpiozero's event thread (or on the caller's thread for
:class:`SimButtons`), so they must be quick: the daemon puts them on a queue.

Debounce
--------
gpiozero's ``bounce_time`` is implemented by the pin driver, and drivers
differ (``lgpio`` waits for a stable level, ``MockPin`` ignores it). So
:class:`GpioButtons` filters contact bounce itself, identically on every pin
factory: an edge that follows the last accepted edge of the same button by
less than ``bounce_time`` is ignored, and once the bounce window has passed
the button's real level is read again so a quick tap is never lost.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from gpiozero import Button

from hw.errors import BadValue

log = logging.getLogger(__name__)

Callback = Callable[[], None]
NAMES = ("confirm", "cancel", "long_cancel")


def _nothing() -> None:
    pass


class Buttons:
    """The events; backends decide what produces them."""

    backend = "base"

    def __init__(
        self,
        *,
        on_confirm: Callback | None = None,
        on_cancel: Callback | None = None,
        on_long_cancel: Callback | None = None,
    ) -> None:
        self._handlers = {
            "confirm": on_confirm or _nothing,
            "cancel": on_cancel or _nothing,
            "long_cancel": on_long_cancel or _nothing,
        }

    def _emit(self, name: str) -> None:
        log.debug("button: %s", name)
        try:
            self._handlers[name]()
        except Exception:
            # A failing handler must not kill gpiozero's event thread.
            log.exception("button handler for %s failed", name)

    def close(self) -> None:
        pass

    def __enter__(self) -> Buttons:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SimButtons(Buttons):
    """Buttons pressed from code or from keys in the terminal: :meth:`press`."""

    backend = "sim"

    def press(self, name: str) -> None:
        """Fire ``"confirm"``, ``"cancel"`` or ``"long_cancel"`` now."""
        if name not in NAMES:
            raise BadValue(f"button must be one of {', '.join(NAMES)}, got {name!r}")
        self._emit(name)


class _Debounced:
    """One gpiozero Button with bounce filtering and press/release/held hooks."""

    def __init__(
        self,
        button: Any,
        bounce_time: float,
        on_press: Callback,
        on_release: Callback,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.button = button
        self.bounce_time = bounce_time
        self._clock = clock
        self._on_press, self._on_release = on_press, on_release
        self._pressed = False
        self._last_edge = -1e9
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        button.when_pressed = lambda: self._edge(True)
        button.when_released = lambda: self._edge(False)

    def _edge(self, pressed: bool) -> None:
        now = self._clock()
        with self._lock:
            if now - self._last_edge < self.bounce_time:
                self._recheck_later(self._last_edge + self.bounce_time - now)
                return
            if pressed == self._pressed:
                return
            self._pressed, self._last_edge = pressed, now
        (self._on_press if pressed else self._on_release)()

    def _recheck_later(self, delay: float) -> None:
        # Called with the lock held. After the bounce settles, the level the
        # contacts rest at is the truth, even if its edge fell in the window.
        if self._timer is None:
            self._timer = threading.Timer(max(delay, 0.0) + 0.001, self._recheck)
            self._timer.daemon = True
            self._timer.start()

    def _recheck(self) -> None:
        with self._lock:
            self._timer = None
        try:
            level = bool(self.button.is_pressed)
        except Exception:  # closed meanwhile
            return
        self._edge(level)

    def close(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
        self.button.close()


class GpioButtons(Buttons):
    """Two gpiozero Buttons, wired from a GPIO to GND (``pull_up=True``) or to 3V3."""

    backend = "gpio"

    def __init__(
        self,
        *,
        confirm: int,
        cancel: int,
        pull_up: bool = True,
        bounce_time: float = 0.05,
        long_press: float = 2.0,
        on_confirm: Callback | None = None,
        on_cancel: Callback | None = None,
        on_long_cancel: Callback | None = None,
        pin_factory: Any = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``clock`` times the bounce window (tests pass their own to step time)."""
        super().__init__(on_confirm=on_confirm, on_cancel=on_cancel, on_long_cancel=on_long_cancel)
        self._held = False
        confirm_button = Button(confirm, pull_up=pull_up, pin_factory=pin_factory)
        try:
            cancel_button = Button(
                cancel, pull_up=pull_up, hold_time=long_press, pin_factory=pin_factory
            )
        except Exception:
            confirm_button.close()
            raise
        cancel_button.when_held = self._cancel_held
        self.confirm = _Debounced(
            confirm_button, bounce_time, lambda: self._emit("confirm"), _nothing, clock
        )
        self.cancel = _Debounced(
            cancel_button, bounce_time, self._cancel_pressed, self._cancel_released, clock
        )

    def _cancel_pressed(self) -> None:
        self._held = False

    def _cancel_held(self) -> None:
        self._held = True
        self._emit("long_cancel")

    def _cancel_released(self) -> None:
        if not self._held:
            self._emit("cancel")
        self._held = False

    def close(self) -> None:
        self.confirm.close()
        self.cancel.close()
