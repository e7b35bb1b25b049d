"""Kiosk hardware: scanner, slot LEDs, buttons and OLED, each real or simulated."""
