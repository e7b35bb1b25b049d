"""The kiosk daemon and its remote control: ``run``, ``status``, ``inject``, ``screen``.

``run`` is what systemd starts (``ExecStart=assettrack run``); ``make run``
adds ``--sim`` for a terminal with no hardware attached. The other three
talk to the running daemon over its control socket (:mod:`kiosk.control`):

    assettrack status --json                 state, every slot LED, the OLED text
    assettrack inject scan LT-0193           as if the scanner read it
    assettrack inject press confirm          as if the button were pressed
    assettrack screen --png oled.png         the OLED as an image

The socket is ``--socket``, else ``$ASSETTRACK_SOCKET``, else the config's
``control.socket``, else ``$RUNTIME_DIRECTORY/control.sock``.
"""

from __future__ import annotations

import base64
import logging
import sys
from pathlib import Path
from typing import Any

from kiosk.cli.main import command
from kiosk.cli.output import Result
from kiosk.errors import KioskError, StorageUnusable
from kiosk.sanitize import clean

#: ``run``'s exit code when the database needs a person (damaged, not ours,
#: read-only, no access): sysexits' EX_CONFIG. assettrack.service lists it in
#: RestartPreventExitStatus=, so systemd does not restart into the same fault.
EXIT_NEEDS_A_PERSON = 78


class CannotStart(KioskError):
    """``run`` refuses to start: retrying without a person's help would not change that."""

    code = "cannot_start"
    exit_code = EXIT_NEEDS_A_PERSON


def _socket_option(p: Any) -> None:
    p.add_argument(
        "--socket", metavar="PATH", help="control socket (default: $ASSETTRACK_SOCKET, config)"
    )


def register(commands: Any) -> None:
    p = command(
        commands,
        "run",
        "Run the kiosk daemon in the foreground (what systemd starts).",
        "assettrack --db data/assettrack.db run --sim",
    )
    p.add_argument(
        "--sim", action="store_true", help="simulated LEDs, buttons and display (keys on a TTY)"
    )
    p.add_argument("--scanner", metavar="PORT", help="scanner serial port, overriding the config")
    _socket_option(p)
    p.set_defaults(func=run)

    p = command(
        commands,
        "status",
        "Show the running kiosk: state, slot LEDs, OLED text, scanner.",
        "assettrack status --json",
    )
    _socket_option(p)
    p.set_defaults(func=status)

    p = command(
        commands,
        "inject",
        "Feed the running kiosk a scan or a button press.",
        "assettrack inject scan LT-0193   |   assettrack inject press confirm",
    )
    sub = p.add_subparsers(dest="inject_kind", metavar="KIND", required=True)
    s = command(sub, "scan", "As if the scanner read CODE.", "assettrack inject scan LT-0193")
    s.add_argument("code")
    _socket_option(s)
    s.set_defaults(func=inject)
    s = command(sub, "press", "As if a button were pressed.", "assettrack inject press confirm")
    s.add_argument("button", choices=("confirm", "cancel"))
    _socket_option(s)
    s.set_defaults(func=inject)

    p = command(
        commands,
        "screen",
        "Save what the kiosk's OLED shows as a PNG.",
        "assettrack screen --png oled.png",
    )
    p.add_argument("--png", metavar="FILE", required=True)
    _socket_option(p)
    p.set_defaults(func=screen)


def _socket(ctx, args) -> Path:
    from kiosk.control import socket_path

    return socket_path(args.socket, ctx.config.control.socket)


def _ask(ctx, args, message: dict[str, Any]) -> dict[str, Any]:
    from kiosk.control import request

    answer = request(_socket(ctx, args), message)
    answer.pop("ok", None)
    return answer


def run(ctx, args) -> Result:
    from kiosk import logsetup
    from kiosk.daemon import Daemon, Options, serve

    tty = args.sim and sys.stdin.isatty() and sys.stdout.isatty()
    # On the terminal view only warnings: info lines would scroll the view away.
    quiet = tty and not args.verbose
    level = logging.DEBUG if args.verbose else logging.WARNING if quiet else logging.INFO
    logsetup.configure(level)
    options = Options(
        sim=args.sim,
        scanner_port=args.scanner,
        socket_path=_socket(ctx, args),
        actor="kiosk",
    )
    try:
        daemon = Daemon(ctx.config, ctx.db, options)
        if tty:
            from kiosk.console import Console

            Console(daemon).attach()
        serve(daemon)
    except StorageUnusable as exc:
        raise CannotStart(exc.message) from exc
    return Result({"stopped": True}, "")


def _status_text(doc: dict[str, Any]) -> str:
    lit = {slot: state for slot, state in doc.get("leds", {}).items() if state != "off"}
    leds = ", ".join(f"{slot} {state}" for slot, state in lit.items()) or "all off"
    scanner = "connected" if doc.get("scanner", {}).get("connected") else "not connected"
    lines = [
        f"state:    {doc.get('state')}",
        f"leds:     {leds}",
        f"scanner:  {scanner}",
        f"panel:    {'ok' if doc.get('display_ok', True) else 'not responding (I2C); retrying'}",
        f"uptime:   {doc.get('uptime', 0):.0f} s",
        f"database: {doc.get('database')}",
        "display:",
    ]
    lines += [f"  | {line}" for line in doc.get("display", [])]
    return "\n".join(clean(line) for line in lines)


def status(ctx, args) -> Result:
    doc = _ask(ctx, args, {"cmd": "status"})
    return Result(doc, _status_text(doc))


def inject(ctx, args) -> Result:
    if args.inject_kind == "scan":
        message = {"cmd": "inject", "kind": "scan", "code": args.code}
    else:
        message = {"cmd": "inject", "kind": "press", "button": args.button}
    doc = _ask(ctx, args, message)
    return Result(doc, _status_text(doc))


def screen(ctx, args) -> Result:
    doc = _ask(ctx, args, {"cmd": "screen"})
    try:
        png = base64.b64decode(doc["png"], validate=True)
    except (KeyError, ValueError, TypeError):
        raise KioskError("the kiosk sent no image") from None
    try:
        Path(args.png).write_bytes(png)
    except OSError as exc:
        raise KioskError(f"cannot write {clean(args.png)}: {exc.strerror}") from None
    return Result({"png": args.png, "bytes": len(png)}, f"OLED saved to {clean(args.png)}")
