"""The fleet: many kiosks, one central ledger on PostgreSQL.

Each kiosk keeps working alone on its SQLite file; ``assettrack sync`` ships
its hash-chained events to the central database, which checks every chain
as it arrives and derives where each asset is. See ``docs/fleet.md``.

psycopg is an optional dependency (``pip install assettrack[fleet]``): it is
imported inside the functions that connect, never at import time, so the
rest of the CLI never pays for it.
"""
