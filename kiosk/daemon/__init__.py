"""The kiosk daemon: the main loop, the wiring of devices, the control socket, systemd.

:mod:`~kiosk.daemon.loop` owns the database connection and the state
machine; :mod:`~kiosk.daemon.wiring` is the one place that builds devices
from the configuration; :mod:`~kiosk.daemon.control` and
:mod:`~kiosk.daemon.control_server` are the two ends of the control socket.
"""
