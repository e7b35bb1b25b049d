"""``[database]`` read alone (as every CLI call does) agrees with the full loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.cli import main as cli_main
from kiosk.config import locate, settings
from kiosk.errors import ConfigError

EXAMPLE = Path(__file__).parents[2] / "deploy" / "assettrack.example.toml"


@pytest.mark.parametrize(
    "database",
    [
        "",
        "[database]\n",
        "[database]\npath = '/srv/at.db'\nbusy_timeout = 2\n",
        "[database]\npath = ''\n",
    ],
)
def test_agrees_with_the_full_loader(tmp_path, database):
    hardware = EXAMPLE.read_text().split("[kiosk]", 1)[1]
    path = tmp_path / "c.toml"
    path.write_text(f"{database}\n[kiosk]{hardware}")
    full = settings.load_config(str(path)).database
    want = (None if full.path is None else str(full.path), full.busy_timeout)
    assert locate.database_table(str(path)) == want


@pytest.mark.parametrize(
    "text",
    ["[database]\npath = 3\n", "[database]\nbusy_timeout = 0\n", "database = 1\n", "[database\n"],
)
def test_bad_database_table(tmp_path, text):
    path = tmp_path / "c.toml"
    path.write_text(text)
    with pytest.raises(ConfigError):
        locate.database_table(str(path))
    with pytest.raises(ConfigError):
        settings.load_config(str(path))


def test_database_from_the_config_file(at, env, tmp_path, db_file):
    Path(env["ASSETTRACK_CONFIG"]).write_text(f"[database]\npath = {str(db_file)!r}\n")
    assert cli_main.main(["--actor", "t", "demo", "seed"]) == 0
    assert db_file.exists()
    assert cli_main.main(["where", "LT-0101"]) == 0
    Path(env["ASSETTRACK_CONFIG"]).write_text("[database\n")
    assert cli_main.main(["where", "LT-0101"]) == 2
