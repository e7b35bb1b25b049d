"""Where the daemon's log lines go: journald under systemd, stderr otherwise.

Under systemd the structured :class:`systemd.journal.JournalHandler` keeps
the level (``journalctl -p warning``) and the logger name as fields. We
know we run under systemd when ``JOURNAL_STREAM`` names the device and
inode of our stderr (systemd connected it to the journal), or when
``INVOCATION_ID`` is set (systemd sets it for every unit it starts).
Anything that came from a scan is escaped by the caller with
:func:`kiosk.sanitize.clean` before it reaches a log line.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
IDENTIFIER = "assettrack"


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
    root.addHandler(handler)
    root.setLevel(level)
    return where
