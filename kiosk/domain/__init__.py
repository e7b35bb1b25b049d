"""The domain: cases, slots, assets, people, custody, and the operations on them.

Pure rules over a SQLite connection: nothing here knows of GPIO, serial
ports or the OLED. Every change is a typed request
(:class:`~kiosk.domain.operations.Operation`) that plans itself against a
snapshot and applies its plan inside one ``BEGIN IMMEDIATE`` transaction;
:mod:`kiosk.domain.slots` is the only code that writes the ``slots`` table.
"""
