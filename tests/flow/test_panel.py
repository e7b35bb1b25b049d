"""Screens as pure functions: each kind drawn pixel for pixel as the reference PNGs.

The references are in ``tests/flow/screens/`` (regenerate with
``.venv/bin/python -m tests.flow.make_reference_pngs`` and look at them
before committing).
"""

from __future__ import annotations

import pytest
from PIL import Image

from kiosk.errors import InvalidInput
from kiosk.flow.panel import render, text_lines
from kiosk.flow.screen import Screen
from tests.flow.make_reference_pngs import HERE, SAMPLES
from tests.hw.test_display import same_pixels


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_screen_matches_reference_png(name):
    screen, width, height = SAMPLES[name]
    reference = Image.open(HERE / f"{name}.png")
    assert same_pixels(render(screen, width, height), reference)


def test_long_text_is_cut_visibly_and_control_characters_escaped():
    screen, width, height = SAMPLES["overflow"]
    lines = text_lines(screen, width, height)
    assert lines[0] == "Check out LT-202..."
    assert lines[1].endswith("...") and lines[2] == "ctl\\x1b[2J"
    assert lines[-1] == "line 5 (+2)"
    assert all(len(line) <= 21 for line in lines)


def test_unknown_screen_kind_is_refused():
    with pytest.raises(InvalidInput):
        Screen("party", "x")
