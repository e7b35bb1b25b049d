"""The hardware layer's own errors: small, and about devices only.

Callers that speak to people (the CLI, the daemon's wiring) translate
these into their own terms; nothing here knows what an exit code is.
"""

from __future__ import annotations


class HardwareError(Exception):
    """A device refused a request or could not be set up."""


class UnknownLed(HardwareError, LookupError):
    """No LED is configured under that name."""


class BadValue(HardwareError, ValueError):
    """A value no device of this kind accepts (an LED state, a button name)."""


class BadScan(HardwareError, ValueError):
    """Text the scanner would not pass on as a scan (non-printable, too long)."""
