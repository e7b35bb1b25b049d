"""``assettrack hw ...``: check each piece of kiosk hardware by itself.

These are the commands a technician runs while wiring a case::

    assettrack hw leds test            # chase every slot LED in order
    assettrack hw buttons test         # print each press for --seconds
    assettrack hw display test         # cycle through the kiosk's real screens
    assettrack hw scanner monitor      # print each scan, escaped

Each uses the backends the config file names; ``--sim`` swaps in the
simulated ones (buttons then read keys from stdin, the scanner reads lines).
The devices come from :mod:`kiosk.daemon.wiring`, as the daemon's do.
"""

from __future__ import annotations

import argparse
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

from PIL import Image

from kiosk.cli.context import Context
from kiosk.cli.output import Result
from kiosk.cli.parsing import Commands, Parser
from kiosk.config.settings import load_config
from kiosk.daemon.terminal_view import led_rows
from kiosk.daemon.wiring import build_buttons, build_display, build_leds, build_scanner
from kiosk.errors import InvalidInput, KioskError, NotFound
from kiosk.flow import panel
from kiosk.flow.ports import FeedableScanner, PressableButtons
from kiosk.sanitize import clean

T = TypeVar("T")
Handler = Callable[[Context, argparse.Namespace], Result]

#: Slots lit by ``hw leds test --sim`` when the config maps none.
DEMO_SLOTS = [f"DEMO:{i}" for i in range(1, 9)]
SIM_KEYS = {"c": "confirm", "x": "cancel", "l": "long_cancel"}


def _hw(hw: Parser) -> None:
    hw.set_defaults(func=_need_device)
    devices = Commands(hw, "device", metavar="DEVICE", required=False)

    p = _leaf(
        devices,
        "leds",
        "test",
        "light every configured slot LED in turn",
        "assettrack hw leds test --step 0.5",
        _leds_test,
    )
    p.add_argument("--step", type=float, default=0.3, help="seconds each LED stays lit")
    p.add_argument(
        "--slot", action="append", metavar="CASE:POS", help="only these slots (repeatable)"
    )

    p = _leaf(
        devices,
        "buttons",
        "test",
        "print each button press until --seconds pass",
        "assettrack hw buttons test --seconds 20",
        _buttons_test,
    )
    p.add_argument("--seconds", type=float, default=30.0, help="how long to listen")

    p = _leaf(
        devices,
        "display",
        "test",
        "cycle through the kiosk's real screens on the OLED",
        "assettrack hw display test --png /tmp/screens.png",
        _display_test,
    )
    p.add_argument("--step", type=float, default=1.0, help="seconds each screen stays up")
    p.add_argument("--png", metavar="FILE", help="also save every screen, stacked, as a PNG")

    p = _leaf(
        devices,
        "scanner",
        "monitor",
        "print every scan (escaped) as it arrives",
        "assettrack hw scanner monitor --count 5",
        _scanner_monitor,
    )
    p.add_argument("--seconds", type=float, default=60.0, help="stop after this long")
    p.add_argument("--count", type=int, default=0, help="stop after this many scans")
    p.add_argument("--port", help="serial port or pyserial URL instead of the config's")


BUILDERS = {"hw": _hw}


def _leaf(
    devices: Commands, device: str, action: str, summary: str, example: str, handler: Handler
) -> Parser:
    group = devices.add(device, f"{device} checks", example)
    group.set_defaults(func=_need_device)
    leaf = Commands(group, "action", metavar="ACTION", required=False).add(action, summary, example)
    leaf.add_argument("--sim", action="store_true", help="use the simulated device")
    leaf.set_defaults(func=handler)
    return leaf


def _need_device(ctx: Context, args: argparse.Namespace) -> Result:
    raise InvalidInput(
        "say what to check, e.g. 'assettrack hw leds test' (see --help)", code="usage"
    )


def _say(ctx: Context, text: str) -> None:
    """Progress for a person; nothing in --json mode, where one document is printed."""
    if not ctx.json:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()


def _leds_test(ctx: Context, args: argparse.Namespace) -> Result:
    config = load_config(ctx.args.config)
    sim = args.sim or config.leds.backend == "sim"
    leds = build_leds(config, sim=args.sim, slots=DEMO_SLOTS if sim else None)
    try:
        wired = leds.states()
        order = args.slot or list(wired)
        if not order:
            raise InvalidInput("no slot LEDs are configured (leds.slots)")
        unknown = [slot for slot in order if slot not in wired]
        if unknown:
            raise NotFound(f"no LED is configured for slot {clean(unknown[0])}")
        for slot in order:
            leds.set(slot, "on")
            _say(ctx, f"lit {clean(slot)}")
            if sim:
                _say(ctx, "\n".join(led_rows(leds.states())))
            time.sleep(args.step)
            leds.set(slot, "off")
        for name in ("ready", "conflict"):
            leds.status(name, "on")
            time.sleep(args.step)
            leds.status(name, "off")
    finally:
        leds.close()
    return Result(
        data={"backend": leds.backend, "slots": order},
        text=f"chased {len(order)} slot LEDs ({leds.backend})",
    )


def _buttons_test(ctx: Context, args: argparse.Namespace) -> Result:
    presses: queue.Queue[str] = queue.Queue()
    buttons = build_buttons(
        load_config(ctx.args.config),
        sim=args.sim,
        on_confirm=lambda: presses.put("confirm"),
        on_cancel=lambda: presses.put("cancel"),
        on_long_cancel=lambda: presses.put("long_cancel"),
    )
    if isinstance(buttons, PressableButtons):
        sim = buttons
        _say(ctx, "simulated buttons: type c (confirm), x (cancel), l (long cancel), Enter")
        _pump_lines(lambda line: _sim_keys(sim, line))
    _say(ctx, f"listening for {args.seconds:g} s")
    seen: list[str] = []
    started = time.monotonic()
    try:
        for name in _drain(presses, started + args.seconds):
            seen.append(name)
            _say(ctx, f"{time.monotonic() - started:6.2f}s  {name.replace('_', ' ')}")
    finally:
        buttons.close()
    return Result(data={"backend": buttons.backend, "presses": seen}, text=f"{len(seen)} presses")


def _sim_keys(buttons: PressableButtons, line: str) -> None:
    for key in line.strip().lower():
        if key in SIM_KEYS:
            buttons.press(SIM_KEYS[key])


def _pump_lines(handle: Callable[[str], None]) -> None:
    """Feed stdin lines to ``handle`` from a daemon thread (it may block forever)."""

    def pump() -> None:
        for line in sys.stdin:
            handle(line)

    threading.Thread(target=pump, name="stdin", daemon=True).start()


def _drain(items: queue.Queue[T], deadline: float) -> Iterator[T]:
    """Yield items from ``items`` as they come, until ``deadline``."""
    while time.monotonic() < deadline:
        try:
            yield items.get(timeout=min(0.1, max(deadline - time.monotonic(), 0.001)))
        except queue.Empty:
            continue


def _display_test(ctx: Context, args: argparse.Namespace) -> Result:
    display = build_display(load_config(ctx.args.config), sim=args.sim)
    width, height = display.width, display.height
    frames = []
    # The README's pictures come from the same story: what is shown here is
    # what the kiosk shows, not a set of look-alike screens.
    from kiosk.ops.screens import tour

    try:
        for name, view in tour():
            screen = view.screen
            display.show(panel.render(screen, width, height))
            drawn = display.wait_drawn(timeout=max(args.step, 2.0))
            frames.append(display.image())
            lines = panel.text_lines(screen, width, height)
            _say(ctx, f"{name}: {' / '.join(lines)}")
            if display.backend == "sim":
                _say(ctx, display.ascii())
            if not drawn or not display.healthy:
                cfg = load_config(ctx.args.config).display
                raise KioskError(
                    f"the display does not respond ({cfg.backend} on I2C port "
                    f"{cfg.i2c_port}, address 0x{cfg.address:02x})",
                    code="hardware_error",
                )
            time.sleep(args.step)
    finally:
        display.close()
    if args.png:
        sheet = Image.new("1", (display.width, display.height * len(frames) + len(frames) - 1), 1)
        for i, frame in enumerate(frames):
            sheet.paste(frame, (0, i * (display.height + 1)))
        try:
            sheet.save(args.png, format="PNG")
        except OSError as err:
            raise KioskError(
                f"cannot write {clean(args.png)}: {err.strerror}", code="io_error"
            ) from None
    return Result(
        data={"backend": display.backend, "screens": len(frames), "png": args.png},
        text=f"showed {len(frames)} screens ({display.backend})",
    )


def _scanner_monitor(ctx: Context, args: argparse.Namespace) -> Result:
    events: queue.Queue[tuple[str, str]] = queue.Queue()
    scanner = build_scanner(
        load_config(ctx.args.config),
        sim=args.sim,
        port=args.port,
        on_scan=lambda code: events.put(("scan", code)),
        on_status=lambda status: events.put(("status", status)),
    )
    scanner.start()
    if isinstance(scanner, FeedableScanner):
        _say(ctx, "simulated scanner: type a code and press Enter")
        scanner.read_from(sys.stdin)
    scans: list[str] = []
    started = time.monotonic()
    try:
        for kind, value in _drain(events, started + args.seconds):
            if kind == "status":
                _say(ctx, f"scanner {value}")
                continue
            scans.append(value)
            _say(ctx, f"{time.monotonic() - started:6.2f}s  {clean(value)}")
            if args.count and len(scans) >= args.count:
                break
    finally:
        scanner.stop()
    return Result(
        data={"backend": scanner.backend, "scans": [clean(s) for s in scans]},
        text=f"{len(scans)} scans",
    )
