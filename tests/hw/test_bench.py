"""What one slot LED update costs on each backend (``make bench``).

The gpio and shift-register figures are measured on gpiozero's MockFactory:
they are the Python cost of our code plus gpiozero's, the part we control.
On a Pi with lgpio each pin write adds a system call (a few microseconds),
so the shift register's real cost grows with ``3 * 8 * chips`` writes.
Figures are printed as time per update and as a ratio to the simulated
backend measured in the same run, which is comparable across machines.
Asserted, as ratios within the run: the chain's cost grows linearly with
its length, and a batch of slots costs at most 1.5x a single update.
"""

from __future__ import annotations

import time

import pytest

from hw.leds import GpioLeds, ShiftRegisterLeds, SimLeds

pytestmark = pytest.mark.bench

ROUNDS = 2000


def per_update(leds, slots, repeats: int = 3) -> float:
    """Best-of-``repeats`` seconds per set(); alternate on/off so every call changes an output."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for i in range(ROUNDS):
            leds.set(slots[i % len(slots)], "on" if (i // len(slots)) % 2 == 0 else "off")
        best = min(best, (time.perf_counter() - start) / ROUNDS)
    return best


def test_led_update_cost_per_backend(mock_factory):
    slots8 = [f"C:{i}" for i in range(1, 9)]
    figures = {}
    with SimLeds(slots8) as leds:
        figures["sim"] = per_update(leds, slots8)
    gpio_pins = dict(zip(slots8, (12, 16, 20, 21, 26, 19, 13, 4), strict=True))
    with GpioLeds(gpio_pins, pin_factory=mock_factory) as leds:
        figures["gpio (8 LEDs)"] = per_update(leds, slots8)
    for chips in (2, 8, 32):
        outputs = {f"C:{i + 1}": i for i in range(8 * chips)}
        names = list(outputs)
        with ShiftRegisterLeds(
            outputs, data=23, clock=24, latch=25, chips=chips, pin_factory=mock_factory
        ) as leds:
            figures[f"shift-register ({chips} chips, {8 * chips} outputs)"] = per_update(
                leds, names[:: max(len(names) // 8, 1)]
            )
        mock_factory.reset()
    with ShiftRegisterLeds(
        {f"C:{i + 1}": i for i in range(256)},
        data=23,
        clock=24,
        latch=25,
        chips=32,
        pin_factory=mock_factory,
    ) as leds:
        batch = {f"C:{i + 1}": "on" for i in range(0, 256, 16)}
        best = float("inf")
        for _ in range(3):  # best of three, as per_update measures
            start = time.perf_counter()
            for _ in range(50):
                leds.set_many(batch)
                leds.set_many(dict.fromkeys(batch, "off"))
            best = min(best, (time.perf_counter() - start) / 100)
        figures["shift-register set_many(16 slots), 32 chips"] = best
    base = figures["sim"]
    print("\nLED update cost (MockFactory pins):")
    for name, seconds in figures.items():
        print(f"  {name:<48} {seconds * 1e6:9.1f} us   x{seconds / base:8.1f} sim")
    # The chain's cost grows with its length and no faster: 16x the outputs
    # may cost at most 2 x 16x as much (linear, with room for a noisy
    # machine; quadratic would be 256x), so a big room stays as quick per output.
    small = figures["shift-register (2 chips, 16 outputs)"]
    large = figures["shift-register (32 chips, 256 outputs)"]
    print(f"  32 chips / 2 chips: {large / small:.1f}x (target <= {2 * 16}x, linear)")
    assert large <= 2 * 16 * small
    # A batch shifts the chain out once: 16 slots at once cost at most 1.5x one slot alone.
    batch = figures["shift-register set_many(16 slots), 32 chips"]
    print(f"  set_many(16) / set(1), 32 chips: {batch / large:.2f}x (target <= 1.5x)")
    assert batch <= 1.5 * large
