"""Printed labels read back by real decoders, and read by the kiosk's own classifier.

Each PDF is rendered to images by poppler's ``pdftoppm``; every label's cell
is cut out (the sheet's own geometry) and decoded by ``zbarimg`` (Code 128,
QR) or ``dmtxread`` (Data Matrix, which zbar does not read). The decoded
codes must be exactly the expected ones, each read by the kiosk's
:class:`Classifier` as what the label names.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from kiosk.domain.types import SlotRef
from kiosk.flow.barcodes import Classifier
from kiosk.interop.labels import SHEETS

DPI = 200
SLOTS = {
    f"SLOT:CART-{c}:{p}": ("slot", SlotRef(f"CART-{c}", p))
    for c, n in (("A", 8), ("B", 6))
    for p in range(1, n + 1)
}
BADGES = {f"BADGE:{b}": ("badge", b) for b in ("0042", "0043", "0044")}
ASSETS = {t: ("tag", t) for t in ("LT-0101", "LT-0102", "LT-0103", "LT-0104", "LT-0201", "LT-0202")}
COMMANDS = {"CMD:CONFIRM": ("confirm", None), "CMD:CANCEL": ("cancel", None)}
EXPECTED = {"slots": SLOTS, "badges": BADGES, "assets": ASSETS, "commands": COMMANDS}
SHEET_FOR = {"code128": "avery-l7163", "qr": "a4-3x8", "datamatrix": "avery-5160"}
# dmtxread takes about a second a label: Data Matrix sheets are decoded on a few labels.
FEW = {"slots": ["CART-B"], "assets": ["LT-0101", "LT-0201"], "badges": [], "commands": []}

needs_tools = pytest.mark.skipif(
    not all(shutil.which(t) for t in ("pdftoppm", "zbarimg", "dmtxread")),
    reason="scripts/prereqs.sh test installs poppler-utils, zbar-tools and dmtx-utils",
)


def decode(images: list[Path], symbology: str) -> list[str]:
    """What a real reader finds in ``images`` (one code per image at most)."""
    if symbology == "datamatrix":
        cmd = ["dmtxread", "-n", "-N", "1", "-m", "4000", *map(str, images)]
    else:
        cmd = ["zbarimg", "-q", "--raw", *map(str, images)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    return [line for line in proc.stdout.split("\n") if line]


def cells(pdf: Path, sheet_name: str, count: int, out: Path) -> list[Path]:
    """Each label's cell of the rendered PDF, as its own image."""
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", str(pdf), str(out / "page")], check=True)
    pages = sorted(out.glob("page-*.png"))
    sheet = SHEETS[sheet_name]
    scale = DPI / 72
    crops = []
    for i in range(count):
        page = Image.open(pages[i // sheet.per_page])
        x, y = sheet.cell(i)
        w, h = sheet.label
        box = (
            x * scale,
            (sheet.page[1] - y - h) * scale,
            (x + w) * scale,
            (sheet.page[1] - y) * scale,
        )
        path = out / f"cell-{i:03d}.png"
        page.crop(tuple(round(v) for v in box)).save(path)
        crops.append(path)
    return crops


def check_codes(found: list[str], expected: dict) -> None:
    assert sorted(found) == sorted(expected), "decoded codes differ from the labels'"
    classifier = Classifier()
    for code in found:
        scan = classifier.classify(code)
        assert (scan.kind, scan.value) == expected[code], code


@needs_tools
@pytest.mark.parametrize("symbology", ["code128", "qr", "datamatrix"])
@pytest.mark.parametrize("kind", ["slots", "badges", "assets", "commands"])
def test_every_label_decodes_to_what_the_kiosk_expects(seeded, tmp_path, kind, symbology):
    pdf = tmp_path / "labels.pdf"
    sheet = SHEET_FOR[symbology]
    items = FEW[kind] if symbology == "datamatrix" else []
    expected = {c: v for c, v in EXPECTED[kind].items() if not items or any(i in c for i in items)}
    run = seeded(
        "labels",
        kind,
        *items,
        "-o",
        str(pdf),
        "--sheet",
        sheet,
        "--symbology",
        symbology,
        json=True,
    )
    assert run.code == 0, run.out
    assert sorted(run.doc["codes"]) == sorted(expected)
    crops = cells(pdf, sheet, run.doc["labels"], tmp_path)
    check_codes(decode(crops, symbology), expected)


@needs_tools
def test_the_words_under_each_code(seeded, tmp_path):
    pdf = tmp_path / "b.pdf"
    assert seeded("labels", "badges", "-o", str(pdf)).code == 0
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert {"Alice Ng", "Bob Okafor", "Chen Wei"} <= set(text.split("\n"))
    pdf = tmp_path / "a.pdf"
    assert seeded("labels", "assets", "LT-0101", "-o", str(pdf)).code == 0
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "ThinkPad T14 #1 / ThinkPad T14 Gen 4" in text.split("\n") and "LT-0101" in text


@needs_tools
@pytest.mark.parametrize("symbology", ["code128", "datamatrix"])
def test_png_per_label_for_a_label_printer(seeded, tmp_path, symbology):
    run = seeded(
        "labels",
        "slots",
        "CART-B",
        "--png",
        str(tmp_path / "png"),
        "--sheet",
        "brother-62",
        "--symbology",
        symbology,
        json=True,
    )
    assert run.code == 0
    files = [Path(f) for f in run.doc["png_files"]]
    assert len(files) == 6
    with Image.open(files[0]) as image:
        assert image.size == (round(62 / 25.4 * 300), round(29 / 25.4 * 300))
    check_codes(decode(files, symbology), {k: v for k, v in SLOTS.items() if "CART-B" in k})


@needs_tools
def test_codes_follow_the_configured_patterns(seeded, env, tmp_path):
    Path(env["ASSETTRACK_CONFIG"]).write_text(
        "[kiosk.patterns]\n"
        'slot = "^S/(?P<case>[A-Z-]+)/(?P<pos>\\\\d+)$"\n'
        'badge = "^ID(?P<badge>\\\\d+)$"\n'
        'confirm = "OK!"\n'
    )
    pdf = tmp_path / "s.pdf"
    run = seeded("labels", "slots", "CART-B", "-o", str(pdf), json=True)
    assert run.code == 0, run.out
    assert run.doc["codes"][0] == "S/CART-B/1"
    custom = Classifier(slot=r"^S/(?P<case>[A-Z-]+)/(?P<pos>\d+)$", badge=r"^ID(?P<badge>\d+)$")
    found = decode(cells(pdf, "avery-l7163", 6, tmp_path), "code128")
    assert sorted(found) == [f"S/CART-B/{p}" for p in range(1, 7)]
    assert all(custom.classify(c).value == SlotRef("CART-B", int(c[-1])) for c in found)
    assert seeded("labels", "badges", "ID0042", "-o", str(pdf), json=True).doc["codes"] == [
        "ID0042"
    ]
    assert seeded("labels", "commands", "-o", str(pdf), json=True).doc["codes"][0] == "OK!"


def test_a_pattern_that_cannot_be_printed_is_refused(seeded, env, tmp_path):
    Path(env["ASSETTRACK_CONFIG"]).write_text(
        '[kiosk.patterns]\nslot = "^(SLOT|S):(?P<case>[^:]+):(?P<pos>\\\\d+)$"\n'
    )
    run = seeded("labels", "slots", "-o", str(tmp_path / "s.pdf"))
    assert run.code == 2 and "cannot print labels" in run.err
    assert not (tmp_path / "s.pdf").exists()


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["labels", "slots"], 2),  # neither -o nor --png
        (["labels", "slots", "NOPE", "-o", "x.pdf"], 4),
        (["labels", "assets", "NOPE", "-o", "x.pdf"], 4),
        (["labels", "badges", "BADGE:9999", "-o", "x.pdf"], 4),
        (["labels", "slots", "-o", "x.pdf", "--sheet", "nope"], 2),
        (["labels", "slots", "-o", "x.pdf", "--symbology", "ean13"], 2),
        (["labels", "slots", "-o", "/nonexistent/dir/x.pdf"], 1),
    ],
)
def test_refusals(seeded, tmp_path, monkeypatch, argv, code):
    monkeypatch.chdir(tmp_path)
    assert seeded(*argv).code == code
    assert not (tmp_path / "x.pdf").exists()


def test_nothing_to_print_on_an_empty_database(at, tmp_path):
    assert at("labels", "slots", "-o", str(tmp_path / "x.pdf")).code == 4
