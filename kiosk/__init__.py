"""AssetTrack: the equipment-room kiosk, in layers.

``cli`` and ``daemon`` -> ``flow`` -> ``domain`` -> ``store``, with ``ops``,
``interop`` and ``config`` beside them; see docs/architecture.md. The
hardware drivers are the separate package ``hw``.
"""

__version__ = "0.1.0"
