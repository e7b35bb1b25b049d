"""Where the configuration file is, and its ``[database]`` table read on its own.

The file is the ``--config`` option, else ``$ASSETTRACK_CONFIG``, else
``/etc/assettrack/assettrack.toml`` when it exists; without one, every
setting takes its default. Opening the database needs only ``[database]``:
reading it alone spares every CLI call the check of the hardware sections
(the daemon and ``doctor`` check the whole file).
"""

from __future__ import annotations

import os
from pathlib import Path

from kiosk.errors import ConfigError
from kiosk.sanitize import clean

SYSTEM_PATH = Path("/etc/assettrack/assettrack.toml")
DEFAULT_BUSY_TIMEOUT = 5.0


def config_path(option: str | None) -> Path | None:
    """The file to read: the option, the environment, the system file, or None."""
    chosen = option or os.environ.get("ASSETTRACK_CONFIG")
    if chosen:
        return Path(chosen)
    return SYSTEM_PATH if SYSTEM_PATH.exists() else None


def read_text(source: Path) -> str:
    """The file's text; :class:`ConfigError` when it is missing or unreadable."""
    try:
        return source.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {clean(source)}") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"cannot read config file {clean(source)}: {err}") from None


def database_table(option: str | None) -> tuple[str | None, float]:
    """``[database]`` of the config file: its path (or None) and busy timeout."""
    source = config_path(option)
    if source is None:
        return None, DEFAULT_BUSY_TIMEOUT
    # Imported only when there is a file to read: it costs a read like `where`
    # a tenth of its time, and most CLI calls on a developer's machine have none.
    import tomllib

    try:
        table = tomllib.loads(read_text(source)).get("database", {})
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"cannot read config file {clean(source)}: {err}") from None
    if not isinstance(table, dict):
        raise ConfigError("database: must be a table")
    path, timeout = table.get("path"), table.get("busy_timeout", DEFAULT_BUSY_TIMEOUT)
    if path is not None and not isinstance(path, str):
        raise ConfigError("database.path: must be a string")
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise ConfigError("database.busy_timeout: must be a number above 0")
    return path or None, float(timeout)
