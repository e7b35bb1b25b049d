"""The kiosk's conversation: scans and presses in, LEDs and a screen out.

:mod:`~kiosk.flow.interaction` is a pure state machine over a read-only
:class:`~kiosk.flow.ports.DomainPort`; :mod:`~kiosk.flow.wording` says what
the OLED shows at each step and :mod:`~kiosk.flow.panel` draws it as
pixels. :mod:`~kiosk.flow.ports` names what the daemon needs of each
device, so the real and simulated backends in ``hw`` are interchangeable.
"""
