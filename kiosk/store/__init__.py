"""Storage: the SQLite file, its schema and migrations, the event log, backups.

Nothing here knows what a kiosk or a slot rule is beyond the schema's own
constraints; the domain above decides what may change.
"""
