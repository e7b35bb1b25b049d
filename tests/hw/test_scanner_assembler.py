"""ScanAssembler on its own: bytes in, scans out, time from an injected clock.

The pty tests in test_scanner.py prove the same rules through a real serial
port; these pin every edge (the exact length limit, the printable range, the
duplicate window's boundary) without waiting on anything.
"""

from __future__ import annotations

import logging

import pytest

from hw.errors import BadScan
from hw.scanner import ScanAssembler


@pytest.fixture
def scans():
    return []


@pytest.fixture
def assembler(scans, clock):
    return ScanAssembler(scans.append, max_length=8, duplicate_window=1.0, clock=clock)


def test_defaults():
    a = ScanAssembler(print)
    assert (a.max_length, a.duplicate_window) == (128, 1.0)
    assert not a.pending


@pytest.mark.parametrize("end", [b"\r", b"\n", b"\r\n"])
def test_each_terminator_ends_a_scan(assembler, scans, end):
    assembler.feed(b"LT-1" + end)
    assert scans == ["LT-1"]
    assert not assembler.pending


def test_a_scan_may_arrive_in_pieces(assembler, scans):
    assembler.feed(b"LT")
    assert assembler.pending and scans == []
    assembler.feed(b"-1")
    assembler.end()  # the line went quiet: no suffix configured
    assert scans == ["LT-1"]


def test_surrounding_spaces_are_stripped_and_blank_lines_ignored(assembler, scans):
    assembler.feed(b"  LT-1 \r\n\r\n   \r")
    assert scans == ["LT-1"]


def test_printable_ascii_edges_are_accepted(assembler, scans, clock):
    assembler.feed(b"! ~\r")  # 0x21, 0x20 inside, 0x7e
    assert scans == ["! ~"]


@pytest.mark.parametrize("byte", [0x00, 0x1B, 0x1F, 0x7F, 0x80, 0x9B, 0xFF])
def test_one_non_printable_byte_rejects_the_whole_scan(assembler, scans, caplog, byte):
    caplog.set_level(logging.WARNING, "hw.scanner")
    assembler.feed(b"LT-" + bytes([byte]) + b"1\r")
    assert scans == []
    assert not assembler.pending
    [record] = caplog.records
    # What is kept is printable already; the bad byte is shown in hex.
    assert record.getMessage() == (
        f"scanner: rejected a scan holding non-printable bytes {byte:02x}: LT-1"
    )
    assert assembler.refused == f"non-printable bytes {byte:02x}"
    assembler.feed(b"LT-2\r")  # the next scan starts clean
    assert scans == ["LT-2"]


def test_several_bad_bytes_are_logged_in_hex(assembler, caplog):
    caplog.set_level(logging.WARNING, "hw.scanner")
    assembler.feed(b"\x01A\x02\r")
    assert "bytes 01 02" in caplog.records[0].getMessage()


def test_exactly_max_length_is_accepted(assembler, scans):
    assembler.feed(b"12345678\r")
    assert scans == ["12345678"]


def test_one_more_than_max_length_is_discarded_and_counted(assembler, scans, caplog):
    caplog.set_level(logging.WARNING, "hw.scanner")
    assembler.feed(b"123456789")
    assert assembler.pending
    assembler.feed(b"0AB\r")
    assert scans == []
    assert not assembler.pending
    [record] = caplog.records
    assert record.getMessage() == "scanner: discarded 12 characters of input longer than 8"
    assembler.feed(b"OK\r")
    assert scans == ["OK"]


def test_overlong_with_bad_bytes_is_reported_once_as_overlong(assembler, scans, caplog):
    caplog.set_level(logging.WARNING, "hw.scanner")
    assembler.feed(b"123456789\x01\x02\r")
    assert scans == []
    [record] = caplog.records
    assert "discarded 11 characters" in record.getMessage()


def test_bad_byte_then_overlong_counts_only_printable_bytes(assembler, caplog):
    caplog.set_level(logging.WARNING, "hw.scanner")
    assembler.feed(b"\x01123456789\r")
    assert "discarded 9 characters" in caplog.records[0].getMessage()


def test_pending_follows_each_kind_of_input(assembler):
    assembler.feed(b"\x01")
    assert assembler.pending
    assembler.end()
    assert not assembler.pending


def test_a_repeat_inside_the_window_counts_once(assembler, scans, clock, caplog):
    caplog.set_level(logging.DEBUG, "hw.scanner")
    assembler.feed(b"LT-1\r")
    clock.now += 0.999
    assembler.feed(b"LT-1\r")
    assert scans == ["LT-1"]
    assert [r.getMessage() for r in caplog.records] == ["scanner: repeated scan LT-1 ignored"]


def test_a_repeat_at_the_window_boundary_counts_again(assembler, scans, clock):
    assembler.feed(b"LT-1\r")
    clock.now += 1.0
    assembler.feed(b"LT-1\r")
    assert scans == ["LT-1", "LT-1"]


def test_the_window_runs_from_the_last_accepted_scan(assembler, scans, clock):
    assembler.feed(b"LT-1\r")
    clock.now += 0.6
    assembler.feed(b"LT-1\r")  # ignored: does not restart the window
    clock.now += 0.6
    assembler.feed(b"LT-1\r")
    assert scans == ["LT-1", "LT-1"]


def test_another_code_between_repeats_is_not_a_repeat(assembler, scans, clock):
    assembler.feed(b"LT-1\rLT-2\rLT-1\r")
    assert scans == ["LT-1", "LT-2", "LT-1"]


def test_the_same_code_after_another_one_within_the_window_counts(assembler, scans, clock):
    assembler.feed(b"LT-2\r")
    clock.now += 0.1
    assembler.feed(b"LT-1\r")
    clock.now += 0.1
    assembler.feed(b"LT-2\r")
    assert scans == ["LT-2", "LT-1", "LT-2"]


def test_a_rejected_scan_does_not_touch_the_window(assembler, scans, clock):
    assembler.feed(b"LT-1\r")
    assembler.feed(b"LT-1\x01\r")
    clock.now += 1.0
    assembler.feed(b"LT-1\r")
    assert scans == ["LT-1", "LT-1"]


def test_a_zero_window_lets_every_repeat_through(scans, clock):
    a = ScanAssembler(scans.append, duplicate_window=0.0, clock=clock)
    a.feed(b"A\rA\r")
    assert scans == ["A", "A"]


def test_refused_says_why_the_last_scan_was_refused_and_clears_on_the_next(assembler, scans):
    assert assembler.refused == ""
    assembler.feed(b"A\x01\r")
    assert assembler.refused == "non-printable bytes 01"
    assembler.feed(b"123456789\r")
    assert assembler.refused == "9 characters of input longer than 8"
    assembler.feed(b"LT-1\r")
    assert assembler.refused == "" and scans == ["LT-1"]


def test_vet_passes_a_code_as_the_port_would(assembler):
    assert assembler.vet("  LT-1  ") == "LT-1"
    assert assembler.vet("LT-1") == "LT-1"  # no duplicate window for a deliberate injection


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("LT-1\rLT-2", "not a scan: one code, without line breaks"),
        ("LT-1\nLT-1", "not a scan: one code, without line breaks"),  # a repeat is still two
        ("", "not a scan: one code, without line breaks"),
        ("LT-\u00e9", "not a scan: non-printable bytes c3 a9"),
        ("123456789", "not a scan: 9 characters of input longer than 8"),
    ],
)
def test_vet_refuses_what_the_port_would_refuse(assembler, code, why):
    with pytest.raises(BadScan) as refused:
        assembler.vet(code)
    assert str(refused.value) == why


def test_vet_shows_an_unencodable_character_as_its_escape(assembler):
    # A lone surrogate cannot come from a port; from elsewhere it is never a crash.
    assert assembler.vet("A\ud800") == "A\\ud800"
