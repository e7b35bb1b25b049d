"""kiosk.sanitize on its own: what clean() escapes, what it leaves, and shorten()."""

from __future__ import annotations

import doctest
from unicodedata import category

import pytest

import kiosk.sanitize
from kiosk.sanitize import char_width, clean, pad, shorten, visible


def test_the_module_doctests_hold():
    failures, tried = doctest.testmod(kiosk.sanitize)
    assert tried >= 1 and failures == 0


@pytest.mark.parametrize(
    "text",
    ["LT-0103", "Alice Ng", "Zoë Çelik", "東京 3F", "", "a b", "x" * 200, "tab-less/path:1"],
)
def test_printable_text_is_returned_unchanged(text):
    assert clean(text) == text


def test_none_and_non_strings_become_text():
    assert clean(None) == ""
    assert clean(42) == "42"
    assert clean(b"a") == "b'a'"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\n", "\\n"),
        ("\r", "\\r"),
        ("\t", "\\t"),
        ("\\", "\\\\"),
        ("\x00", "\\x00"),
        ("\x1b[2J", "\\x1b[2J"),
        ("\x7f", "\\x7f"),
        ("\x9b", "\\x9b"),  # C1 CSI: one byte that starts an escape sequence
        ("\u202e", "\\u202e"),  # right-to-left override (Cf)
        ("\u200b", "\\u200b"),  # zero-width space (Cf)
        ("\u2028", "\\u2028"),  # line separator (Zl)
        ("\u2029", "\\u2029"),  # paragraph separator (Zp)
        ("\ud800", "\\ud800"),  # a lone surrogate (Cs)
        ("\U000e0001", "\\U000e0001"),  # language tag (Cf, beyond the BMP)
    ],
)
def test_each_unsafe_character_is_shown_escaped(raw, shown):
    assert clean(raw) == shown
    assert clean(f"A{raw}B") == f"A{shown}B"


def test_a_real_escape_and_its_typed_spelling_print_differently():
    real, typed = "LT-1\x1b[2J", "LT-1\\x1b[2J"
    assert clean(real) == "LT-1\\x1b[2J"
    assert clean(typed) == "LT-1\\\\x1b[2J"
    assert clean(real) != clean(typed)


def test_a_backslash_alone_is_escaped_even_in_printable_text():
    assert clean("C:\\temp") == "C:\\\\temp"


def test_printable_non_ascii_is_kept_next_to_escaped_controls():
    assert clean("Zoë\x1b") == "Zoë\\x1b"
    assert clean("a\u00a0b") == "a\u00a0b"  # a no-break space is a space (Zs), not a control


def test_escaped_output_holds_no_control_characters():
    everything = "".join(chr(c) for c in range(0, 0x3000)) + "\U000e0001\U0010ffff"
    out = clean(everything)
    unsafe = {"Cc", "Cf", "Zl", "Zp", "Cs"}
    assert not [ch for ch in out if category(ch) in unsafe]
    # Every backslash in the output starts an escape: none is left bare.
    assert "\\" not in out.replace("\\\\", "").replace("\\x", "").replace("\\u", "").replace(
        "\\U", ""
    ).replace("\\n", "").replace("\\r", "").replace("\\t", "")


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        ("LT-0103", 10, "LT-0103"),
        ("LT-0103", 7, "LT-0103"),
        ("LT-0103", 6, "LT-01\u2026"),
        ("LT-0103", 1, "\u2026"),
        ("LT-0103", 0, ""),
        ("LT-0103", -3, ""),
        ("", 0, ""),
        ("", 4, ""),
    ],
)
def test_shorten_cuts_to_width_with_an_ellipsis(text, width, expected):
    assert shorten(text, width) == expected
    assert len(shorten(text, width)) <= max(width, 0)


def test_visible_of_none_is_empty():
    assert visible(None) == ""


@pytest.mark.parametrize(
    ("ch", "columns"),
    [
        ("A", 1),
        ("\u00e9", 1),
        ("\u0301", 0),  # combining acute accent (Mn)
        ("\u20dd", 0),  # combining enclosing circle (Me)
        ("\u4e2d", 2),  # CJK ideograph (W)
        ("\uff21", 2),  # fullwidth A (F)
    ],
)
def test_char_width_counts_terminal_columns(ch, columns):
    assert char_width(ch) == columns


def test_shorten_stops_at_the_first_character_that_does_not_fit():
    # A narrow character after a wide one that did not fit would, but order is kept.
    assert shorten("\u4e2d\u4e2da", 4) == "\u4e2d\u2026"


@pytest.mark.parametrize(
    ("text", "columns", "expected"),
    [("ab", 4, "ab  "), ("\u4e2d", 4, "\u4e2d  "), ("abc", 2, "abc"), ("abc", 3, "abc")],
)
def test_pad_fills_to_terminal_columns_and_never_cuts(text, columns, expected):
    assert pad(text, columns) == expected
