"""The barcode scanner: bytes from a serial port in, scans out.

A scan is the text of one barcode. The scanner knows nothing about what a
scan means; it hands each one to ``on_scan(code)`` (called on the reader
thread: the daemon queues it) and reports ``"connected"`` /
``"disconnected"`` to ``on_status``.

Turning bytes into scans (:class:`ScanAssembler`)
    A scan ends at CR, LF or CRLF, or after ``terminator_timeout`` seconds of
    silence for scanners configured to send no suffix. A scan holding any
    byte outside printable ASCII is rejected whole (a tag with a byte missing
    is worse than no tag); one longer than ``max_length`` is discarded, never
    buffered without end. Both are logged with the offending bytes in hex
    (what is kept is printable ASCII already). The same code again within
    ``duplicate_window`` seconds counts once: scanners in presentation mode
    read a label several times while it is held in front of them.

Surviving an unplugged cable (:class:`SerialScanner`)
    pyserial's own ``ReaderThread`` gives up when the port fails. Here the
    reader closes the dead handle at once, reports "disconnected" and logs
    it once, then tries to reopen with a growing pause (up to
    ``reconnect_max`` seconds) and carries on when the scanner is back.
    Closing at once matters: while the old /dev/ttyACM0 is held open, Linux
    gives the replugged scanner a new name (ttyACM1; pyserial #36). Configure
    a stable name, /dev/serial/by-id/... or the installer's udev name
    /dev/assettrack-scanner, so "back" means "at the same path".
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import serial

from hw.errors import BadScan

log = logging.getLogger(__name__)

ScanCallback = Callable[[str], None]
StatusCallback = Callable[[str], None]

CONNECTED = "connected"
DISCONNECTED = "disconnected"
_TERMINATORS = b"\r\n"
_RECONNECT_MIN = 0.05


def _ignore(_: str) -> None:
    pass


class ScanAssembler:
    """Bytes in (:meth:`feed`), whole scans out (``on_scan``); no I/O of its own."""

    def __init__(
        self,
        on_scan: ScanCallback,
        *,
        max_length: int = 128,
        duplicate_window: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.on_scan = on_scan
        self.max_length = max_length
        self.duplicate_window = duplicate_window
        self._clock = clock
        self._buf = bytearray()
        self._bad = bytearray()  # the non-printable bytes seen in this scan
        self._overlong = 0  # bytes thrown away from an overlong scan
        self._last: tuple[str, float] | None = None
        #: Why the last scan to end was refused ("" when it was not).
        self.refused = ""

    @property
    def pending(self) -> bool:
        """True while a scan has started but not ended."""
        return bool(self._buf or self._bad or self._overlong)

    def feed(self, data: bytes) -> None:
        for byte in data:
            if byte in _TERMINATORS:
                self.end()
            elif self._overlong:
                self._overlong += 1
            elif not 0x20 <= byte <= 0x7E:
                self._bad.append(byte)
            elif len(self._buf) >= self.max_length:
                self._overlong = len(self._buf) + 1
                self._buf.clear()
            else:
                self._buf.append(byte)

    def end(self) -> None:
        """The scan is over: a terminator arrived or the line went quiet."""
        text = self._buf.decode("ascii").strip()
        bad, overlong = bytes(self._bad), self._overlong
        self._buf.clear()
        self._bad.clear()
        self._overlong = 0
        self.refused = ""
        if overlong:
            self.refused = f"{overlong} characters of input longer than {self.max_length}"
            log.warning("scanner: discarded %s", self.refused)
        elif bad:
            self.refused = f"non-printable bytes {bad.hex(' ')}"
            log.warning("scanner: rejected a scan holding %s: %s", self.refused, text)
        elif text:
            self._accept(text)

    def vet(self, code: str) -> str:
        """``code`` as this scanner would pass it on, or :class:`BadScan` saying why not.

        Text from elsewhere (``assettrack inject scan``) goes through a scratch
        assembler with the same rules, byte for byte as if read from the
        port: printable ASCII only, at most ``max_length``, no line breaks,
        outer spaces stripped. Only the duplicate window is not applied: an
        injection is deliberate, not a label held in front of the reader.
        """
        got: list[str] = []
        scratch = ScanAssembler(got.append, max_length=self.max_length, duplicate_window=0)
        scratch.feed(code.encode("utf-8", "backslashreplace"))
        scratch.end()
        if scratch.refused:
            raise BadScan(f"not a scan: {scratch.refused}")
        if len(got) != 1:
            raise BadScan("not a scan: one code, without line breaks")
        return got[0]

    def _accept(self, code: str) -> None:
        now = self._clock()
        if self._last and self._last[0] == code and now - self._last[1] < self.duplicate_window:
            log.debug("scanner: repeated scan %s ignored", code)
            return
        self._last = (code, now)
        self.on_scan(code)


class SerialScanner:
    """A scanner on a serial port or any pyserial URL, read by one thread."""

    backend = "serial"

    def __init__(
        self,
        port: str,
        baudrate: int = 9600,
        on_scan: ScanCallback | None = None,
        on_status: StatusCallback | None = None,
        *,
        terminator_timeout: float = 0.1,
        max_length: int = 128,
        duplicate_window: float = 1.0,
        reconnect_max: float = 5.0,
    ) -> None:
        self.port = port
        self.baudrate = baudrate
        self.terminator_timeout = terminator_timeout
        self.reconnect_max = reconnect_max
        self.on_status = on_status or _ignore
        self.assembler = ScanAssembler(
            on_scan or _ignore, max_length=max_length, duplicate_window=duplicate_window
        )
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._connected = False
        self._serial = None

    @property
    def connected(self) -> bool:
        """True while the port is open and reading."""
        return self._connected

    def start(self) -> None:
        """Start the reader thread; returns at once, even with no scanner attached."""
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="scanner", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop reading and close the port; waits for the reader thread."""
        self._stop.set()
        handle = self._serial
        if handle is not None:
            try:
                handle.cancel_read()  # unblock a read in progress, where supported
            except Exception:  # noqa: S110 - best effort; the read times out anyway
                pass
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def close(self) -> None:
        self.stop()

    def vet(self, code: str) -> str:
        """See :meth:`ScanAssembler.vet`."""
        return self.assembler.vet(code)

    def _run(self) -> None:
        pause, reported = _RECONNECT_MIN, False
        while not self._stop.is_set():
            try:
                self._serial = serial.serial_for_url(
                    self.port,
                    baudrate=self.baudrate,
                    timeout=self.terminator_timeout,
                    exclusive=True,
                )
            except (serial.SerialException, OSError, ValueError) as err:
                if not reported:
                    log.warning("scanner disconnected: cannot open %s: %s", repr(self.port), err)
                    self._set_connected(False, force=True)
                    reported = True
            else:
                log.info("scanner connected on %s", repr(self.port))
                self._set_connected(True)
                pause, reported = _RECONNECT_MIN, False
                try:
                    self._read_until_failure(self._serial)
                except (serial.SerialException, OSError) as err:
                    log.warning("scanner disconnected from %s: %s", repr(self.port), err)
                    reported = True
                finally:
                    self._close_handle()
                    self._set_connected(False)
                    if self.assembler.pending:
                        self.assembler.end()
            # Also after a failed read: a flapping device must not spin the CPU.
            self._stop.wait(pause)
            pause = min(pause * 2, self.reconnect_max)

    def _read_until_failure(self, handle: Any) -> None:
        while not self._stop.is_set():
            data = handle.read(handle.in_waiting or 1)
            if data:
                self.assembler.feed(data)
            elif self.assembler.pending:
                self.assembler.end()  # silence: the end of an unterminated scan

    def _close_handle(self) -> None:
        # At once, so the kernel frees the device node for a replugged scanner.
        handle, self._serial = self._serial, None
        if handle is not None:
            try:
                handle.close()
            except Exception:  # noqa: S110 - the device is already gone
                pass

    def _set_connected(self, value: bool, force: bool = False) -> None:
        if value != self._connected or force:
            self._connected = value
            self.on_status(CONNECTED if value else DISCONNECTED)


class SimScanner:
    """A scanner fed from code (:meth:`feed`) or from a text stream (:meth:`read_from`).

    Scans go through the same :class:`ScanAssembler` as the serial ones, so
    duplicates and hostile bytes are handled identically.
    """

    backend = "sim"

    def __init__(
        self,
        on_scan: ScanCallback | None = None,
        on_status: StatusCallback | None = None,
        *,
        max_length: int = 128,
        duplicate_window: float = 1.0,
    ) -> None:
        self.on_status = on_status or _ignore
        self.assembler = ScanAssembler(
            on_scan or _ignore, max_length=max_length, duplicate_window=duplicate_window
        )
        self._connected = False
        self._lock = threading.Lock()

    @property
    def connected(self) -> bool:
        return self._connected

    def start(self) -> None:
        self._connected = True
        self.on_status(CONNECTED)

    def stop(self) -> None:
        if self._connected:
            self._connected = False
            self.on_status(DISCONNECTED)

    close = stop

    def vet(self, code: str) -> str:
        """See :meth:`ScanAssembler.vet`."""
        return self.assembler.vet(code)

    def feed(self, code: str) -> None:
        """Scan ``code`` as if it were read from a label (a terminator is added)."""
        with self._lock:
            self.assembler.feed(code.encode("utf-8", "replace") + b"\r")

    def read_from(self, lines: Iterable[str]) -> threading.Thread:
        """Feed every line of ``lines`` (e.g. ``sys.stdin``) from a background thread."""

        def pump() -> None:
            for line in lines:
                self.feed(line.rstrip("\r\n"))

        thread = threading.Thread(target=pump, name="sim-scanner", daemon=True)
        thread.start()
        return thread
