"""What the configuration file holds: TOML, read with :mod:`tomllib`, checked once.

:func:`load_config` finds the file (see :mod:`kiosk.config.locate`), reads it and returns a frozen
:class:`Config`. With no file at all every section takes its defaults,
which means *simulated* hardware: a developer's PC runs the kiosk without
a single wire attached.

Every value is checked here, once, so the hardware layer can trust it. A bad
file raises :class:`~kiosk.errors.ConfigError` with one line naming the key
and the problem (``leds.slots."CART-A:3": GPIO 99 does not exist``); the CLI
prints it and exits 2. ``deploy/assettrack.example.toml`` documents every key.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.config.locate import config_path, read_text
from kiosk.config.table import PinBook, Table, check_gpio, key_path
from kiosk.domain.types import SlotRef
from kiosk.errors import ConfigError, InvalidInput
from kiosk.sanitize import clean

LedState = str  # "off" | "on" | "blink"


@dataclass(frozen=True)
class DatabaseConfig:
    path: Path | None = None
    busy_timeout: float = 5.0


@dataclass(frozen=True)
class PatternsConfig:
    """How the kiosk tells scans apart: tags, slot labels, badges, commands, Snipe-IT URLs.

    Every field is one key of ``[kiosk.patterns]``: a regular expression
    listed in :data:`PATTERN_GROUPS` (with the named groups it must have),
    or an exact command code. A new kind of code is one more field and one
    more entry there; :func:`dataclasses.asdict` hands them all to the
    kiosk's classifier by name.
    """

    tag: str = r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$"
    slot: str = r"^SLOT:(?P<case>[^:]+):(?P<pos>\d+)$"
    badge: str = r"^BADGE:(?P<badge>.+)$"
    confirm: str = "CMD:CONFIRM"
    cancel: str = "CMD:CANCEL"
    #: Snipe-IT's QR label by tag (group ``tag``); "" turns it off.
    snipeit_tag_url: str = r"^https?://[^/?#]+(?:/[^?#]*)?/ht/(?P<tag>[^/?#]+)/?$"
    #: Snipe-IT's QR label by asset id (group ``id``); "" turns it off.
    snipeit_id_url: str = r"^https?://[^/?#]+(?:/[^?#]*)?/hardware/(?P<id>[0-9]{1,18})/?$"

    @property
    def slot_re(self) -> re.Pattern[str]:
        return re.compile(self.slot)

    @property
    def badge_re(self) -> re.Pattern[str]:
        return re.compile(self.badge)


#: The regular expressions of ``[kiosk.patterns]`` and the named groups each needs.
PATTERN_GROUPS: dict[str, tuple[str, ...]] = {
    "tag": (),
    "slot": ("case", "pos"),
    "badge": ("badge",),
    "snipeit_tag_url": ("tag",),
    "snipeit_id_url": ("id",),
}
#: Patterns a site may turn off with "" (a form of label it does not print).
OPTIONAL_PATTERNS = frozenset({"snipeit_tag_url", "snipeit_id_url"})
#: ``[kiosk] intake``: how an unknown tag scanned at the kiosk becomes an asset.
INTAKE_POLICIES = ("confirm", "slot", "off")


@dataclass(frozen=True)
class KioskConfig:
    idle_timeout: float = 30.0
    success_hold: float = 3.0
    #: Seconds a "Not understood" screen stays before the kiosk is idle again.
    error_hold: float = 5.0
    #: confirm: Confirm registers it in the first free slot; slot: its slot
    #: label must be scanned first; off: only the CLI registers assets.
    intake: str = "confirm"
    #: Days a kiosk loan lasts (its due date); 0 = no due date.
    loan_days: int = 0
    #: Refuse a new loan to a badge that holds an overdue one.
    block_overdue: bool = False
    patterns: PatternsConfig = field(default_factory=PatternsConfig)


@dataclass(frozen=True)
class ControlConfig:
    #: None: see :func:`kiosk.daemon.control.socket_path`.
    socket: Path | None = None


@dataclass(frozen=True)
class ScannerConfig:
    backend: str = "sim"
    #: A device path or any pyserial URL. Prefer a stable name
    #: (/dev/serial/by-id/... or the installer's udev name): a replugged
    #: scanner may come back as ttyACM1 while ttyACM0 is still held open.
    port: str | None = None
    baudrate: int = 9600
    #: Silence (s) that ends a scan from a scanner that sends no terminator.
    terminator_timeout: float = 0.1
    max_length: int = 128
    #: Identical scans closer together than this (s) count once.
    duplicate_window: float = 1.0
    #: Longest wait (s) between attempts to reopen an unplugged scanner.
    reconnect_max: float = 5.0
    usb_vendor: str | None = None
    usb_product: str | None = None


@dataclass(frozen=True)
class ShiftRegisterConfig:
    data: int | None = None
    clock: int | None = None
    latch: int | None = None
    chips: int = 1


@dataclass(frozen=True)
class LedsConfig:
    backend: str = "sim"
    #: Blinks per second for the "blink" state.
    blink_rate: float = 2.0
    #: "CASE:POS" -> GPIO number (gpio) or output index (shift-register).
    slots: dict[str, int] = field(default_factory=dict)
    shift_register: ShiftRegisterConfig = field(default_factory=ShiftRegisterConfig)
    ready: int | None = None
    conflict: int | None = None


@dataclass(frozen=True)
class ButtonsConfig:
    backend: str = "sim"
    confirm: int = 17
    cancel: int = 27
    pull_up: bool = True
    bounce_time: float = 0.05
    long_press: float = 2.0


@dataclass(frozen=True)
class DisplayConfig:
    backend: str = "sim"
    i2c_port: int = 1
    address: int = 0x3C
    width: int = 128
    height: int = 64
    rotation: int = 0
    #: Seconds without a new screen before the panel is blanked; 0 = never.
    idle_blank: float = 300.0


@dataclass(frozen=True)
class FleetConfig:
    """The central ledger this kiosk ships its events to (``assettrack sync``)."""

    #: A libpq connection string or URI; TLS by its sslmode (use verify-full).
    dsn: str | None = None
    #: This kiosk's id in the fleet (``ROOM-1``).
    kiosk: str | None = None
    #: Seconds between two syncs of the long-running ``assettrack sync``.
    interval: float = 5.0


@dataclass(frozen=True)
class Config:
    source: Path | None = None
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    kiosk: KioskConfig = field(default_factory=KioskConfig)
    control: ControlConfig = field(default_factory=ControlConfig)
    scanner: ScannerConfig = field(default_factory=ScannerConfig)
    leds: LedsConfig = field(default_factory=LedsConfig)
    buttons: ButtonsConfig = field(default_factory=ButtonsConfig)
    display: DisplayConfig = field(default_factory=DisplayConfig)
    fleet: FleetConfig = field(default_factory=FleetConfig)


def load_config(path: str | None = None) -> Config:
    """Find, read and check the configuration; defaults when there is no file."""
    source = config_path(path)
    if source is None:
        return Config()
    return parse_config(read_text(source), source)


def parse_config(text: str, source: Path | None = None) -> Config:
    """Check the TOML ``text`` and build the :class:`Config` it describes."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        where = clean(source) if source else "config"
        raise ConfigError(f"{where}: not valid TOML: {err}") from None
    root = Table(data, "")
    config = Config(
        source=source,
        database=_database(root.table("database")),
        kiosk=_kiosk(root.table("kiosk")),
        control=_control(root.table("control")),
        scanner=_scanner(root.table("scanner")),
        leds=_leds(root.table("leds")),
        buttons=_buttons(root.table("buttons")),
        display=_display(root.table("display")),
        fleet=_fleet(root.table("fleet")),
    )
    root.finish()
    _check_pins(config)
    return config


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None


def _database(t: Table) -> DatabaseConfig:
    cfg = DatabaseConfig(
        path=_path(t.string("path", None)),
        busy_timeout=t.number("busy_timeout", 5.0, 0.0, lo_open=True),
    )
    t.finish()
    return cfg


def _regex(t: Table, key: str, default: str, groups: tuple[str, ...]) -> str:
    value = t.string(key, default) or ""
    if not value and key in OPTIONAL_PATTERNS:
        return ""  # this form of label is turned off
    try:
        compiled = re.compile(value)
    except re.error as err:
        raise t.fail(key, f"not a valid regular expression: {err}") from None
    for group in groups:
        if group not in compiled.groupindex:
            raise t.fail(key, f"needs the named group (?P<{group}>...)")
    return value


def _kiosk(t: Table) -> KioskConfig:
    p = t.table("patterns")
    defaults = PatternsConfig()
    regexes = {
        key: _regex(p, key, getattr(defaults, key), groups)
        for key, groups in PATTERN_GROUPS.items()
    }
    patterns = PatternsConfig(
        **regexes,
        confirm=p.string("confirm", defaults.confirm) or "",
        cancel=p.string("cancel", defaults.cancel) or "",
    )
    for key in ("confirm", "cancel"):
        if not getattr(patterns, key).strip():
            raise p.fail(key, "must not be empty")
    if patterns.confirm.strip().upper() == patterns.cancel.strip().upper():
        raise p.fail("cancel", "must differ from kiosk.patterns.confirm")
    p.finish()
    cfg = KioskConfig(
        idle_timeout=t.number("idle_timeout", 30.0, 0.0, lo_open=True),
        success_hold=t.number("success_hold", 3.0, 0.0),
        error_hold=t.number("error_hold", 5.0, 0.0, lo_open=True),
        intake=t.choice("intake", "confirm", INTAKE_POLICIES),
        loan_days=t.integer("loan_days", 0, 0, 3650) or 0,
        block_overdue=t.boolean("block_overdue", False),
        patterns=patterns,
    )
    t.finish()
    return cfg


def _control(t: Table) -> ControlConfig:
    cfg = ControlConfig(socket=_path(t.string("socket", None)))
    t.finish()
    return cfg


def _usb_id(t: Table, key: str) -> str | None:
    """A USB id as the installer's udev rule wants it: 4 lower-case hex digits.

    Written as lsusb prints it ("05e0"), with a prefix ("0x05E0") or as a
    TOML integer (0x05E0): all mean the same id.
    """
    value = t.raw(key)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 0xFFFF:
        return f"{value:04x}"
    text = value.strip().lower() if isinstance(value, str) else ""
    text = text.removeprefix("0x")
    if not re.fullmatch(r"[0-9a-f]{4}", text):
        raise t.fail(key, f'must be 4 hex digits like "05e0" (see lsusb), got {clean(repr(value))}')
    return text


def _scanner(t: Table) -> ScannerConfig:
    backend = t.choice("backend", "sim", ("serial", "sim"))
    if backend == "serial":
        t.required("port", 'when backend = "serial"')
    cfg = ScannerConfig(
        backend=backend,
        port=t.string("port", None),
        baudrate=t.integer("baudrate", 9600, 50, 4_000_000) or 9600,
        terminator_timeout=t.number("terminator_timeout", 0.1, 0.0, 10.0, lo_open=True),
        max_length=t.integer("max_length", 128, 1, 4096) or 128,
        duplicate_window=t.number("duplicate_window", 1.0, 0.0, 60.0),
        reconnect_max=t.number("reconnect_max", 5.0, 0.0, 600.0, lo_open=True),
        usb_vendor=_usb_id(t, "usb_vendor"),
        usb_product=_usb_id(t, "usb_product"),
    )
    t.finish()
    return cfg


def _slot_map(t: Table, backend: str, outputs: int) -> dict[str, int]:
    slots: dict[str, int] = {}
    used: dict[int, str] = {}
    for key in list(t.data):
        value = t.raw(key)
        try:
            name = str(SlotRef.parse(key))
        except InvalidInput as err:
            raise t.fail(key, f"not a slot CASE:POS ({err})") from None
        if backend == "shift-register":
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise t.fail(key, f"must be an output index, got {clean(repr(value))}")
            if value >= outputs:
                raise t.fail(
                    key,
                    f"output {value} does not exist ({outputs // 8} chips "
                    f"have outputs 0..{outputs - 1})",
                )
        else:
            check_gpio(t, key, value)
        if value in used:
            what = "output" if backend == "shift-register" else "GPIO"
            owner = key_path(t.prefix, used[value])
            raise t.fail(key, f"{what} {value} is already used by {owner}")
        if name in slots:
            raise t.fail(key, f"slot {name} is listed twice")
        used[value] = key
        slots[name] = value
    return slots


def _leds(t: Table) -> LedsConfig:
    backend = t.choice("backend", "sim", ("gpio", "shift-register", "sim"))
    s = t.table("shift_register")
    if backend == "shift-register":
        for key in ("data", "clock", "latch"):
            s.required(key, 'when leds.backend = "shift-register"')
    shift = ShiftRegisterConfig(
        data=s.gpio("data", None),
        clock=s.gpio("clock", None),
        latch=s.gpio("latch", None),
        chips=s.integer("chips", 1, 1, 64) or 1,
    )
    s.finish()
    status = t.table("status")
    ready, conflict = status.gpio("ready", None), status.gpio("conflict", None)
    status.finish()
    slots = _slot_map(t.table("slots"), backend, shift.chips * 8)
    if backend in ("gpio", "shift-register") and not slots:
        raise t.fail("slots", f'required when leds.backend = "{backend}"')
    cfg = LedsConfig(
        backend=backend,
        blink_rate=t.number("blink_rate", 2.0, 0.0, 50.0, lo_open=True),
        slots=slots,
        shift_register=shift,
        ready=ready,
        conflict=conflict,
    )
    t.finish()
    return cfg


def _buttons(t: Table) -> ButtonsConfig:
    cfg = ButtonsConfig(
        backend=t.choice("backend", "sim", ("gpio", "sim")),
        confirm=t.gpio("confirm", 17) or 0,
        cancel=t.gpio("cancel", 27) or 0,
        pull_up=t.boolean("pull_up", True),
        bounce_time=t.number("bounce_time", 0.05, 0.0, 1.0),
        long_press=t.number("long_press", 2.0, 0.0, 30.0, lo_open=True),
    )
    if cfg.confirm == cfg.cancel:
        raise t.fail("cancel", f"GPIO {cfg.cancel} is already used by buttons.confirm")
    t.finish()
    return cfg


def _display(t: Table) -> DisplayConfig:
    rotation = t.integer("rotation", 0)
    if rotation not in (0, 90, 180, 270):
        raise t.fail("rotation", f"must be 0, 90, 180 or 270, got {rotation}")
    height = t.integer("height", 64, 8, 256) or 64
    if height % 8:
        raise t.fail("height", f"must be a multiple of 8, got {height}")
    cfg = DisplayConfig(
        backend=t.choice("backend", "sim", ("ssd1306", "sh1106", "sim")),
        i2c_port=t.integer("i2c_port", 1, 0, 99) or 0,
        address=t.integer("address", 0x3C, 0x03, 0x77) or 0x3C,
        width=t.integer("width", 128, 8, 256) or 128,
        height=height,
        rotation=rotation or 0,
        idle_blank=t.number("idle_blank", 300.0, 0.0),
    )
    t.finish()
    return cfg


_FLEET_KIOSK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")


def _fleet(t: Table) -> FleetConfig:
    kiosk = t.string("kiosk", None)
    if kiosk is not None and not _FLEET_KIOSK.fullmatch(kiosk):
        raise t.fail("kiosk", "must be 1-32 letters, digits, '.', '_' or '-'")
    cfg = FleetConfig(
        dsn=t.string("dsn", None) or None,
        kiosk=kiosk,
        interval=t.number("interval", 5.0, 0.0, 3600.0, lo_open=True),
    )
    if cfg.dsn is not None and cfg.kiosk is None:
        raise t.fail("kiosk", "required when fleet.dsn is set")
    t.finish()
    return cfg


def _check_pins(config: Config) -> None:
    """One GPIO, one job: across every section that drives real pins."""
    book = PinBook()
    if config.display.backend != "sim" and config.display.i2c_port == 1:
        book.claim(2, "display (I2C1 SDA)")
        book.claim(3, "display (I2C1 SCL)")
    buttons = config.buttons
    if buttons.backend == "gpio":
        book.claim(buttons.confirm, "buttons.confirm")
        book.claim(buttons.cancel, "buttons.cancel")
    leds = config.leds
    if leds.backend != "sim":
        book.claim(leds.ready, "leds.status.ready")
        book.claim(leds.conflict, "leds.status.conflict")
    if leds.backend == "shift-register":
        for key in ("data", "clock", "latch"):
            book.claim(getattr(leds.shift_register, key), f"leds.shift_register.{key}")
    elif leds.backend == "gpio":
        for slot, pin in leds.slots.items():
            book.claim(pin, key_path("leds.slots", slot))
