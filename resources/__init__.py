"""Data shipped with the app (pricing.toml, styles, icons). A package so that
``importlib.resources`` finds the files when installed or frozen."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def resource_path(name: str) -> Path:
    """Path of a shipped resource file (works from a checkout, a wheel or PyInstaller)."""
    return Path(str(resources.files(__name__).joinpath(name)))


def read_text(name: str) -> str:
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
