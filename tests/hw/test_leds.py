"""Slot LEDs on gpiozero's MockFactory: the production code drives mock pins."""

from __future__ import annotations

import pytest

from hw.errors import BadValue, UnknownLed
from hw.leds import GpioLeds, ShiftRegisterLeds, SimLeds
from tests.hw.helpers import timeline, wait_for

SMALL_CASE = {"SHELF-1:1": 12, "SHELF-1:2": 16, "SHELF-1:3": 20}
STATUS = {"ready": 5, "conflict": 6}


def levels(pin):
    return [level for _, level in timeline(pin)]


def test_gpio_slot_on_and_off_drive_the_pin(mock_factory):
    with GpioLeds(SMALL_CASE, status_pins=STATUS) as leds:
        leds.set("SHELF-1:2", "on")
        leds.set("SHELF-1:2", "on")  # no second write for an unchanged state
        leds.set("SHELF-1:2", "off")
        assert levels(mock_factory.pin(16)) == [False, True, False]
        assert levels(mock_factory.pin(12)) == [False]
        leds.status("conflict", "on")
        assert mock_factory.pin(6).state and not mock_factory.pin(5).state
        assert leds.states() == dict.fromkeys(SMALL_CASE, "off")
        assert leds.status_states() == {"ready": "off", "conflict": "on"}
    # close() turned everything off and released the pins: they can be claimed again.
    assert not mock_factory.pin(6).state
    GpioLeds(SMALL_CASE, status_pins=STATUS).close()


def test_gpio_blink_follows_the_configured_rate(mock_factory):
    with GpioLeds(SMALL_CASE, blink_rate=10) as leds:  # 0.05 s on, 0.05 s off
        assert leds.half_period == 0.05
        leds.set("SHELF-1:3", "blink")
        pin = mock_factory.pin(20)
        assert wait_for(lambda: len(pin.states) >= 7, timeout=30)
        leds.set("SHELF-1:3", "off")
    events = timeline(pin)[1:7]
    assert [level for _, level in events] == [True, False] * 3
    # A loaded machine may stretch a phase, never shorten it: gpiozero waits at
    # least the half period, so only that bound is asserted (1 ms for timestamps).
    gaps = [b[0] - a[0] for a, b in zip(events, events[1:], strict=False)]
    assert all(gap >= 0.049 for gap in gaps), gaps


def test_unknown_slot_and_bad_state_are_refused(mock_factory):
    with GpioLeds(SMALL_CASE) as leds:
        with pytest.raises(UnknownLed, match="CART-Z:1"):
            leds.set("CART-Z:1", "on")
        with pytest.raises(BadValue):
            leds.set("SHELF-1:1", "bright")
        with pytest.raises(BadValue):
            leds.status("party", "on")


def test_a_pin_already_in_use_releases_the_rest(mock_factory):
    from gpiozero import LED
    from gpiozero.exc import GPIOPinInUse

    blocker = LED(20)
    with pytest.raises(GPIOPinInUse):
        GpioLeds(SMALL_CASE)
    blocker.close()
    GpioLeds(SMALL_CASE).close()


# -- the 74HC595 chain ---------------------------------------------------------


def latched_outputs(factory, data=23, clock=24, latch=25, width=16):
    """Replay the pins' history through a model of the chain: one list per latch."""
    data_events = timeline(factory.pin(data))
    edges = [(t, "clock") for t, level in timeline(factory.pin(clock))[1:] if level]
    edges += [(t, "latch") for t, level in timeline(factory.pin(latch))[1:] if level]
    register, frames = [False] * width, []
    for at, kind in sorted(edges):
        if kind == "clock":
            level = [lv for t, lv in data_events if t <= at][-1]
            register = [level] + register[:-1]  # QA takes SER, every bit moves on
        else:
            frames.append(list(register))
    return frames


def lit(frame):
    return {i for i, on in enumerate(frame) if on}


@pytest.mark.parametrize("chips", [2, 3])
def test_shift_register_lights_the_right_outputs_across_chips(mock_factory, chips):
    width = 8 * chips
    outputs = {f"CART-A:{i + 1}": i for i in range(width)}
    with ShiftRegisterLeds(outputs, data=23, clock=24, latch=25, chips=chips) as leds:
        assert lit(latched_outputs(mock_factory, width=width)[-1]) == set()
        leds.set_many(
            {"CART-A:1": "on", "CART-A:8": "on", "CART-A:9": "on", f"CART-A:{width}": "on"}
        )
        frames = latched_outputs(mock_factory, width=width)
        assert len(frames) == 2  # one latch for the power-up clear, one for set_many
        assert lit(frames[-1]) == {0, 7, 8, width - 1}
        leds.set("CART-A:8", "off")
        assert lit(latched_outputs(mock_factory, width=width)[-1]) == {0, 8, width - 1}


def test_shift_register_maps_slots_to_any_output(mock_factory):
    outputs = {"CART-B:1": 15, "CART-B:2": 3, "CART-B:3": 9}
    with ShiftRegisterLeds(
        outputs, data=23, clock=24, latch=25, chips=2, status_pins=STATUS
    ) as leds:
        leds.set_many({"CART-B:1": "on", "CART-B:3": "on"})
        leds.status("ready", "on")
        assert lit(latched_outputs(mock_factory)[-1]) == {15, 9}
        assert mock_factory.pin(5).state
        leds.all_off()
        assert lit(latched_outputs(mock_factory)[-1]) == set()
        assert not mock_factory.pin(5).state


def test_shift_register_blinks_in_step(mock_factory):
    outputs = {"CART-A:1": 0, "CART-A:2": 1, "CART-A:3": 2}
    with ShiftRegisterLeds(outputs, data=23, clock=24, latch=25, blink_rate=20) as leds:
        leds.set_many({"CART-A:1": "blink", "CART-A:3": "blink", "CART-A:2": "on"})
        assert wait_for(lambda: len(latched_outputs(mock_factory, width=8)) >= 6)
        leds.set_many({"CART-A:1": "off", "CART-A:3": "off"})
        frames = [lit(f) for f in latched_outputs(mock_factory, width=8)[1:6]]
    # Both blinking slots go together; the steady one never flickers.
    assert {frozenset(f) for f in frames} == {frozenset({0, 1, 2}), frozenset({1})}


def test_sim_leds_keep_states():
    leds = SimLeds(["A:1", "A:2"])
    leds.set("A:2", "blink")
    leds.status("ready", "on")
    assert leds.states() == {"A:1": "off", "A:2": "blink"}
    leds.close()
    assert leds.states() == {"A:1": "off", "A:2": "off"}
    assert leds.status_states()["ready"] == "off"
