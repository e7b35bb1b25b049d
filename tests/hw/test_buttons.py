"""Confirm and Cancel on gpiozero's MockFactory, pressed with drive_low/drive_high.

The bounce window is timed by a clock the test steps (``clock.now``), so
no test depends on how fast this machine runs; only the long press, which
gpiozero's own hold thread times, is waited for.
"""

from __future__ import annotations

import pytest

from hw.buttons import GpioButtons, SimButtons
from hw.errors import BadValue
from tests.hw.helpers import wait_for


@pytest.fixture
def pressed():
    return []


@pytest.fixture
def buttons(mock_factory, pressed, clock):
    b = GpioButtons(
        confirm=17,
        cancel=27,
        pull_up=True,
        bounce_time=0.03,
        long_press=0.15,
        on_confirm=lambda: pressed.append("confirm"),
        on_cancel=lambda: pressed.append("cancel"),
        on_long_cancel=lambda: pressed.append("long_cancel"),
        clock=clock,
    )
    yield b
    b.close()


def tap(pin, clock=None, hold=0.0):
    pin.drive_low()  # to GND through the button: pressed, with the pull-up
    if clock is not None:
        clock.now += hold
    pin.drive_high()


def test_pull_up_inputs_idle_high(buttons, mock_factory):
    assert mock_factory.pin(17).pull == "up" and mock_factory.pin(17).state


def test_confirm_fires_on_press(buttons, mock_factory, pressed):
    mock_factory.pin(17).drive_low()
    assert pressed == ["confirm"]
    mock_factory.pin(17).drive_high()
    assert pressed == ["confirm"]


def test_cancel_fires_on_release_of_a_short_press(buttons, mock_factory, pressed, clock):
    pin = mock_factory.pin(27)
    pin.drive_low()
    assert pressed == []
    clock.now += 0.04  # past the 0.03 s bounce window
    pin.drive_high()
    assert pressed == ["cancel"]


def test_contact_bounce_counts_once(buttons, mock_factory, pressed, clock):
    pin = mock_factory.pin(17)
    for _ in range(5):  # a noisy contact: five edges within a few ms
        pin.drive_low()
        pin.drive_high()
    pin.drive_low()
    clock.now += 0.05
    pin.drive_high()
    clock.now += 0.05
    assert pressed == ["confirm"]
    tap(pin, clock, hold=0.05)  # well after the bounce window: a new press
    assert pressed == ["confirm", "confirm"]


def test_a_quick_tap_inside_the_bounce_window_is_not_lost(buttons, mock_factory, pressed, clock):
    pin = mock_factory.pin(27)
    tap(pin)  # the release edge falls inside the window and is checked again after it
    assert pressed == []
    clock.now += 0.05  # the window ends: the recheck reads the released level
    assert wait_for(lambda: pressed == ["cancel"], timeout=10)


def test_long_press_of_cancel_is_clear_not_cancel(buttons, mock_factory, pressed, clock):
    pin = mock_factory.pin(27)
    pin.drive_low()
    assert wait_for(lambda: pressed == ["long_cancel"], timeout=10)  # gpiozero's hold thread
    clock.now += 0.05
    pin.drive_high()
    assert pressed == ["long_cancel"]
    # The next short press is an ordinary cancel again. gpiozero times the
    # hold on its own thread, so make "short" independent of this machine's pace.
    buttons.cancel.button.hold_time = 3600
    clock.now += 0.05
    tap(pin, clock, hold=0.04)
    assert pressed == ["long_cancel", "cancel"]


def test_a_failing_handler_does_not_break_the_buttons(mock_factory):
    seen = []

    def boom():
        raise RuntimeError("handler bug")

    with GpioButtons(
        confirm=17,
        cancel=27,
        bounce_time=0,
        on_confirm=boom,
        on_cancel=lambda: seen.append("cancel"),
    ):
        tap(mock_factory.pin(17))
        tap(mock_factory.pin(27))
    assert seen == ["cancel"]


def test_active_high_wiring(mock_factory, pressed):
    with GpioButtons(
        confirm=17,
        cancel=27,
        pull_up=False,
        bounce_time=0,
        on_confirm=lambda: pressed.append("confirm"),
    ):
        pin = mock_factory.pin(17)
        pin.drive_high()
        pin.drive_low()
    assert pressed == ["confirm"]


def test_sim_buttons_press_by_name(pressed):
    sim = SimButtons(
        on_confirm=lambda: pressed.append("confirm"),
        on_long_cancel=lambda: pressed.append("long_cancel"),
    )
    sim.press("confirm")
    sim.press("long_cancel")
    sim.press("cancel")  # no handler given: nothing happens
    with pytest.raises(BadValue):
        sim.press("eject")
    assert pressed == ["confirm", "long_cancel"]
