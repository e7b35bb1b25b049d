"""Tools for the people who run a kiosk: health checks and demo data."""
