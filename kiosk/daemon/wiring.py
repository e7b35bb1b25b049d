"""Wiring: the one module that knows both the configuration and the hardware classes.

:func:`build_hardware` returns a :class:`Hardware` with four devices, each
typed by its port in :mod:`kiosk.flow.ports`, so the daemon never depends
on a backend:

* ``leds``: :class:`hw.leds.SimLeds`, :class:`~hw.leds.GpioLeds` or
  :class:`~hw.leds.ShiftRegisterLeds`
* ``buttons``: :class:`hw.buttons.SimButtons` or :class:`~hw.buttons.GpioButtons`
* ``display``: :class:`hw.display.Display` on a simulated or an I2C panel
* ``scanner``: :class:`hw.scanner.SerialScanner` or :class:`~hw.scanner.SimScanner`

The config file chooses each backend. ``sim=True`` (``assettrack run
--sim``) overrides them all with simulated ones; a ``scanner_port`` then
still attaches a real scanner, which is handy on a developer's desk. With
no slot map in the config, the simulated LEDs get one LED per name in
``slots`` (the daemon passes every ``CASE:POS`` in its database).

The single-device builders are public for ``assettrack hw ... test``.
Hardware errors are translated here into the kiosk's own
(:class:`~kiosk.errors.KioskError`, one line for a person).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from typing import Any

from gpiozero.exc import BadPinFactory, GPIOZeroError, PinFactoryFallback

from hw.buttons import GpioButtons, SimButtons
from hw.display import Display, I2CPanel, Panel, dummy_panel
from hw.errors import BadScan
from hw.leds import GpioLeds, ShiftRegisterLeds, SimLeds
from hw.scanner import SerialScanner, SimScanner
from kiosk.config.settings import Config
from kiosk.errors import InvalidInput, KioskError
from kiosk.flow.barcodes import Classifier
from kiosk.flow.intent import Rules
from kiosk.flow.interaction import Interaction
from kiosk.flow.ports import ButtonsPort, DisplayPort, DomainPort, ScannerPort, SlotLedsPort
from kiosk.sanitize import clean

log = logging.getLogger(__name__)

Callback = Callable[[], None] | None


def _hardware_error(device: str, err: Exception) -> KioskError:
    hint = ""
    if isinstance(err, BadPinFactory):
        # gpiozero found no GPIO driver: not a Pi, or lgpio (the "pi" extra) missing.
        hint = " (not a Raspberry Pi, or lgpio missing: pip install 'assettrack[pi]'; or --sim)"
    return KioskError(f"cannot set up the {device}: {clean(err)}{hint}", code="hardware_error")


@contextmanager
def _gpio_setup(device: str) -> Iterator[None]:
    """Claim pins quietly: gpiozero warns once per driver it tries; we report one line."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PinFactoryFallback)
        try:
            yield
        except (GPIOZeroError, OSError) as err:
            raise _hardware_error(device, err) from None


def build_leds(
    config: Config,
    *,
    sim: bool = False,
    slots: Iterable[str] | None = None,
    pin_factory: Any = None,
) -> SimLeds | GpioLeds | ShiftRegisterLeds:
    """The slot LEDs the config describes (simulated when ``sim``)."""
    cfg = config.leds
    if sim or cfg.backend == "sim":
        names = list(cfg.slots) or [str(s) for s in (slots or ())]
        return SimLeds(names, cfg.blink_rate)
    status = {"ready": cfg.ready, "conflict": cfg.conflict}
    with _gpio_setup("slot LEDs"):
        if cfg.backend == "gpio":
            return GpioLeds(
                cfg.slots, blink_rate=cfg.blink_rate, status_pins=status, pin_factory=pin_factory
            )
        sr = cfg.shift_register
        if sr.data is None or sr.clock is None or sr.latch is None:
            raise KioskError("leds.shift_register needs data, clock and latch", code="config_error")
        return ShiftRegisterLeds(
            cfg.slots,
            data=sr.data,
            clock=sr.clock,
            latch=sr.latch,
            chips=sr.chips,
            blink_rate=cfg.blink_rate,
            status_pins=status,
            pin_factory=pin_factory,
        )


def build_buttons(
    config: Config,
    *,
    sim: bool = False,
    pin_factory: Any = None,
    on_confirm: Callback = None,
    on_cancel: Callback = None,
    on_long_cancel: Callback = None,
) -> SimButtons | GpioButtons:
    """Confirm/Cancel; callbacks run on gpiozero's thread, so keep them short."""
    cfg = config.buttons
    callbacks = {"on_confirm": on_confirm, "on_cancel": on_cancel, "on_long_cancel": on_long_cancel}
    if sim or cfg.backend == "sim":
        return SimButtons(**callbacks)
    with _gpio_setup("buttons"):
        return GpioButtons(
            confirm=cfg.confirm,
            cancel=cfg.cancel,
            pull_up=cfg.pull_up,
            bounce_time=cfg.bounce_time,
            long_press=cfg.long_press,
            pin_factory=pin_factory,
            **callbacks,
        )


def build_panel(config: Config, *, sim: bool = False) -> Panel:
    """Where the display gets its device: luma's dummy, or the configured I2C panel."""
    cfg = config.display
    if sim or cfg.backend == "sim":
        return dummy_panel(width=cfg.width, height=cfg.height, rotation=cfg.rotation)
    return I2CPanel(
        cfg.backend,
        port=cfg.i2c_port,
        address=cfg.address,
        width=cfg.width,
        height=cfg.height,
        rotation=cfg.rotation,
    )


def build_display(config: Config, *, sim: bool = False) -> Display:
    """The OLED; an absent panel is retried in the background, never raised here."""
    cfg = config.display
    backend = "sim" if sim else cfg.backend
    width, height = cfg.width, cfg.height
    if cfg.rotation in (90, 270):
        width, height = height, width
    return Display(
        build_panel(config, sim=sim),
        width=width,
        height=height,
        idle_blank=cfg.idle_blank,
        backend=backend,
    )


def build_scanner(
    config: Config,
    *,
    sim: bool = False,
    port: str | None = None,
    on_scan: Callable[[str], None] | None = None,
    on_status: Callable[[str], None] | None = None,
) -> SerialScanner | SimScanner:
    """The scanner (not started): serial when a port is given or configured."""
    cfg = config.scanner
    if port is None and (sim or cfg.backend == "sim"):
        return SimScanner(
            on_scan,
            on_status,
            max_length=cfg.max_length,
            duplicate_window=cfg.duplicate_window,
        )
    return SerialScanner(
        port or cfg.port or "",
        cfg.baudrate,
        on_scan,
        on_status,
        terminator_timeout=cfg.terminator_timeout,
        reconnect_max=cfg.reconnect_max,
        max_length=cfg.max_length,
        duplicate_window=cfg.duplicate_window,
    )


def build_interaction(config: Config, port: DomainPort, *, now: float) -> Interaction:
    """The kiosk's state machine with the configured patterns, timings and loan rules."""
    kiosk = config.kiosk
    return Interaction(
        port,
        Classifier(**asdict(kiosk.patterns)),
        rules=Rules(
            intake=kiosk.intake, loan_days=kiosk.loan_days, block_overdue=kiosk.block_overdue
        ),
        idle_timeout=kiosk.idle_timeout,
        success_hold=kiosk.success_hold,
        error_hold=kiosk.error_hold,
        now=now,
    )


@dataclass
class Hardware:
    """Everything the daemon drives. :meth:`close` releases it all."""

    leds: SlotLedsPort
    buttons: ButtonsPort
    display: DisplayPort
    scanner: ScannerPort

    def close(self) -> None:
        devices = {
            "scanner": self.scanner,
            "buttons": self.buttons,
            "leds": self.leds,
            "display": self.display,
        }
        for name, device in devices.items():
            try:
                device.close()
            except Exception:
                # Shutting down: release the other devices whatever this one does.
                log.exception("closing the %s failed", name)


def build_hardware(
    config: Config,
    *,
    sim: bool = False,
    slots: Iterable[str] | None = None,
    scanner_port: str | None = None,
    pin_factory: Any = None,
    on_scan: Callable[[str], None] | None = None,
    on_scanner_status: Callable[[str], None] | None = None,
    on_confirm: Callback = None,
    on_cancel: Callback = None,
    on_long_cancel: Callback = None,
) -> Hardware:
    """All four devices; if one cannot be set up, the ones already built are released."""
    with ExitStack() as undo:
        leds = build_leds(config, sim=sim, slots=slots, pin_factory=pin_factory)
        undo.callback(leds.close)
        buttons = build_buttons(
            config,
            sim=sim,
            pin_factory=pin_factory,
            on_confirm=on_confirm,
            on_cancel=on_cancel,
            on_long_cancel=on_long_cancel,
        )
        undo.callback(buttons.close)
        display = build_display(config, sim=sim)
        undo.callback(display.close)
        scanner = build_scanner(
            config, sim=sim, port=scanner_port, on_scan=on_scan, on_status=on_scanner_status
        )
        undo.pop_all()
    return Hardware(leds=leds, buttons=buttons, display=display, scanner=scanner)


def vet_scan(scanner: ScannerPort, code: str) -> str:
    """``code`` as ``scanner`` would pass it on, else :class:`InvalidInput` (``bad_scan``).

    ``inject scan`` comes here: text typed by a person goes through the
    scanner's own rules, so it can never be what the scanner refuses.
    """
    try:
        return scanner.vet(code)
    except BadScan as err:
        raise InvalidInput(clean(str(err)), code="bad_scan") from None


def follow_slots(leds: SlotLedsPort, config: Config, slots: Iterable[str]) -> None:
    """After cases changed: simulated LEDs made from the database's slots follow it.

    LEDs on wires (or a simulated slot map from the config) cannot grow: a
    new slot without a light is served unlit, the OLED naming it.
    """
    if isinstance(leds, SimLeds) and not config.leds.slots:
        leds.resize(slots)
