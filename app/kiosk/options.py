"""The kiosk's own settings (``settings.ui``, the shop's currency) and timings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class KioskOptions:
    """How the kiosk behaves; what it sells and how it is paid come from the backend
    (``pricing()``, ``sale_methods()``)."""

    idle_seconds: float = 60
    currency: str = "INR"
    result_seconds: float = 20
    poll_ms: int = 2000

    @classmethod
    def from_view(cls, view: Mapping[str, Any]) -> KioskOptions:
        """From the store's ``settings_view()``."""
        return cls(
            idle_seconds=view["ui"]["kiosk_idle_seconds"],
            currency=view["shop"]["default_currency"],
        )
