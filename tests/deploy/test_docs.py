"""docs/deployment.md: the wiring table agrees with the Pi header and the reference wiring."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "deployment.md"

# BCM GPIO number -> physical pin on the 40-pin header.
HEADER = {
    2: 3, 3: 5, 4: 7, 14: 8, 15: 10, 17: 11, 18: 12, 27: 13, 22: 15, 23: 16,
    24: 18, 10: 19, 9: 21, 25: 22, 11: 23, 8: 24, 7: 26, 5: 29, 6: 31, 12: 32,
    13: 33, 19: 35, 16: 36, 26: 37, 20: 38, 21: 40,
}  # fmt: skip

# The reference wiring the hardware layer's defaults assume.
REFERENCE = {
    "Confirm button": 17,
    "Cancel button": 27,
    "Ready LED": 5,
    "Conflict LED": 6,
    "74HC595 data": 23,
    "74HC595 clock": 24,
    "74HC595 latch": 25,
    "OLED SDA": 2,
    "OLED SCL": 3,
    **{f"Slot {n} (option A)": g for n, g in enumerate([12, 16, 20, 21, 26, 19, 13], 1)},
}


def wiring_rows() -> dict[str, tuple[int, int]]:
    rows = {}
    for line in DOC.read_text().splitlines():
        m = re.match(r"\| ([^|]+?) \| GPIO(\d+)[^|]* \| (\d+) \|", line)
        if m:
            rows[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    return rows


def test_wiring_table_matches_the_header_and_reference() -> None:
    rows = wiring_rows()
    for function, gpio in REFERENCE.items():
        assert function in rows, f"{function} missing from the wiring table"
        bcm, pin = rows[function]
        assert bcm == gpio, function
        assert HEADER[bcm] == pin, f"{function}: GPIO{bcm} is pin {HEADER[bcm]}, not {pin}"


def test_header_diagram_pins() -> None:
    # Lines like "GPIO17 |11  o o 12 |  GPIO18" in the ASCII header diagram.
    text = DOC.read_text()
    seen = 0
    for m in re.finditer(r"GPIO(\d+)\s+\|\s*(\d+)\s+o o\s+(\d+) \|\s+GPIO(\d+)", text):
        assert HEADER[int(m.group(1))] == int(m.group(2))
        assert HEADER[int(m.group(4))] == int(m.group(3))
        seen += 1
    assert seen >= 5


def test_required_sections() -> None:
    text = DOC.read_text()
    for heading in ("## Parts list", "## Wiring", "## Installing", "## Maintenance recipes",
                    "## Troubleshooting", "## Security posture", "## Screens"):  # fmt: skip
        assert f"\n{heading}\n" in text, heading
    assert "sudo deploy/install.sh --enable-i2c" in text
    assert "docs/screens/" in text
