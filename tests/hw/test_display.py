"""The OLED worker, on luma's own dummy device and on a real I2C descriptor.

Frames come from the real renderer (:mod:`kiosk.flow.panel`, tested in
``tests/flow/test_panel.py``). Faults are injected by subclassing the real
dummy device.
"""

from __future__ import annotations

import atexit
import errno
import logging
import os
import threading

import pytest
from luma.core.device import dummy
from luma.core.error import DeviceNotFoundError
from PIL import Image

from hw.display import DevicePanel, Display, I2CPanel, ascii_art, dummy_panel
from hw.errors import BadValue
from kiosk.flow.panel import render
from kiosk.flow.screen import Screen
from tests.flow.make_reference_pngs import HERE, SAMPLES
from tests.hw.helpers import wait_for


def show(display: Display, screen: Screen) -> None:
    display.show(render(screen, display.width, display.height))


def same_pixels(a: Image.Image, b: Image.Image) -> bool:
    return a.size == b.size and a.convert("L").tobytes() == b.convert("L").tobytes()


@pytest.mark.parametrize("name", ["idle", "conflict", "small-128x32"])
def test_display_puts_the_reference_frame_on_the_device(name):
    screen, width, height = SAMPLES[name]
    device = dummy(width=width, height=height, mode="1")
    with Display(DevicePanel(lambda: device), width=width, height=height) as display:
        show(display, screen)
        assert display.wait_drawn()
        assert same_pixels(device.image, Image.open(HERE / f"{name}.png"))
        assert same_pixels(display.image(), device.image)


def test_rotation_is_applied_by_the_device():
    device = dummy_panel(rotation=180).open()
    screen, width, height = SAMPLES["idle"]
    with Display(DevicePanel(lambda: device)) as display:
        show(display, screen)
        assert display.wait_drawn()
        assert same_pixels(device.image, render(screen).rotate(180))


class FlakyDevice(dummy):
    """The real dummy device, failing its first ``failures`` writes like a browned-out panel."""

    def __init__(self, failures, error, **kw):
        super().__init__(mode="1", **kw)
        self.failures, self.error, self.calls = failures, error, 0

    def display(self, image):
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        super().display(image)


@pytest.mark.parametrize(
    "error",
    [
        OSError(errno.EREMOTEIO, "Remote I/O error"),
        DeviceNotFoundError("I2C device not found on address: 0x3C"),
    ],
)
def test_display_recovers_from_bus_errors(error, caplog):
    device = FlakyDevice(4, error)
    made = []

    def factory():
        made.append(1)
        return device

    screen = SAMPLES["success"][0]
    with (
        caplog.at_level(logging.WARNING, logger="hw.display"),
        Display(DevicePanel(factory), retry_max=0.05) as display,
    ):
        show(display, screen)
        assert wait_for(lambda: device.image is not None and display.healthy)
        assert display.wait_drawn()
        assert same_pixels(device.image, render(screen))
    warnings = [r.getMessage() for r in caplog.records]
    assert len([w for w in warnings if "not responding" in w]) == 1  # logged once, not per retry
    assert len(made) >= 2  # set up again after the failure


class GatedDevice(dummy):
    """A bus that takes as long as the test says: each frame waits for ``gate``."""

    def __init__(self, **kw):
        super().__init__(mode="1", **kw)
        self.frames = []
        self.gate = threading.Event()
        self.busy = threading.Event()

    def display(self, image):
        self.busy.set()
        if not self.gate.wait(60):
            raise TimeoutError("the test never opened the gate")
        super().display(image)
        self.frames.append(image.copy())


def test_show_never_waits_for_the_bus_and_stale_frames_are_dropped():
    device = GatedDevice()
    screens = [Screen("busy", f"Step {i}") for i in range(20)]
    with Display(DevicePanel(lambda: device)) as display:
        show(display, screens[0])
        assert device.busy.wait(30)  # the worker is stuck on the bus with the first frame
        for screen in screens[1:]:
            show(display, screen)  # returns although the bus is still busy
        assert not device.frames  # so all of them returned before any frame was drawn
        device.gate.set()
        assert display.wait_drawn(30)
        assert wait_for(lambda: same_pixels(device.frames[-1], render(screens[-1])), 30)
        assert len(device.frames) <= 3  # the first, maybe one more, then only the latest
    assert device.frames[-1].getbbox() is None  # closing clears the panel


class RecordingDevice(dummy):
    def __init__(self, **kw):
        super().__init__(mode="1", **kw)
        self.power = []

    def hide(self):
        self.power.append("off")

    def show(self):
        self.power.append("on")


def test_idle_panel_is_blanked_and_wakes_on_the_next_screen():
    device = RecordingDevice()
    with Display(DevicePanel(lambda: device), idle_blank=0.1) as display:
        show(display, SAMPLES["idle"][0])
        assert wait_for(lambda: display.blanked, timeout=2)
        assert device.power == ["off"]
        show(display, SAMPLES["preview"][0])
        assert display.wait_drawn()
        assert not display.blanked and device.power == ["off", "on"]
        display.blank()
        assert wait_for(lambda: display.blanked)


def test_ascii_rendering_and_png(tmp_path):
    with Display(DevicePanel(lambda: dummy(mode="1"))) as display:
        show(display, SAMPLES["success"][0])
        art = display.ascii()
        display.save_png(tmp_path / "frame.png")
        display.clear()
        assert display.image().getbbox() is None
    assert len(art.splitlines()) <= 32 and "\u2588" in art
    assert same_pixels(Image.open(tmp_path / "frame.png"), render(SAMPLES["success"][0]))
    assert ascii_art(Image.new("1", (4, 2), 1)) == "\u2588" * 4


class CountingPanel(I2CPanel):
    """The real I2C panel, counting its setups."""

    setups = 0

    def open(self):
        self.setups += 1
        return super().open()


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_failed_setups_leak_neither_bus_handles_nor_exit_hooks():
    # /dev/null opens like a bus but refuses every I2C transfer (ENOTTY): a
    # dead panel on a real file descriptor.
    panel = CountingPanel("ssd1306", port="/dev/null")
    fds, hooks = _open_fds(), atexit._ncallbacks()
    with Display(panel, retry_max=0.001) as display:
        show(display, SAMPLES["idle"][0])
        assert wait_for(lambda: panel.setups >= 1000, timeout=60)
        assert not display.healthy
        assert _open_fds() <= fds + 1  # at most the one setup in progress
        assert atexit._ncallbacks() == hooks
    assert _open_fds() == fds


def test_a_frame_of_another_size_is_refused():
    with (
        Display(DevicePanel(lambda: dummy(mode="1"))) as display,
        pytest.raises(BadValue, match="frame is"),
    ):
        display.show(Image.new("1", (64, 32)))


def test_i2c_panel_refuses_an_unknown_driver_and_a_missing_bus_leaves_nothing_open(tmp_path):
    with pytest.raises(BadValue, match="ssd1306"):
        I2CPanel("ssd1309")
    panel = I2CPanel("sh1106", port=str(tmp_path / "i2c-9"))
    fds = _open_fds()
    with pytest.raises(FileNotFoundError):
        panel.open()
    panel.close()
    assert _open_fds() == fds
