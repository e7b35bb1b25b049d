"""The main loop's inbox: one bounded queue of inputs from every thread, and a stop flag.

Producers are the scanner's reader thread, gpiozero's event thread, the
control socket's connection threads and the terminal console; the one
consumer is the main loop (:mod:`kiosk.daemon.loop`).

* **Bounded.** At most :data:`MAX_PENDING` inputs wait. A flood (a scanner
  stuck sending, something posing as one) is dropped at the door and
  counted, never buffered without end; :meth:`Inbox.report_drops` logs the
  count at most every :data:`DROP_REPORT_EVERY` seconds (a line per dropped
  input would move the flood into the journal).
* **Stop jumps the queue.** :meth:`Inbox.ask_stop` sets a flag the loop
  checks before every input, so shutdown never waits behind a backlog. It
  is safe in a signal handler: ``SimpleQueue.put`` is reentrant and no lock
  is taken.
* **Taken or withdrawn, never both.** An injection whose client gave up
  waiting is withdrawn (:meth:`Inbox.withdraw`) and skipped when it comes
  up; one the loop has taken (:meth:`Inbox.take`) is finished. So "busy"
  means it was not applied, and never will be.
"""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

#: Inputs waiting for the main loop; beyond this they are dropped. A person scans
#: a few codes a second; 64 is seconds of real work, and kilobytes of memory.
MAX_PENDING = 64
#: At most one "dropped inputs" warning per this many seconds.
DROP_REPORT_EVERY = 10.0


@dataclass
class Input:
    """Something for the main loop; ``done`` is set once it was handled (injections)."""

    kind: str  # "scan", "press", "scanner", "stop"
    value: str = ""
    done: threading.Event | None = field(default=None, compare=False)
    taken: bool = field(default=False, compare=False)
    withdrawn: bool = field(default=False, compare=False)


class Inbox:
    """Inputs for the main loop: bounded, with a stop flag ahead of them."""

    def __init__(self, limit: int = MAX_PENDING) -> None:
        self.limit = limit
        self._queue: queue.SimpleQueue[Input] = queue.SimpleQueue()
        self._claims = threading.Lock()
        #: Set by :meth:`ask_stop`, from any thread or a signal handler.
        self.stop_asked = False
        #: Inputs refused because the inbox was full.
        self.dropped = 0
        self._reported = 0
        self._next_report = float("-inf")

    def put(self, kind: str, value: str = "", done: threading.Event | None = None) -> Input | None:
        """Queue an input (any thread); None when the inbox is full and it was dropped.

        The scanner's connected/disconnected news is never dropped: it is
        rare (the reader backs off between reconnects) and ``status`` shows it.
        """
        if kind != "scanner" and self._queue.qsize() >= self.limit:
            self.dropped += 1
            return None
        event = Input(kind, value, done)
        self._queue.put(event)
        return event

    def ask_stop(self) -> None:
        """Stop ahead of everything queued; the "stop" put only wakes a waiting loop."""
        self.stop_asked = True
        self._queue.put(Input("stop"))

    def get(self, wait: float) -> Input | None:
        """The next input the loop should handle, waiting up to ``wait`` s; None if none.

        A stop request comes first, whatever is queued; a withdrawn injection
        is skipped.
        """
        while True:
            if self.stop_asked:
                return Input("stop")
            try:
                event = self._queue.get(timeout=wait) if wait > 0 else self._queue.get_nowait()
            except queue.Empty:
                return None
            if event.done is None or self.take(event):
                return event
            wait = 0.0  # its client was told "busy": it must not happen now

    def qsize(self) -> int:
        return self._queue.qsize()

    def take(self, event: Input) -> bool:
        """The loop claims ``event``; False if its client withdrew it."""
        with self._claims:
            if event.withdrawn:
                return False
            event.taken = True
            return True

    def withdraw(self, event: Input) -> bool:
        """The client gives ``event`` up; False if the loop has already taken it."""
        with self._claims:
            if event.taken:
                return False
            event.withdrawn = True
            return True

    def report_drops(self, now: float) -> None:
        """Log the inputs dropped since the last report, at most every DROP_REPORT_EVERY s."""
        dropped = self.dropped
        if dropped > self._reported and now >= self._next_report:
            log.warning(
                "input flood: dropped %d inputs (%d in all); the kiosk takes %d at a time",
                dropped - self._reported,
                dropped,
                self.limit,
            )
            self._reported = dropped
            self._next_report = now + DROP_REPORT_EVERY
