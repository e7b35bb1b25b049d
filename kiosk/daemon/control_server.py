"""The daemon's end of the control socket (protocol and client: :mod:`kiosk.daemon.control`).

The socket lets ``assettrack status``, ``inject`` and ``screen`` talk to the
running kiosk on the same machine. It is guarded three ways:

* **Who**: the socket file is mode 0660 inside a 0750 directory, and every
  connection's peer is checked with ``SO_PEERCRED`` and ``SO_PEERGROUPS``:
  root, the daemon's own uid, or a member of the daemon's group (primary or
  supplementary). File modes alone would admit anyone a misconfigured
  directory lets in.
* **What**: a request is one JSON line of at most
  :data:`~kiosk.daemon.control.MAX_MESSAGE` bytes, checked against the schema
  below before the daemon sees it. Anything else gets an error answer.
* **How long**: each connection is served on its own short-lived thread, at
  most :data:`MAX_CLIENTS` at once, and its whole request must arrive within
  one deadline (not a timeout per read: a client dripping a byte a second
  would renew that forever), so neither a silent nor a slow client can
  stall the kiosk or the next one. The listen backlog (:data:`BACKLOG`)
  holds a burst of staff scripts; those beyond the served ones are
  answered ``busy`` at once rather than refused by the kernel.

The handler (the daemon) gets a checked ``dict`` and returns the answer's
fields, or raises :class:`~kiosk.errors.KioskError`. An unexpected
exception is logged and answered as ``internal_error``: never a traceback on
the wire, never a hung client.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import select
import socket
import stat
import struct
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.daemon.control import MAX_MESSAGE, encode, read_line
from kiosk.errors import InvalidInput, KioskError
from kiosk.sanitize import clean

log = logging.getLogger(__name__)

MAX_CLIENTS = 8
#: Connections the kernel queues before accept(); beyond it a client is refused outright.
BACKLOG = 128
CONNECTION_TIMEOUT = 2.0
MAX_CODE = 256
BUTTONS = ("confirm", "cancel")

Handler = Callable[[dict[str, Any]], dict[str, Any]]


class Forbidden(KioskError):
    code = "forbidden"
    exit_code = 1


# -- requests -------------------------------------------------------------------

# cmd -> {key: checker}; every key is required and no other key is allowed.
_SCHEMA: dict[str, dict[str, Callable[[Any], bool]]] = {
    "status": {},
    "screen": {},
    # Only the shape here: what a scan may hold is the scanner's rule (wiring.vet_scan).
    "inject/scan": {"code": lambda v: isinstance(v, str) and 0 < len(v) <= MAX_CODE},
    "inject/press": {"button": lambda v: v in BUTTONS},
}


def check_request(raw: bytes) -> dict[str, Any]:
    """Parse and check one request line; :class:`InvalidInput` says what is wrong."""
    try:
        message = json.loads(raw)
    except (ValueError, RecursionError):
        # ValueError covers bad UTF-8 and oversized numbers; RecursionError deep nesting.
        raise InvalidInput("request is not JSON", code="bad_request") from None
    if not isinstance(message, dict):
        raise InvalidInput("request must be a JSON object", code="bad_request")
    cmd, kind = message.get("cmd"), message.get("kind")
    key = f"inject/{kind}" if cmd == "inject" and isinstance(kind, str) else cmd
    if not isinstance(key, str) or key not in _SCHEMA:
        raise InvalidInput(f"unknown request {clean(str(key)[:40])}", code="bad_request")
    fields = _SCHEMA[key]
    allowed = {"cmd", "kind"} if cmd == "inject" else {"cmd"}
    extra = set(message) - allowed - set(fields)
    if extra:
        names = ", ".join(sorted(clean(str(k)[:40]) for k in extra))
        raise InvalidInput(f"unexpected field {names}", code="bad_request")
    for name, ok in fields.items():
        if name not in message or not ok(message[name]):
            raise InvalidInput(f"{key}: missing or bad field {name}", code="bad_request")
    return message


# -- who may connect ------------------------------------------------------------


def peer_credentials(conn: socket.socket) -> tuple[int, int, int]:
    """(pid, uid, gid) of the process at the other end (Linux ``SO_PEERCRED``)."""
    raw = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    pid, uid, gid = struct.unpack("3i", raw)
    return pid, uid, gid


# Linux's SO_PEERGROUPS (4.13+): the peer's supplementary groups as the kernel
# recorded them at connect(). Python's socket module does not name it.
SO_PEERGROUPS = getattr(socket, "SO_PEERGROUPS", 59)
_GID = struct.calcsize("I")
# Enough for any ordinary account; a longer list is fetched again at full size.
_FEW_GROUPS = 64
_MAX_GROUPS = 65536  # the kernel's NGROUPS_MAX


def peer_groups(conn: socket.socket) -> set[int]:
    """The peer's supplementary groups (``SO_PEERGROUPS``).

    Read from the socket rather than from ``/proc/<pid>/status``: the unit's
    ``ProtectProc=invisible`` hides other users' processes from the daemon,
    and a pid can be reused by the time /proc is read, while the socket's
    credentials are fixed when the peer connects.
    """
    for count in (_FEW_GROUPS, _MAX_GROUPS):
        try:
            raw = conn.getsockopt(socket.SOL_SOCKET, SO_PEERGROUPS, count * _GID)
        except OSError as exc:
            if exc.errno == errno.ERANGE and count != _MAX_GROUPS:
                continue
            log.warning("cannot read the control peer's groups: %s", exc)
            return set()
        return set(struct.unpack(f"{len(raw) // _GID}I", raw))
    return set()


def allowed(uid: int, gid: int, groups: set[int]) -> bool:
    """Root, our own uid, or a member of our group (primary or supplementary)."""
    me, group = os.geteuid(), os.getegid()
    return uid in (0, me) or gid == group or group in groups


# -- the server -----------------------------------------------------------------


def _prepare_directory(path: Path) -> None:
    directory = path.parent
    if not directory.exists():
        directory.mkdir(mode=0o750, parents=True)
        # mkdir's mode passes through the umask; group members must reach the socket.
        os.chmod(directory, 0o750)  # noqa: S103


def _remove_stale(path: Path) -> None:
    """Remove a socket left by a crashed daemon; refuse if one is still answering."""
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISSOCK(mode):
        raise KioskError(f"{path} exists and is not a socket", code="socket_in_use")
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.settimeout(0.5)
        probe.connect(os.fspath(path))
    except OSError:
        path.unlink(missing_ok=True)
        return
    finally:
        probe.close()
    raise KioskError(f"another kiosk daemon is listening on {path}", code="socket_in_use")


class ControlServer:
    """Serves control requests on a Unix socket from a background thread."""

    def __init__(
        self, path: str | os.PathLike[str], handler: Handler, *, timeout: float = CONNECTION_TIMEOUT
    ) -> None:
        self.path = Path(path)
        self.handler = handler
        self.timeout = timeout
        self._slots = threading.BoundedSemaphore(MAX_CLIENTS)
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop_r, self._stop_w = os.pipe()

    def start(self) -> ControlServer:
        _prepare_directory(self.path)
        _remove_stale(self.path)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o117)  # the file is born 0660: no window where it is wider
        try:
            sock.bind(os.fspath(self.path))
        except OSError as exc:
            sock.close()
            raise KioskError(f"cannot listen on {self.path}: {exc.strerror}") from None
        finally:
            os.umask(old)
        os.chmod(self.path, 0o660)
        sock.listen(BACKLOG)
        self._sock = sock
        self._thread = threading.Thread(target=self._accept_loop, name="control", daemon=True)
        self._thread.start()
        log.info("control socket listening on %s", self.path)
        return self

    def stop(self) -> None:
        """Stop accepting, remove the socket file. Connections in flight finish on their own."""
        os.write(self._stop_w, b"x")
        if self._thread is not None:
            self._thread.join(timeout=2)
        if self._sock is not None:
            self._sock.close()
            self._sock = None
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
        os.close(self._stop_r)
        os.close(self._stop_w)

    def _accept_loop(self) -> None:
        listener = self._sock
        while listener is not None:
            ready, _, _ = select.select([listener, self._stop_r], [], [])
            if self._stop_r in ready:
                return
            try:
                conn, _ = listener.accept()
            except OSError as exc:
                log.warning("control socket accept failed: %s", exc)
                continue
            conn.settimeout(self.timeout)  # until _answer sets the request's deadline
            if not self._slots.acquire(blocking=False):
                self._answer_and_close(conn, _error("busy", "too many control connections"))
                continue
            threading.Thread(target=self._serve, args=(conn,), name="control-conn").start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            self._answer_and_close(conn, self._answer(conn))
        finally:
            self._slots.release()

    def _answer(self, conn: socket.socket) -> dict[str, Any]:
        try:
            _, uid, gid = peer_credentials(conn)
            if not allowed(uid, gid, peer_groups(conn)):
                log.warning("control request from uid %d refused", uid)
                raise Forbidden(f"uid {uid} may not control the kiosk")
            deadline = time.monotonic() + self.timeout
            request = check_request(read_line(conn, MAX_MESSAGE, deadline))
            return {"ok": True, **self.handler(request)}
        except TimeoutError:
            return _error("timeout", f"no complete request within {self.timeout:g} s")
        except KioskError as exc:
            return _error(exc.code, exc.message)
        except Exception:
            log.exception("control request failed")
            return _error("internal_error", "the kiosk could not answer; see its log")

    @staticmethod
    def _answer_and_close(conn: socket.socket, answer: dict[str, Any]) -> None:
        try:
            conn.sendall(encode(answer))
        except OSError as exc:
            log.debug("control client went away: %s", exc)
        finally:
            conn.close()


def _error(code: str, message: str) -> dict[str, Any]:
    return {"ok": False, "error": {"code": code, "message": clean(message)}}
