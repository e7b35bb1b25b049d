"""Placeholder: replaced by the full TOML config loader."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class DatabaseConfig:
    path: Path | None = None
    busy_timeout: float = 5.0


@dataclass
class Config:
    source: Path | None = None
    database: DatabaseConfig = field(default_factory=DatabaseConfig)


def load_config(path: str | None = None) -> Config:
    path = path or os.environ.get("ASSETTRACK_CONFIG")
    return Config(source=Path(path) if path else None)
