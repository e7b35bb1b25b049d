"""Fixtures for the hardware tests: gpiozero's MockFactory, installed and reset.

A fresh ``MockFactory`` does not release the pins a previous one handed out
(gpiozero #915, #1087), so every test gets its own and ``reset()`` clears its
pins and reservations afterwards, as gpiozero's own test suite does.
"""

from __future__ import annotations

import pytest
from gpiozero import Device
from gpiozero.pins.mock import MockFactory

from tests.hw.helpers import Clock


@pytest.fixture
def mock_factory():
    previous = Device.pin_factory
    factory = MockFactory()
    Device.pin_factory = factory
    try:
        yield factory
    finally:
        factory.reset()
        Device.pin_factory = previous


@pytest.fixture
def clock():
    """A stepped clock for the classes that take one (ScanAssembler, GpioButtons)."""
    return Clock()
