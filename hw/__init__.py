"""Kiosk devices: scanner, slot LEDs, buttons and OLED, each real or simulated.

Devices only: plain values in (pins, ports, addresses, a frame to show),
callbacks and small error types (:mod:`hw.errors`) out. Nothing here
imports AssetTrack's own code; ``kiosk.daemon.wiring`` builds these from
the configuration.
"""
