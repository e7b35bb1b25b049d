"""The running kiosk, remotely: ``status``, ``inject``, ``screen``.

They talk to the daemon over its control socket (:mod:`kiosk.daemon.control`)::

    assettrack status --json                 state, every slot LED, the OLED text
    assettrack inject scan LT-0193           as if the scanner read it
    assettrack inject press confirm          as if the button were pressed
    assettrack screen --png oled.png         the OLED as an image

The socket is ``--socket``, else ``$ASSETTRACK_SOCKET``, else the config's
``control.socket``, else ``$RUNTIME_DIRECTORY/control.sock``.
"""

from __future__ import annotations

import argparse
import base64
from pathlib import Path
from typing import Any

from kiosk.cli.context import Context
from kiosk.cli.output import Result
from kiosk.cli.parsing import Commands, Parser
from kiosk.config.settings import load_config
from kiosk.daemon.control import INJECT_TIMEOUT, request, socket_path
from kiosk.errors import InvalidInput, KioskError
from kiosk.sanitize import clean


def socket_option(p: Parser) -> None:
    p.add_argument(
        "--socket", metavar="PATH", help="control socket (default: $ASSETTRACK_SOCKET, config)"
    )


def control_socket(ctx: Context, args: argparse.Namespace) -> Path:
    return socket_path(args.socket, load_config(ctx.args.config).control.socket)


def _status(p: Parser) -> None:
    socket_option(p)
    p.set_defaults(func=status)


def _inject(p: Parser) -> None:
    sub = Commands(p, "inject_kind", metavar="KIND", required=True)
    s = sub.add("scan", "As if the scanner read CODE.", "assettrack inject scan LT-0193")
    s.add_argument("code")
    socket_option(s)
    s.set_defaults(func=inject)
    s = sub.add("press", "As if a button were pressed.", "assettrack inject press confirm")
    s.add_argument("button", choices=("confirm", "cancel"))
    socket_option(s)
    s.set_defaults(func=inject)


def _screen(p: Parser) -> None:
    p.add_argument("--png", metavar="FILE", required=True)
    socket_option(p)
    p.set_defaults(func=screen)


BUILDERS = {"status": _status, "inject": _inject, "screen": _screen}


def _ask(
    ctx: Context, args: argparse.Namespace, message: dict[str, Any], timeout: float = 5.0
) -> dict[str, Any]:
    answer = request(control_socket(ctx, args), message, timeout)
    answer.pop("ok", None)
    return answer


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
    # The display lines are escaped already, as drawn; emit() shows anything
    # else unprintable escaped, without escaping those escapes again.
    return "\n".join(lines)


def status(ctx: Context, args: argparse.Namespace) -> Result:
    doc = _ask(ctx, args, {"cmd": "status"})
    return Result(doc, _status_text(doc))


def inject(ctx: Context, args: argparse.Namespace) -> Result:
    if args.inject_kind == "scan":
        if not args.code.strip():
            raise InvalidInput("nothing to scan: CODE is empty")
        message = {"cmd": "inject", "kind": "scan", "code": args.code}
    else:
        message = {"cmd": "inject", "kind": "press", "button": args.button}
    doc = _ask(ctx, args, message, INJECT_TIMEOUT)
    return Result(doc, _status_text(doc))


def screen(ctx: Context, args: argparse.Namespace) -> Result:
    doc = _ask(ctx, args, {"cmd": "screen"})
    try:
        png = base64.b64decode(doc["png"], validate=True)
    except (KeyError, ValueError, TypeError):
        raise KioskError("the kiosk sent no image") from None
    try:
        Path(args.png).write_bytes(png)
    except OSError as exc:
        raise KioskError(
            f"cannot write {clean(args.png)}: {exc.strerror}", code="io_error"
        ) from None
    return Result({"png": args.png, "bytes": len(png)}, f"OLED saved to {clean(args.png)}")
