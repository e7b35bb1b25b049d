"""The OLED: show the latest screen, off the caller's thread, whatever the I2C bus does.

:class:`Display` owns one luma device (an ``ssd1306`` or ``sh1106`` on I2C,
or luma's own ``dummy`` device when simulated) and one worker thread:

* :meth:`Display.show` renders the screen (cheap, pure) and returns at once.
  The worker pushes only the *latest* frame to the panel; frames overtaken
  while the bus was busy are dropped, never queued.
* An I2C failure must not stop the kiosk. luma raises
  ``DeviceNotFoundError`` when a command cannot be sent, while a data write
  can let a raw ``OSError`` escape (errno 121, Remote I/O, when the panel
  browns out). Either is logged once, the device is set up again after a
  pause that grows up to ``retry_max`` seconds, and the latest frame is
  drawn once the panel answers.
* OLED pixels wear with use (burn-in): after ``idle_blank`` seconds without
  a new screen the panel is switched off; the next :meth:`show` wakes it.

The simulated display is this same class on a ``dummy`` device, so
:meth:`image`, :meth:`lines` and :meth:`ascii` show exactly what the panel
would.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image

from hw import screens
from kiosk.screen import Screen

log = logging.getLogger(__name__)

DeviceFactory = Callable[[], Any]
_RETRY_MIN = 0.05


def luma_device(
    backend: str,
    *,
    width: int = 128,
    height: int = 64,
    rotation: int = 0,
    i2c_port: int = 1,
    address: int = 0x3C,
) -> Any:
    """Create the luma device for ``backend`` ("ssd1306", "sh1106" or "sim")."""
    rotate = rotation // 90  # luma counts quarter turns
    if backend == "sim":
        from luma.core.device import dummy

        return dummy(width=width, height=height, rotate=rotate, mode="1")
    from luma.core.interface.serial import i2c
    from luma.oled.device import sh1106, ssd1306

    kind = {"ssd1306": ssd1306, "sh1106": sh1106}[backend]
    return kind(i2c(port=i2c_port, address=address), width=width, height=height, rotate=rotate)


class Display:
    """The panel behind a worker thread. ``width``/``height`` are as seen, after rotation."""

    def __init__(
        self,
        device_factory: DeviceFactory,
        *,
        width: int = 128,
        height: int = 64,
        idle_blank: float = 300.0,
        retry_max: float = 5.0,
        backend: str = "sim",
    ) -> None:
        self.backend = backend
        self.width, self.height = width, height
        self.idle_blank = idle_blank
        self.retry_max = retry_max
        self._factory = device_factory
        self._device: Any = None
        self._screen: Screen | None = None
        self._frame = screens.blank(width, height)
        self._pending: Image.Image | None = self._frame
        self._last_show = time.monotonic()
        self._blanked = False
        self._want_blank = False
        self._failing = False
        self._drawn = threading.Event()
        self._cond = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="display", daemon=True)
        self._thread.start()

    # -- the interface -------------------------------------------------------

    def show(self, screen: Screen) -> None:
        """Put ``screen`` on the panel soon; never blocks on the bus."""
        frame = screens.render(screen, self.width, self.height)
        with self._cond:
            self._screen, self._frame, self._pending = screen, frame, frame
            self._last_show = time.monotonic()
            self._want_blank = False
            self._drawn.clear()
            self._cond.notify()

    def clear(self) -> None:
        """Show nothing (a black frame); the panel stays on."""
        with self._cond:
            self._screen = None
            self._frame = self._pending = screens.blank(self.width, self.height)
            self._drawn.clear()
            self._cond.notify()

    def blank(self) -> None:
        """Switch the panel off now (burn-in); the next :meth:`show` wakes it."""
        with self._cond:
            self._want_blank = True
            self._drawn.clear()
            self._cond.notify()

    def lines(self) -> list[str]:
        """The text of the current screen as drawn (fitted), title first."""
        with self._cond:
            screen = self._screen
        return screens.text_lines(screen, self.width, self.height) if screen else []

    def image(self) -> Image.Image:
        """The current frame (what the panel shows, or will once the bus answers)."""
        with self._cond:
            return self._frame.copy()

    def ascii(self) -> str:
        return screens.ascii_art(self.image())

    def save_png(self, path: str | Path) -> None:
        self.image().save(path, format="PNG")

    @property
    def blanked(self) -> bool:
        return self._blanked

    @property
    def healthy(self) -> bool:
        """False while the panel cannot be reached."""
        return not self._failing

    def wait_drawn(self, timeout: float = 2.0) -> bool:
        """Wait until the latest frame (or blanking) reached the panel. For tests and checks."""
        return self._drawn.wait(timeout)

    def close(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify()
        self._thread.join(timeout=5)
        if self._device is not None:
            try:
                self._device.cleanup()
            except Exception as err:  # the bus may be gone; nothing left to do
                log.debug("display cleanup failed: %s", err)

    def __enter__(self) -> Display:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the worker ----------------------------------------------------------

    def _next_job(self) -> tuple[Image.Image | None, bool] | None:
        """Wait for work: (frame to draw or None, blank?). None means stop."""
        with self._cond:
            while not self._stopping:
                idle_at = self._last_show + self.idle_blank if self.idle_blank > 0 else None
                if idle_at is not None and time.monotonic() >= idle_at and not self._blanked:
                    self._want_blank = True
                if self._pending is not None or (self._want_blank and not self._blanked):
                    frame, self._pending = self._pending, None
                    return frame, self._want_blank
                timeout = None
                if idle_at is not None and not self._blanked:
                    timeout = max(idle_at - time.monotonic(), 0.0)
                self._cond.wait(timeout)
            return None

    def _run(self) -> None:
        from luma.core.error import Error as LumaError

        pause = _RETRY_MIN
        while (job := self._next_job()) is not None:
            frame, blank = job
            try:
                self._draw(frame, blank)
            except (OSError, LumaError) as err:
                with self._cond:
                    if self._pending is None:  # keep a newer frame if one arrived
                        self._pending = frame if frame is not None else self._frame
                if not self._failing:
                    log.warning("display not responding, retrying: %s", err)
                    self._failing = True
                self._discard_device()  # set it up again: it may have lost power
                with self._cond:
                    self._cond.wait_for(lambda: self._stopping, timeout=pause)
                pause = min(pause * 2, self.retry_max)
                continue
            if self._failing:
                log.warning("display is back")
                self._failing = False
            pause = _RETRY_MIN
            with self._cond:
                if self._pending is None:
                    self._drawn.set()

    def _discard_device(self) -> None:
        device, self._device = self._device, None
        if device is None:
            return
        device.persist = True  # its exit hook must not talk to a dead panel
        try:
            device._serial_interface.cleanup()  # close the bus handle: no fd leak on retries
        except Exception as err:
            log.debug("closing the display's bus failed: %s", err)

    def _draw(self, frame: Image.Image | None, blank: bool) -> None:
        if self._device is None:
            self._device = self._factory()
            self._blanked = False
        device = self._device
        if frame is not None:
            device.display(frame)
        if blank and not self._blanked:
            device.hide()
            self._blanked = True
        elif not blank and self._blanked:
            device.show()
            self._blanked = False
