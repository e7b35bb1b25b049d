"""The OLED: show the latest frame, off the caller's thread, whatever the I2C bus does.

:class:`Display` owns one panel (an ``ssd1306`` or ``sh1106`` on I2C, or
luma's own ``dummy`` device when simulated) and one worker thread:

* :meth:`Display.show` takes a finished 1-bit frame and returns at once.
  The worker pushes only the *latest* frame to the panel; frames overtaken
  while the bus was busy are dropped, never queued.
* An I2C failure must not stop the kiosk. luma raises
  ``DeviceNotFoundError`` when a command cannot be sent, while a data write
  can let a raw ``OSError`` escape (errno 121, Remote I/O, when the panel
  browns out). Either is logged once, the panel is set up again after a
  pause that grows up to ``retry_max`` seconds, and the latest frame is
  drawn once the panel answers.
* Setting up again must not leak: :class:`I2CPanel` opens the bus itself,
  once per setup, asks the panel for a no-op before building the luma
  device (whose constructor registers an exit hook for good), and closes the
  bus when the setup or a later write fails.
* OLED pixels wear with use (burn-in): after ``idle_blank`` seconds without
  a new frame the panel is switched off; the next :meth:`show` wakes it.

What to draw is not decided here: frames come from the caller.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from luma.core.device import dummy
from luma.core.error import Error as LumaError
from luma.core.interface.serial import i2c
from luma.oled.device import sh1106, ssd1306
from PIL import Image
from smbus2 import SMBus

from hw.errors import BadValue

log = logging.getLogger(__name__)

_RETRY_MIN = 0.05
#: The command both SSD1306 and SH1106 define as "no operation".
NOP = 0xE3
DRIVERS = {"ssd1306": ssd1306, "sh1106": sh1106}


class Panel(Protocol):
    """Where a :class:`Display` gets its luma device, and gives it back after a failure."""

    def open(self) -> Any:
        """Set the panel up; raises OSError or a luma error when it does not answer."""
        ...

    def release(self, device: Any) -> None:
        """The device failed: let go of it (and of its bus) before the next :meth:`open`."""
        ...

    def close(self) -> None:
        """Release everything for good."""
        ...


class DevicePanel:
    """A device built by ``make``: luma's ``dummy`` when simulated, any device in tests."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self._make = make

    def open(self) -> Any:
        return self._make()

    def release(self, device: Any) -> None:
        device.persist = True  # its exit hook must not redraw a panel we gave up on

    def close(self) -> None:
        pass


def dummy_panel(*, width: int = 128, height: int = 64, rotation: int = 0) -> DevicePanel:
    """The simulated panel: luma's dummy device, which keeps the last frame as an image."""
    return DevicePanel(lambda: dummy(width=width, height=height, rotate=rotation // 90, mode="1"))


class I2CPanel:
    """An SSD1306 or SH1106 on an I2C bus (``port`` is a number or a device path).

    Each setup opens the bus once, sends a no-op and only then builds the
    luma device on that bus: a panel that does not answer costs one open
    and one close. Only a panel that answered gets a device (and, from luma,
    an exit hook), so hooks grow with recoveries, never with retries.
    The bus is opened here rather than by luma, because a bus that opens but
    refuses the I2C ioctls would otherwise leave its descriptor behind.
    """

    def __init__(
        self,
        driver: str,
        *,
        port: int | str = 1,
        address: int = 0x3C,
        width: int = 128,
        height: int = 64,
        rotation: int = 0,
    ) -> None:
        if driver not in DRIVERS:
            raise BadValue(f"display driver must be one of {', '.join(DRIVERS)}, got {driver!r}")
        self.driver, self.port, self.address = driver, port, address
        self.width, self.height, self.rotate = width, height, rotation // 90
        self._bus: Any = None

    def open(self) -> Any:
        bus = SMBus()  # opened below, so that a failed open can be closed too
        try:
            bus.open(self.port)
            interface = i2c(bus=bus, address=self.address)
            interface.command(NOP)
            kind = DRIVERS[self.driver]
            device = kind(interface, width=self.width, height=self.height, rotate=self.rotate)
        except BaseException:
            bus.close()
            raise
        self._bus = bus
        return device

    def release(self, device: Any) -> None:
        device.persist = True  # its exit hook must not talk to a dead panel
        self._close_bus()

    def close(self) -> None:
        self._close_bus()

    def _close_bus(self) -> None:
        bus, self._bus = self._bus, None
        if bus is not None:
            bus.close()


def blank_frame(width: int, height: int) -> Image.Image:
    return Image.new("1", (width, height), 0)


def ascii_art(image: Image.Image) -> str:
    """The image for a terminal: one character per 1 x 2 pixels (half blocks)."""
    mono = image.convert("1").convert("L")  # 0 or 255 a pixel, one byte each
    w, h = mono.size
    lit = [value != 0 for value in mono.tobytes("raw", "L")]  # row by row
    rows = []
    for y in range(0, h, 2):
        row = []
        for x in range(w):
            top = lit[y * w + x]
            bottom = y + 1 < h and lit[(y + 1) * w + x]
            row.append(
                "\u2588" if top and bottom else "\u2580" if top else "\u2584" if bottom else " "
            )
        rows.append("".join(row).rstrip())
    return "\n".join(rows)


class Display:
    """The panel behind a worker thread. ``width``/``height`` are as seen, after rotation."""

    def __init__(
        self,
        panel: Panel,
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
        self._panel = panel
        self._device: Any = None
        self._frame = blank_frame(width, height)
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

    def show(self, frame: Image.Image) -> None:
        """Put ``frame`` on the panel soon; never blocks on the bus."""
        if frame.size != (self.width, self.height):
            raise BadValue(f"frame is {frame.size}, the panel {(self.width, self.height)}")
        frame = frame.convert("1")
        with self._cond:
            self._frame, self._pending = frame, frame
            self._last_show = time.monotonic()
            self._want_blank = False
            self._drawn.clear()
            self._cond.notify()

    def clear(self) -> None:
        """Show nothing (a black frame); the panel stays on."""
        with self._cond:
            self._frame = self._pending = blank_frame(self.width, self.height)
            self._drawn.clear()
            self._cond.notify()

    def blank(self) -> None:
        """Switch the panel off now (burn-in); the next :meth:`show` wakes it."""
        with self._cond:
            self._want_blank = True
            self._drawn.clear()
            self._cond.notify()

    def image(self) -> Image.Image:
        """The current frame (what the panel shows, or will once the bus answers)."""
        with self._cond:
            return self._frame.copy()

    def ascii(self) -> str:
        return ascii_art(self.image())

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
        self._panel.close()

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
        if device is not None:
            self._panel.release(device)

    def _draw(self, frame: Image.Image | None, blank: bool) -> None:
        if self._device is None:
            self._device = self._panel.open()
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
