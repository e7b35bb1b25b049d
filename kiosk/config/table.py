"""Typed reading of one TOML table, with errors that name the key.

:mod:`kiosk.config.settings` describes *what* the configuration holds; this module
knows *how* to read a value out of a parsed TOML table and say precisely
what is wrong with it. Every problem becomes one :class:`ConfigError` line
that starts with the dotted key, e.g.::

    scanner.baudrate: must be a whole number, got "fast"

A :class:`Table` remembers which keys were read; :meth:`Table.finish` then
rejects the rest, so a typo (``baudrat = 9600``) is an error instead of a
silently ignored line.
"""

from __future__ import annotations

import re
from typing import Any

from kiosk.errors import ConfigError
from kiosk.sanitize import clean

#: BCM GPIO numbers on the 40-pin header of every Raspberry Pi since the B+.
GPIO_MAX = 27

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def key_path(prefix: str, key: str) -> str:
    """``prefix.key``, quoting the key the way TOML would (``slots."CART-A:3"``)."""
    part = key if _BARE_KEY.match(key) else '"' + clean(key).replace('"', '\\"') + '"'
    return f"{prefix}.{part}" if prefix else part


def _show(value: Any) -> str:
    if isinstance(value, str):
        return '"' + clean(value) + '"'
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return clean(repr(value))


class Table:
    """One TOML table being read; ``prefix`` is its dotted name for messages."""

    def __init__(self, data: Any, prefix: str) -> None:
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise ConfigError(f"{prefix}: must be a table, got {_show(data)}")
        self.data: dict[str, Any] = data
        self.prefix = prefix
        self._seen: set[str] = set()

    def fail(self, key: str, problem: str) -> ConfigError:
        """The error for ``key``: raise what this returns."""
        return ConfigError(f"{key_path(self.prefix, key)}: {problem}")

    def has(self, key: str) -> bool:
        return key in self.data

    def raw(self, key: str, default: Any = None) -> Any:
        self._seen.add(key)
        return self.data.get(key, default)

    def table(self, key: str) -> Table:
        return Table(self.raw(key), key_path(self.prefix, key))

    def required(self, key: str, why: str) -> None:
        if self.data.get(key) is None:
            raise self.fail(key, f"required {why}")

    def string(self, key: str, default: str | None) -> str | None:
        value = self.raw(key, default)
        if value is None or isinstance(value, str):
            return value
        raise self.fail(key, f"must be text, got {_show(value)}")

    def boolean(self, key: str, default: bool) -> bool:
        value = self.raw(key, default)
        if isinstance(value, bool):
            return value
        raise self.fail(key, f"must be true or false, got {_show(value)}")

    def integer(
        self, key: str, default: int | None, lo: int | None = None, hi: int | None = None
    ) -> int | None:
        value = self.raw(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, f"must be a whole number, got {_show(value)}")
        self._bounds(key, value, lo, hi)
        return value

    def number(
        self,
        key: str,
        default: float,
        lo: float | None = None,
        hi: float | None = None,
        *,
        lo_open: bool = False,
    ) -> float:
        value = self.raw(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, f"must be a number, got {_show(value)}")
        if lo_open and lo is not None and value <= lo:
            raise self.fail(key, f"must be more than {lo:g}, got {value:g}")
        self._bounds(key, value, lo, hi)
        return float(value)

    def choice(self, key: str, default: str, options: tuple[str, ...]) -> str:
        value = self.string(key, default)
        if value not in options:
            listed = ", ".join(f'"{o}"' for o in options)
            raise self.fail(key, f"must be one of {listed}, got {_show(value)}")
        return value  # type: ignore[return-value]

    def gpio(self, key: str, default: int | None) -> int | None:
        """A BCM GPIO number, or None when absent and without default."""
        value = self.raw(key, default)
        if value is None:
            return None
        return check_gpio(self, key, value)

    def _bounds(self, key: str, value: float, lo: float | None, hi: float | None) -> None:
        if lo is not None and value < lo:
            raise self.fail(key, f"must be at least {lo:g}, got {value:g}")
        if hi is not None and value > hi:
            raise self.fail(key, f"must be at most {hi:g}, got {value:g}")

    def finish(self) -> None:
        """Reject keys nobody read: they are typos or belong elsewhere."""
        for key in self.data:
            if key not in self._seen:
                raise self.fail(key, "unknown key")


def check_gpio(table: Table, key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise table.fail(key, f"must be a GPIO number, got {_show(value)}")
    if not 0 <= value <= GPIO_MAX:
        raise table.fail(key, f"GPIO {value} does not exist (BCM 0..{GPIO_MAX})")
    return value


class PinBook:
    """Who uses which GPIO: a pin may have one owner only."""

    def __init__(self) -> None:
        self._owner: dict[int, str] = {}

    def claim(self, pin: int | None, owner: str) -> None:
        if pin is None:
            return
        if pin in self._owner:
            raise ConfigError(f"{owner}: GPIO {pin} is already used by {self._owner[pin]}")
        self._owner[pin] = owner
