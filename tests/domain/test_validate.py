"""validate on its own: what a tag, badge, case, position, text or date may be.

Every identifier a person or a barcode gives passes through here before it
reaches a row, so each rule is proven at its exact bound and each refusal by
the words a person reads.
"""

from __future__ import annotations

import pytest

from kiosk.domain import validate
from kiosk.errors import InvalidInput


def refusal(fn, *args):
    with pytest.raises(InvalidInput) as info:
        fn(*args)
    return str(info.value)


@pytest.mark.parametrize(
    ("fn", "kind", "limit"),
    [
        (validate.tag, "asset tag", 64),
        (validate.badge, "badge", 64),
        (validate.case_name, "case name", 32),
    ],
)
def test_identifiers_are_stripped_and_bounded_by_their_own_limit(fn, kind, limit):
    assert fn("  LT-0193\t") == "LT-0193"
    assert fn("X" * limit) == "X" * limit
    too_long = "ABCDEFGHIJKLMNOPQRSTUVWXYZ" + "X" * (limit + 1 - 26)
    assert refusal(fn, too_long) == (
        f"{kind} is longer than {limit} characters: ABCDEFGHIJKLMNOPQRST..."
    )


@pytest.mark.parametrize(
    ("fn", "kind"),
    [(validate.tag, "asset tag"), (validate.badge, "badge"), (validate.case_name, "case name")],
)
def test_identifiers_refuse_non_text_blank_and_control_characters(fn, kind):
    assert refusal(fn, 42) == f"{kind} must be text"
    assert refusal(fn, None) == f"{kind} must be text"
    assert refusal(fn, "") == f"{kind} is empty"
    assert refusal(fn, " \t ") == f"{kind} is empty"
    assert refusal(fn, "LT\x1b[2J") == f"{kind} holds control characters: LT\\x1b[2J"


def test_the_length_is_counted_after_stripping():
    assert validate.tag(" " + "T" * 64 + " ") == "T" * 64


def test_a_long_identifier_is_cut_before_it_is_escaped_in_the_message():
    message = refusal(validate.tag, "\x07" * 65)
    assert message == "asset tag is longer than 64 characters: " + "\\x07" * 20 + "..."


def test_a_case_name_may_not_hold_the_slot_separator():
    assert refusal(validate.case_name, "CART:A") == "case name may not contain ':': CART:A"
    assert refusal(validate.case_name, "A\x1b:") == "case name holds control characters: A\\x1b:"
    assert validate.case_name(" CART-A ") == "CART-A"
    # Tags and badges may: only a case name is written before a ':'.
    assert validate.tag("LT:1") == "LT:1"
    assert validate.badge("u:1") == "u:1"


@pytest.mark.parametrize(
    ("value", "expected"), [(1, 1), ("1", 1), (" 7 ", 7), ("1000", 1000), (1000, 1000)]
)
def test_positions_from_one_to_the_most_slots_a_case_has(value, expected):
    assert validate.position(value) == expected
    assert validate.slot_count(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, "slot position must be 1 or more, got 0"),
        ("0", "slot position must be 1 or more, got 0"),
        (-3, "slot position must be 1 or more, got -3"),
        (1001, "slot position must be at most 1000, got 1001"),
        ("1001", "slot position must be at most 1000, got 1001"),
        ("seven", "slot position must be a whole number: seven"),
        ("2.5", "slot position must be a whole number: 2.5"),
        # A message is one line of words: the empty value leaves no trailing blank.
        ("", "slot position must be a whole number:"),
        ("4\x1b", "slot position must be a whole number: 4\\x1b"),
        (True, "slot position must be a whole number"),
        (False, "slot position must be a whole number"),
    ],
)
def test_positions_refused_say_why(value, message):
    assert refusal(validate.position, value) == message


@pytest.mark.parametrize(
    ("value", "shown"),
    [(0, "0"), (1001, "1001"), ("many", "many"), (True, "True"), ("\x00", "\\x00")],
)
def test_a_slot_count_refused_names_the_allowed_range(value, shown):
    assert refusal(validate.slot_count, value) == f"slot count must be 1 to 1000: {shown}"


def test_free_text_is_stripped_and_keeps_control_characters():
    assert validate.text("name", "  Dell Latitude 7440 ") == "Dell Latitude 7440"
    assert validate.text("notes", "bent\x1b[2J hinge") == "bent\x1b[2J hinge"
    assert validate.text("name", None) == ""
    assert validate.text("name", "") == ""


def test_free_text_refuses_nul_and_non_text():
    assert refusal(validate.text, "model", "a\x00b") == "model holds a NUL character"
    assert refusal(validate.text, "serial", 123) == "serial must be text"


def test_free_text_is_bounded_by_the_name_limit_unless_told_otherwise():
    assert validate.text("name", "n" * 200) == "n" * 200
    assert refusal(validate.text, "name", "n" * 201) == "name is longer than 200 characters"
    assert validate.text("notes", "n" * 4000, validate.NOTES_MAX) == "n" * 4000
    assert (
        refusal(validate.text, "notes", "n" * 4001, validate.NOTES_MAX)
        == "notes is longer than 4000 characters"
    )
    # Stripped first: surrounding blanks do not count against the limit.
    assert validate.text("name", " " + "n" * 200 + " ") == "n" * 200


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2026-11-25", "2026-11-25"), (" 2026-01-05\n", "2026-01-05"), ("20260105", "2026-01-05")],
)
def test_dates_are_returned_normalised(value, expected):
    assert validate.date(value) == expected


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("2026-02-30", "2026-02-30"),
        ("25.11.2026", "25.11.2026"),
        ("2026-13-01", "2026-13-01"),
        ("\x1b", "\\x1b"),
    ],
)
def test_a_bad_date_is_refused_in_the_words_of_its_format(value, shown):
    assert refusal(validate.date, value) == f"date must be YYYY-MM-DD: {shown}"
    assert refusal(validate.date, "") == "date must be YYYY-MM-DD:"


def test_refusals_are_invalid_input_with_its_exit_code():
    with pytest.raises(InvalidInput) as info:
        validate.tag("")
    assert (info.value.code, info.value.exit_code) == ("invalid_input", 2)
