"""The ports of the kiosk: what the state machine and the daemon need, as Protocols.

Each device in ``hw`` (real or simulated) satisfies one of these without
knowing it, the way luma's devices share one interface: the daemon is
written against the Protocol and the wiring picks the backend.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import Protocol, runtime_checkable

from PIL import Image

from kiosk.domain.operations import Operation, Plan
from kiosk.domain.types import Asset


class DomainPort(Protocol):
    """The reads the kiosk needs from the domain (see :class:`kiosk.flow.db_port.DbPort`)."""

    def lookup(self, tag: str) -> Asset | None:
        """The asset, or None when the tag is unknown."""
        ...

    def tag_of_snipeit_id(self, snipeit_id: int) -> str | None:
        """The tag of the asset Snipe-IT knows by this id, or None."""
        ...

    def preview(self, request: Operation) -> Plan:
        """Plan ``request``; raises HardStop / NotFound / InvalidInput when blocked."""
        ...

    def summary(self) -> Mapping[str, int]:
        """Assets per status, for the idle screen."""
        ...

    def known_tag(self, tag: str) -> str | None:
        """The known tag equal to ``tag`` but for letter case, or None."""
        ...

    def loans(self, badge: str) -> list[tuple[str, str | None]]:
        """What ``badge`` holds: (tag, due date or None) per asset."""
        ...

    def last_op(self, tag: str) -> str | None:
        """The operation of the asset's newest event ("found", "repair", ...)."""
        ...


class SlotLedsPort(Protocol):
    """Slot LEDs named ``CASE:POS`` and the two status LEDs, each off, on or blink."""

    backend: str
    half_period: float

    def set_many(self, mapping: Mapping[str, str]) -> None: ...

    def status(self, name: str, state: str) -> None: ...

    def states(self) -> dict[str, str]: ...

    def status_states(self) -> dict[str, str]: ...

    def all_off(self) -> None: ...

    def close(self) -> None: ...


class ButtonsPort(Protocol):
    """Confirm and Cancel; presses arrive through the callbacks given at construction."""

    backend: str

    def close(self) -> None: ...


class DisplayPort(Protocol):
    """A panel that shows whole frames, off the caller's thread."""

    backend: str
    width: int
    height: int

    @property
    def healthy(self) -> bool:
        """False while the panel does not answer."""
        ...

    def show(self, frame: Image.Image) -> None: ...

    def clear(self) -> None: ...

    def image(self) -> Image.Image: ...

    def ascii(self) -> str: ...

    def close(self) -> None: ...


class ScannerPort(Protocol):
    """A barcode reader; scans arrive through the callback given at construction."""

    backend: str

    @property
    def connected(self) -> bool: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def close(self) -> None: ...

    def vet(self, code: str) -> str:
        """``code`` as the scanner would pass it on; raises (a ValueError) if it would not."""
        ...


@runtime_checkable
class PressableButtons(ButtonsPort, Protocol):
    """Buttons pressed from code: the simulated backend (``assettrack hw buttons test --sim``)."""

    def press(self, name: str) -> None: ...


@runtime_checkable
class FeedableScanner(ScannerPort, Protocol):
    """A scanner fed lines of text: the simulated backend."""

    def read_from(self, lines: Iterable[str]) -> threading.Thread: ...
