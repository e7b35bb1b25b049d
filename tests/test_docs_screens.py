"""The README's screen pictures are what the renderer draws today."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageChops

from scripts import make_screens

DOCS = Path(__file__).resolve().parents[1] / "docs" / "screens"


def test_pictures_match_the_renderer(tmp_path, capsys):
    assert make_screens.main([str(tmp_path)]) == 0
    made = sorted(p.name for p in tmp_path.glob("*.png"))
    assert made == sorted(p.name for p in DOCS.glob("*.png"))
    for name in made:
        fresh, kept = Image.open(tmp_path / name), Image.open(DOCS / name)
        assert fresh.size == kept.size
        stale = ImageChops.difference(fresh.convert("L"), kept.convert("L")).getbbox()
        assert stale is None, f"docs/screens/{name} is stale: run scripts/make_screens.py"
