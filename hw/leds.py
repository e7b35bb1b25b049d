"""Slot LEDs: light the slot a laptop goes into (or comes out of).

Every slot is named ``CASE:POS`` and maps, through the config, to one
physical output. Three backends share one small interface:

:class:`GpioLeds`
    One gpiozero :class:`~gpiozero.LED` per slot. Simple, for a case of a
    dozen slots wired straight to the header.

:class:`ShiftRegisterLeds`
    A chain of 74HC595 shift registers driven by three gpiozero outputs
    (data, clock, latch). Eight outputs per chip, any number of chips, so one
    Pi drives hundreds of slots. Output index 0 is the first chip's QA (the
    chip whose SER input is wired to the Pi), 8 is the second chip's QA.

:class:`SimLeds`
    Keeps the states in memory; the terminal view draws them.

Each slot is ``"off"``, ``"on"`` or ``"blink"``. Two optional status LEDs,
``"ready"`` and ``"conflict"``, take the same states.

Under tests the gpio backends run on gpiozero's ``MockFactory``: pass
``pin_factory`` (or set ``Device.pin_factory``) and the production code
drives mock pins whose history the tests inspect.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping
from typing import Any

from gpiozero import LED, DigitalOutputDevice

from hw.errors import BadValue, UnknownLed

log = logging.getLogger(__name__)

STATES = ("off", "on", "blink")
STATUS_NAMES = ("ready", "conflict")


def _check_state(state: str) -> str:
    if state not in STATES:
        raise BadValue(f"LED state must be off, on or blink, got {state!r}")
    return state


class SlotLeds:
    """The interface the daemon uses; subclasses put the states on wires.

    Subclasses implement :meth:`_write` (slot states changed) and may
    override :meth:`_write_status` and :meth:`_close`.
    """

    backend = "base"

    def __init__(self, slots: Iterable[str], blink_rate: float = 2.0) -> None:
        self._states: dict[str, str] = {str(s): "off" for s in slots}
        self._status: dict[str, str] = {}
        #: Seconds on and off in one blink: a rate of 2/s is 0.25 s + 0.25 s.
        self.half_period = 0.5 / blink_rate
        self._lock = threading.RLock()
        self._closed = False

    # -- the interface -------------------------------------------------------

    def set(self, slot: str, state: str) -> None:
        """Set one slot's LED to ``"off"``, ``"on"`` or ``"blink"``."""
        self.set_many({slot: state})

    def set_many(self, mapping: Mapping[str, str]) -> None:
        """Set several slots at once (the shift register latches once).

        Raises :class:`~hw.errors.UnknownLed` for a slot with no LED, before
        anything changes.
        """
        changes = {}
        for slot, state in mapping.items():
            if slot not in self._states:
                raise UnknownLed(f"no LED is configured for slot {slot!r}")
            changes[slot] = _check_state(state)
        with self._lock:
            changes = {s: v for s, v in changes.items() if self._states[s] != v}
            if not changes or self._closed:
                return
            self._states.update(changes)
            self._write(changes)

    def status(self, name: str, state: str) -> None:
        """Set a status LED (``"ready"`` or ``"conflict"``); absent ones are ignored."""
        if name not in STATUS_NAMES:
            raise BadValue(f"status LED must be ready or conflict, got {name!r}")
        _check_state(state)
        with self._lock:
            if self._status.get(name, "off") == state or self._closed:
                return
            self._status[name] = state
            self._write_status(name, state)

    def states(self) -> dict[str, str]:
        """Every configured slot and its state, in configuration order."""
        with self._lock:
            return dict(self._states)

    def status_states(self) -> dict[str, str]:
        with self._lock:
            return {name: self._status.get(name, "off") for name in STATUS_NAMES}

    def all_off(self) -> None:
        """Every slot and status LED off."""
        self.set_many(dict.fromkeys(self._states, "off"))
        for name in STATUS_NAMES:
            self.status(name, "off")

    def close(self) -> None:
        """Turn everything off and release the pins. Safe to call twice."""
        if self._closed:
            return
        try:
            self.all_off()
        finally:
            with self._lock:
                self._closed = True
            # Outside the lock: a blink thread may be waiting for it to finish.
            self._close()

    def __enter__(self) -> SlotLeds:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- for subclasses ------------------------------------------------------

    def _write(self, changes: dict[str, str]) -> None:
        raise NotImplementedError

    def _write_status(self, name: str, state: str) -> None:
        pass

    def _close(self) -> None:
        pass


class SimLeds(SlotLeds):
    """In-memory LEDs: :meth:`states` is all there is to see."""

    backend = "sim"

    def _write(self, changes: dict[str, str]) -> None:
        log.debug("sim leds: %s", changes)

    def resize(self, slots: Iterable[str]) -> None:
        """Have exactly the LEDs ``slots`` (the cases changed); kept ones keep their state."""
        with self._lock:
            self._states = {str(s): self._states.get(str(s), "off") for s in slots}


def _drive(led: Any, state: str, half_period: float) -> None:
    """Put a gpiozero LED into ``state``; blinking runs on gpiozero's own thread."""
    if state == "blink":
        led.blink(on_time=half_period, off_time=half_period)
    elif state == "on":
        led.on()
    else:
        led.off()


class _GpioStatus:
    """The optional ready/conflict LEDs, always wired straight to GPIOs."""

    def __init__(self, pins: Mapping[str, int | None], pin_factory: Any) -> None:
        self.leds = {n: LED(p, pin_factory=pin_factory) for n, p in pins.items() if p is not None}

    def write(self, name: str, state: str, half_period: float) -> None:
        if name in self.leds:
            _drive(self.leds[name], state, half_period)

    def close(self) -> None:
        for led in self.leds.values():
            led.close()


class GpioLeds(SlotLeds):
    """One gpiozero LED per slot: ``pins`` maps ``CASE:POS`` to a BCM GPIO."""

    backend = "gpio"

    def __init__(
        self,
        pins: Mapping[str, int],
        *,
        blink_rate: float = 2.0,
        status_pins: Mapping[str, int | None] | None = None,
        pin_factory: Any = None,
    ) -> None:
        super().__init__(pins, blink_rate)
        self._leds: dict[str, Any] = {}
        try:
            for slot, pin in pins.items():
                self._leds[slot] = LED(pin, pin_factory=pin_factory)
            self._status_leds = _GpioStatus(status_pins or {}, pin_factory)
        except Exception:
            # Release what was claimed, or a retry reports "pin in use".
            for led in self._leds.values():
                led.close()
            raise

    def _write(self, changes: dict[str, str]) -> None:
        for slot, state in changes.items():
            _drive(self._leds[slot], state, self.half_period)

    def _write_status(self, name: str, state: str) -> None:
        self._status_leds.write(name, state, self.half_period)

    def _close(self) -> None:
        for led in self._leds.values():
            led.close()
        self._status_leds.close()


class ShiftRegisterLeds(SlotLeds):
    """A chain of 74HC595s: ``outputs`` maps ``CASE:POS`` to an output index.

    Wiring: ``data`` to the first chip's SER (pin 14), ``clock`` to every
    SRCLK (pin 11), ``latch`` to every RCLK (pin 12); each chip's QH' (pin 9)
    feeds the next chip's SER. OE (pin 13) to GND, SRCLR (pin 10) to 3V3.

    A change shifts the whole chain (``8 * chips`` bits, last output first)
    and then pulses the latch, so the outputs switch together and never show
    the bits sliding past. Blinking slots are redrawn by one thread that
    flips a common phase, so all of them blink in step.
    """

    backend = "shift-register"

    def __init__(
        self,
        outputs: Mapping[str, int],
        *,
        data: int,
        clock: int,
        latch: int,
        chips: int = 1,
        blink_rate: float = 2.0,
        status_pins: Mapping[str, int | None] | None = None,
        pin_factory: Any = None,
    ) -> None:
        super().__init__(outputs, blink_rate)
        self.width = 8 * chips
        bad = {s: i for s, i in outputs.items() if not 0 <= i < self.width}
        if bad:
            raise BadValue(f"shift register outputs out of range 0..{self.width - 1}: {bad}")
        self._index = dict(outputs)
        claimed: list[Any] = []
        try:
            for pin in (data, clock, latch):
                claimed.append(DigitalOutputDevice(pin, pin_factory=pin_factory))
            self._status_leds = _GpioStatus(status_pins or {}, pin_factory)
        except Exception:
            for device in claimed:
                device.close()
            raise
        self._data, self._clock, self._latch = claimed
        self._phase = True
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._blinker: threading.Thread | None = None
        self._shift_out()  # a 74HC595 powers up with random outputs

    def bits(self) -> list[bool]:
        """What each output should show right now (index 0 first)."""
        bits = [False] * self.width
        for slot, state in self._states.items():
            bits[self._index[slot]] = state == "on" or (state == "blink" and self._phase)
        return bits

    def _shift_out(self) -> None:
        # Straight to the devices' pins: the chain needs 3 writes per output,
        # and going through on()/off() (blink bookkeeping, locks) doubles the cost.
        data, clock, latch = self._data.pin, self._clock.pin, self._latch.pin
        last = data.state
        # The first bit shifted travels furthest: shift the last output first.
        for bit in reversed(self.bits()):
            if bit != last:
                data.state = last = bit
            clock.state = True
            clock.state = False
        latch.state = True
        latch.state = False

    def _write(self, changes: dict[str, str]) -> None:
        self._shift_out()
        if "blink" in changes.values():
            self._start_blinker()

    def _start_blinker(self) -> None:
        if self._blinker is None:
            self._blinker = threading.Thread(
                target=self._blink_loop, name="leds-blink", daemon=True
            )
            self._blinker.start()

    def _blink_loop(self) -> None:
        while not self._stop.wait(self.half_period):
            with self._lock:
                if self._closed:
                    return
                if "blink" not in self._states.values():
                    continue
                self._phase = not self._phase
                self._shift_out()

    def _write_status(self, name: str, state: str) -> None:
        self._status_leds.write(name, state, self.half_period)

    def _close(self) -> None:
        self._stop.set()
        if self._blinker is not None:
            self._blinker.join(timeout=2)
        for device in (self._data, self._clock, self._latch):
            device.close()
        self._status_leds.close()
