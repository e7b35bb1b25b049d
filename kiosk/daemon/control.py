"""The control socket's protocol and client (the daemon side is the server).

One request per connection over a Unix stream socket: the client sends one
JSON object on one line, the daemon answers with one JSON object on one
line and closes. Answers are ``{"ok": true, ...}`` or
``{"ok": false, "error": {"code": ..., "message": ...}}``.

Requests::

    {"cmd": "status"}
    {"cmd": "inject", "kind": "scan", "code": "LT-0193"}
    {"cmd": "inject", "kind": "press", "button": "confirm" | "cancel"}
    {"cmd": "screen"}            -> {"ok": true, "png": "<base64>"}
"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path
from typing import Any

from kiosk.errors import InvalidInput, KioskError

MAX_MESSAGE = 64 * 1024
SOCKET_NAME = "control.sock"
# The screen PNG is the largest answer; a 128x64 1-bit PNG is well under this.
MAX_REPLY = 1024 * 1024
#: How long the daemon waits for its main loop to take an injected event; if it
#: does not, the event is withdrawn and the answer is "busy" (nothing happened).
INJECT_WAIT = 3.0
#: How long an injection the loop has taken may take to finish (a commit waits
#: at most the database's busy timeout): then the answer is "timeout".
INJECT_FINISH = 60.0
#: The client waits for the daemon's answer to an injection, not less: giving up
#: sooner would leave a person unsure whether an event that did happen happened.
INJECT_TIMEOUT = INJECT_WAIT + INJECT_FINISH + 2.0
#: Error codes that mean the request itself was bad.
REFUSED_INPUT = frozenset({"bad_request", "bad_scan", "too_large"})


class DaemonUnavailable(KioskError):
    code = "daemon_unavailable"
    exit_code = 1


def socket_path(
    cli_value: str | None = None, config_value: str | os.PathLike[str] | None = None
) -> Path:
    """``--socket``, else ``$ASSETTRACK_SOCKET``, else config, else the runtime directory."""
    for value in (cli_value, os.environ.get("ASSETTRACK_SOCKET"), config_value):
        if value:
            return Path(value)
    runtime = os.environ.get("RUNTIME_DIRECTORY")
    base = Path(runtime.split(":")[0]) if runtime else Path("/run/assettrack")
    return base / SOCKET_NAME


def encode(message: dict[str, Any]) -> bytes:
    return json.dumps(message, separators=(",", ":")).encode() + b"\n"


def read_line(sock: socket.socket, limit: int, deadline: float | None = None) -> bytes:
    """Read up to the first newline; refuse anything longer than ``limit``.

    ``deadline`` (a :func:`time.monotonic` instant) bounds the whole line, not
    each read: a peer dripping one byte at a time raises :class:`TimeoutError`
    like a silent one.
    """
    buf = bytearray()
    while b"\n" not in buf:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no complete line before the deadline")
            sock.settimeout(left)
        chunk = sock.recv(65536)
        if not chunk:
            break
        buf += chunk
        if len(buf) > limit:
            raise InvalidInput(f"message longer than {limit} bytes", code="too_large")
    return bytes(buf.split(b"\n", 1)[0])


def request(
    path: str | os.PathLike[str], message: dict[str, Any], timeout: float = 5.0
) -> dict[str, Any]:
    """Send one request to the daemon and return its answer (raises on ``ok: false``)."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        try:
            sock.connect(os.fspath(path))
        except (FileNotFoundError, ConnectionRefusedError):
            raise DaemonUnavailable(f"kiosk daemon not running (no socket at {path})") from None
        except PermissionError:
            raise DaemonUnavailable(
                f"permission denied on {path}; are you in the assettrack group?"
            ) from None
        sock.sendall(encode(message))
        raw = read_line(sock, MAX_REPLY)
    except TimeoutError:
        raise DaemonUnavailable(f"kiosk daemon did not answer within {timeout:g} s") from None
    except OSError as exc:
        raise DaemonUnavailable(f"control socket {path}: {exc.strerror or exc}") from None
    finally:
        sock.close()
    try:
        answer = json.loads(raw)
    except ValueError:
        raise DaemonUnavailable("kiosk daemon sent an unreadable answer") from None
    if not isinstance(answer, dict):
        raise DaemonUnavailable("kiosk daemon sent an unreadable answer")
    if not answer.get("ok"):
        err = answer.get("error") or {}
        code = str(err.get("code", "refused"))
        # The daemon refused what was asked (exit 2), not failed at doing it (exit 1).
        kind = InvalidInput if code in REFUSED_INPUT else KioskError
        raise kind(str(err.get("message", "request refused")), code=code)
    return answer
