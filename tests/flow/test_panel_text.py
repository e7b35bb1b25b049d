"""Text on the OLED: escaped exactly once, the action line never pushed off, wide characters.

The pixels are read back from luma's dummy device behind the real
:class:`hw.display.Display`, as the daemon drives it.
"""

from __future__ import annotations

import pytest
from PIL import Image

from hw.display import Display, dummy_panel
from kiosk.domain import people
from kiosk.flow import panel
from kiosk.flow.panel import LINE_HEIGHT, TITLE_HEIGHT, render, text_lines
from kiosk.flow.screen import Screen
from tests.flow.test_interaction import Script

LONG_NAME = "Maximiliana Wilhelmina Alexandra Okafor-Nga"
WIDE_NAME = "山田太郎 🙂 Ng"
EVIL_NAME = "Evil\x1b[2J\x1b[31mRed\x07Bell"
# The bottom row, less its top pixel row: the font leaves that blank, and a
# descender ("g") of the line above may reach into it.
BOTTOM_ROW = (0, TITLE_HEIGHT + 4 * LINE_HEIGHT + 1, 128, 64)


def on_the_panel(screen: Screen) -> Image.Image:
    """``screen`` as luma's dummy device holds it after the display worker drew it."""
    with Display(dummy_panel()) as display:
        display.show(render(screen, display.width, display.height))
        assert display.wait_drawn()
        return display.image()


def preview_for(kiosk_db, other_db, name: str) -> Screen:
    people.add_person(other_db, "0050", name, actor="test")
    script = Script(kiosk_db, other_db)
    script.step("scan LT-0101")
    script.step("scan BADGE:0050")
    assert script.machine.state == "preview"
    return script.machine.view.screen


def action_row(image: Image.Image) -> bytes:
    return image.crop(BOTTOM_ROW).convert("L").tobytes()


@pytest.mark.parametrize("name", [LONG_NAME, WIDE_NAME])
def test_the_action_line_stays_on_the_panel(name, kiosk_db, other_db):
    assert len(LONG_NAME) == 43
    screen = preview_for(kiosk_db, other_db, name)
    shown = on_the_panel(screen)
    prompt_only = on_the_panel(Screen("confirm", "", (), "Confirm / Cancel"))
    assert any(action_row(prompt_only)), "the prompt draws something"
    assert action_row(shown) == action_row(prompt_only)
    drawn = text_lines(screen)
    assert drawn[-1] == "Confirm / Cancel"
    assert "?" not in "".join(drawn)


def test_wide_characters_are_drawn_not_question_marks(monkeypatch):
    line = Screen("preview", "x", ("山田太郎",))
    marks = Screen("preview", "x", ("????",))
    row = (0, TITLE_HEIGHT, 128, TITLE_HEIGHT + LINE_HEIGHT)
    drawn = on_the_panel(line).crop(row)
    assert drawn.getbbox() is not None
    assert drawn.tobytes() != on_the_panel(marks).crop(row).tobytes()
    # Without any font that has them: a box per character, two cells wide.
    monkeypatch.setattr(panel, "_font_for", lambda ch: None)
    boxed = on_the_panel(line).crop(row)
    assert boxed.getbbox() == (1, 2, 1 + 4 * 12 - 1, 10)
    # An accented letter the bitmap font lacks is written as its base letter.
    assert panel.measure("ř") == panel.measure("r")


def test_text_from_data_is_escaped_once_on_the_panel(kiosk_db, other_db):
    screen = preview_for(kiosk_db, other_db, EVIL_NAME)
    drawn = "".join(text_lines(screen))
    assert "Evil\\x1b[2J\\x1b[31mRed\\x07Bell" in drawn
    assert "\\\\" not in drawn and "\x1b" not in drawn


def test_a_line_break_in_a_name_shows_as_one_escape(kiosk_db, other_db):
    drawn = text_lines(preview_for(kiosk_db, other_db, "Line1\nLine2"))
    assert "Line1\\nLine2" in drawn
