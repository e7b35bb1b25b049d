"""``assettrack doctor``: every health check, each ok, FAIL, todo or skipped.

``todo`` is a step a person has still to take on a healthy kiosk (a fresh
room with no cases yet): said plainly, but not a failure, so a fresh
install's check passes and scripts can tell "not set up yet" from "broken".

The database is opened ``query_only`` and nothing is migrated or written. Checks:
the file (ours, schema version), SQLite's integrity check, the exact schema
(:mod:`kiosk.store.schema`; an older file is checked migrated, in memory),
each domain invariant and the foreign keys, the event chain, its recorded
head and the replay of the log against the tables (:mod:`kiosk.ops.record`),
the configuration, the hardware the configuration declares (GPIO chip, I2C
bus, scanner port), the slot lights (every slot has an LED in the config's
slot map, every LED a slot: the kiosk serves an unlit slot, but a person
should know) and the kiosk daemon. Hardware checks are skipped for simulated devices, and
the daemon check when no daemon is set up on this machine (no unit file,
no control socket).
"""

from __future__ import annotations

import glob
import os
import socket
import sqlite3
from pathlib import Path

from kiosk.config.settings import Config, DisplayConfig, ScannerConfig
from kiosk.daemon import control
from kiosk.domain import slots
from kiosk.errors import KioskError
from kiosk.ops import record
from kiosk.ops.record import FAIL, OK, SKIPPED, TODO, Check
from kiosk.sanitize import clean
from kiosk.store import invariants, migrations, schema
from kiosk.store.backup import migrated_copy, open_reader
from kiosk.store.db import why_cantopen

# Where a device or a unit file would be; tests point these elsewhere.
DEV = Path("/dev")
UNIT_FILES = (
    Path("/etc/systemd/system/assettrack.service"),
    Path("/lib/systemd/system/assettrack.service"),
    Path("/usr/lib/systemd/system/assettrack.service"),
)


# -- the database ----------------------------------------------------------------


def database_checks(path: Path, led_slots: list[str] | None = None) -> list[Check]:
    """File, integrity, invariants, event chain and cases, read-only.

    ``led_slots`` are the configuration's ``[leds.slots]`` names: on a room
    with no cases yet, the check names the ``case init`` commands that match.
    """
    if not path.exists():
        return [Check("database", FAIL, f"no database at {clean(path)}")]
    try:
        conn = open_reader(path, timeout=5.0)
    except sqlite3.Error as err:
        return [Check("database", FAIL, f"cannot open {clean(path)}: {err}{_why(path)}")]
    try:
        return [*_database_checks(conn, path), *_cases_check(conn, led_slots or [])]
    except sqlite3.Error as err:
        return [Check("database", FAIL, f"{clean(path)}: {err}{_why(path)}")]
    finally:
        conn.close()


def _why(path: Path) -> str:
    """What SQLite's "unable to open" does not say: a read-only file system, permissions."""
    reason = why_cantopen(path)
    return f" ({reason})" if reason else ""


def _database_checks(conn: sqlite3.Connection, path: Path) -> list[Check]:
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = migrations.version(conn)
    if app_id != migrations.APPLICATION_ID:
        return [Check("database", FAIL, f"{clean(path)} is not an AssetTrack database")]
    if not 1 <= version <= migrations.LATEST:
        want = f"this AssetTrack uses {migrations.LATEST}"
        return [Check("database", FAIL, f"schema version {version}; {want}")]
    found = [Check("database", OK, f"{clean(path)}, schema version {version}")]
    broken = invariants.integrity(conn)
    found.append(Check("integrity", FAIL if broken else OK, "; ".join(broken[:3]) or "ok"))
    wrong = schema.differences(conn, version)
    if wrong or version == migrations.LATEST:
        detail = clean(schema.describe(wrong)) or "exactly as AssetTrack creates it"
        found.append(Check("schema", FAIL if wrong else OK, detail))
        return found + _content_checks(conn, path)
    # The rest is checked as it will be after `assettrack init` upgrades the file.
    with migrated_copy(conn) as copy:
        wrong = schema.differences(copy)
        detail = f"version {version}, checked migrated to {migrations.LATEST} in memory"
        found.append(Check("schema", FAIL if wrong else OK, schema.describe(wrong) or detail))
        return found + _content_checks(copy, path)


def _content_checks(conn: sqlite3.Connection, path: Path) -> list[Check]:
    """The invariants, then the chain, the head and the replay, in one snapshot."""
    found = []
    conn.execute("BEGIN")
    try:
        for name, bad, meaning in invariants.by_rule(conn):
            detail = f"{', '.join(clean(b) for b in bad[:5])} {meaning}" if bad else ""
            label = name if name == "foreign keys" else f"invariant: {name}"
            found.append(Check(label, FAIL if bad else OK, detail))
        found += record.checks(conn, path)[1]
    except sqlite3.Error as err:
        # A schema not ours (say, a column gone) can stop the checks that follow.
        found.append(Check("content", FAIL, f"cannot be checked: {err}"))
    finally:
        conn.execute("ROLLBACK")
    return found


def _cases_check(conn: sqlite3.Connection, led_slots: list[str]) -> list[Check]:
    """A todo on a database with no case: every scan would be "no free slot".

    Not a failure: nothing is broken, the room is only not set up yet, and
    the installer (whose check must pass on a fresh install) ends with this
    hint naming the ``case init`` commands that match the LED map.
    """
    if conn.execute("PRAGMA application_id").fetchone()[0] != migrations.APPLICATION_ID:
        return []
    count = conn.execute("SELECT count(DISTINCT case_name) FROM slots").fetchone()[0]
    if count:
        return [Check("cases", OK, f"{count} case{'s' if count != 1 else ''}")]
    sizes: dict[str, int] = {}
    for name in led_slots:
        case, _, pos = name.rpartition(":")
        if pos.isdigit():
            sizes[case] = max(sizes.get(case, 0), int(pos))
    commands = "; ".join(f"assettrack case init {clean(c)} --slots {n}" for c, n in sizes.items())
    return [
        Check(
            "cases",
            TODO,
            f"no cases yet: run `{commands or 'assettrack case init CASE --slots N'}`",
        )
    ]


# -- configuration and hardware ---------------------------------------------------


def lights_check(path: Path, config: Config | None) -> Check:
    """Slots in the database without a configured LED, and LEDs for slots that do not exist."""
    if config is None or not path.exists():
        return Check("lights", SKIPPED, "no config or no database to compare")
    if not config.leds.slots and config.leds.backend == "sim":
        return Check("lights", SKIPPED, "simulated LEDs follow the database's slots")
    try:
        conn = open_reader(path, timeout=5.0)
        try:
            names = [str(ref) for ref, _ in slots.list_slots(conn)]
        finally:
            conn.close()
    except (sqlite3.Error, KioskError) as err:
        return Check("lights", SKIPPED, f"cannot read the slots: {clean(err)}")
    if not names:
        # The cases check already says what to create; the LED map is compared once they exist.
        return Check("lights", SKIPPED, "no cases yet to compare with the LED map")
    lit = set(config.leds.slots)
    problems = []
    unlit = [name for name in names if name not in lit]
    if unlit:
        problems.append(f"no light for {_some(unlit)}")
    stray = [name for name in config.leds.slots if name not in set(names)]
    if stray:
        problems.append(f"a light for no slot: {_some(stray)}")
    if problems:
        return Check("lights", FAIL, "; ".join(problems))
    return Check("lights", OK, f"{len(names)} slots, each with a light")


def _some(names: list[str], most: int = 12) -> str:
    shown = ", ".join(clean(name) for name in names[:most])
    return f"{shown} (+{len(names) - most} more)" if len(names) > most else shown


def config_check(config: Config | None, error: Exception | None) -> Check:
    if error is not None or config is None:
        return Check("config", FAIL, clean(error))
    if config.source is None:
        return Check("config", OK, "no config file: defaults, simulated hardware")
    return Check("config", OK, clean(config.source))


def hardware_checks(config: Config | None) -> list[Check]:
    if config is None:
        why = "config not readable"
        return [Check(n, SKIPPED, why) for n in ("GPIO chip", "I2C bus", "scanner")]
    return [_gpio(config), _i2c(config.display), _scanner(config.scanner)]


def _gpio(config: Config) -> Check:
    users = [
        name
        for name, backend in (("buttons", config.buttons.backend), ("LEDs", config.leds.backend))
        if backend != "sim"
    ]
    if not users:
        return Check("GPIO chip", SKIPPED, "buttons and LEDs are simulated")
    chips = sorted(glob.glob(str(DEV / "gpiochip*")))
    if not chips:
        return Check("GPIO chip", FAIL, f"no {DEV}/gpiochip* for the {' and '.join(users)}")
    return _access("GPIO chip", Path(chips[0]))


def _i2c(display: DisplayConfig) -> Check:
    if display.backend == "sim":
        return Check("I2C bus", SKIPPED, "display is simulated")
    bus = DEV / f"i2c-{display.i2c_port}"
    if not bus.exists():
        return Check("I2C bus", FAIL, f"no {bus} for the {display.backend} display")
    return _access("I2C bus", bus)


def _scanner(scanner: ScannerConfig) -> Check:
    if scanner.backend == "sim":
        return Check("scanner", SKIPPED, "scanner is simulated")
    port = str(scanner.port)
    if "://" in port:
        return Check("scanner", SKIPPED, f"{clean(port)} is not a device file")
    if not Path(port).exists():
        return Check("scanner", FAIL, f"no {clean(port)}: is the scanner plugged in?")
    return _access("scanner", Path(port))


def _access(name: str, device: Path) -> Check:
    if not os.access(device, os.R_OK | os.W_OK):
        return Check(name, FAIL, f"{clean(device)} exists but this user cannot open it")
    return Check(name, OK, clean(device))


# -- the daemon -------------------------------------------------------------------


def daemon_state(path: Path, timeout: float = 2.0) -> tuple[str, str]:
    """("running" | "stopped" | "unknown", detail) from the control socket."""
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    probe.settimeout(timeout)
    try:
        probe.connect(os.fspath(path))
    except (FileNotFoundError, ConnectionRefusedError):
        return "stopped", f"nothing listens on {clean(path)}"
    except OSError as err:
        return "unknown", f"{clean(path)}: {err.strerror or err}"
    finally:
        probe.close()
    try:
        answer = control.request(path, {"cmd": "status"}, timeout=timeout)
    except KioskError as err:
        return "unknown", f"{clean(path)} accepts connections but: {clean(err.message)}"
    state = answer.get("state") or answer.get("status") or "answering"
    return "running", f"{clean(path)}: {clean(state)}"


def daemon_check(path: Path) -> Check:
    unit = next((u for u in UNIT_FILES if u.exists()), None)
    if unit is None and not path.exists():
        return Check("daemon", SKIPPED, "no kiosk daemon set up here (no unit file, no socket)")
    state, detail = daemon_state(path)
    return Check("daemon", OK if state == "running" else FAIL, detail)


def run(
    db_path: Path, *, config: Config | None, config_error: Exception | None, sock_path: Path
) -> list[Check]:
    """Every check, in the order they are printed."""
    return [
        *database_checks(db_path, None if config is None else list(config.leds.slots)),
        config_check(config, config_error),
        lights_check(db_path, None if config_error else config),
        *hardware_checks(None if config_error else config),
        daemon_check(sock_path),
    ]
