"""AssetTrack: the equipment-room kiosk's domain, storage, daemon and CLI."""

__version__ = "0.1.0"
