"""The kiosk's one configuration file: where it is, how it is read, what it holds.

* :mod:`~kiosk.config.locate` finds the file and reads its ``[database]``
  table alone (every CLI call needs that much, and no more);
* :mod:`~kiosk.config.settings` checks the whole file into a frozen
  :class:`~kiosk.config.settings.Config`;
* :mod:`~kiosk.config.table` reads one TOML table with errors that name the key.
"""
