"""Where the daemon's log lines go: journald under systemd, stderr otherwise.

Under systemd the structured :class:`systemd.journal.JournalHandler` keeps
the level (``journalctl -p warning``) and the logger name as fields. We
know we run under systemd when ``JOURNAL_STREAM`` names the device and
inode of our stderr (systemd connected it to the journal), or when
``INVOCATION_ID`` is set (systemd sets it for every unit it starts).
Anything that came from a scan is escaped by the caller with
:func:`kiosk.sanitize.clean` before it reaches a log line.

Repetitive lines are rate-limited (:class:`RateLimit`): a flood on the
scanner would otherwise become a flood in the journal (57 MB in 30 s was
measured), pushing out what a person needs to read.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable, Mapping

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
IDENTIFIER = "assettrack"


class RateLimit(logging.Filter):
    """At most ``burst`` lines per ``window`` seconds from one call site's message.

    Lines are alike when logger, level and format string match ("scan %s"
    for every scan), whatever their arguments. The first line held back says
    so; the first one let through after the window says how many were.
    """

    def __init__(
        self,
        burst: int = 20,
        window: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.burst, self.window, self.clock = burst, window, clock
        # key -> [window start, lines let through, lines held back]
        self._seen: dict[tuple[str, int, str], list[float]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, record.levelno, str(record.msg))
        now = self.clock()
        seen = self._seen.get(key)
        if seen is None or now - seen[0] >= self.window:
            if len(self._seen) > 1000:  # one entry per call site; bounded all the same
                self._seen.clear()
            held = int(seen[2]) if seen else 0
            self._seen[key] = [now, 1, 0]
            if held:
                self._amend(record, f"({held} similar lines suppressed before this one)")
            return True
        seen[1] += 1
        if seen[1] <= self.burst:
            return True
        seen[2] += 1
        if seen[2] == 1:
            self._amend(record, f"(similar lines suppressed for up to {self.window:g} s)")
            return True
        return False

    @staticmethod
    def _amend(record: logging.LogRecord, note: str) -> None:
        record.msg, record.args = f"{record.getMessage()} {note}", None


def under_systemd(env: Mapping[str, str] | None = None, stderr_fd: int = 2) -> bool:
    env = os.environ if env is None else env
    stream = env.get("JOURNAL_STREAM", "")
    if stream:
        dev, _, ino = stream.partition(":")
        try:
            st = os.fstat(stderr_fd)
            if (st.st_dev, st.st_ino) == (int(dev), int(ino)):
                return True
        except (OSError, ValueError):
            pass
    return bool(env.get("INVOCATION_ID"))


def _journal_handler() -> logging.Handler | None:
    try:
        from systemd.journal import JournalHandler
    except ImportError:
        return None
    return JournalHandler(SYSLOG_IDENTIFIER=IDENTIFIER)


def configure(level: int = logging.INFO, env: Mapping[str, str] | None = None) -> str:
    """Send every log record to the journal or stderr; returns which ("journal"/"stderr")."""
    handler = _journal_handler() if under_systemd(env) else None
    where = "journal"
    if handler is None:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(FORMAT))
        where = "stderr"
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    handler.addFilter(RateLimit())
    root.addHandler(handler)
    root.setLevel(level)
    return where
