"""What every service function needs, built once by :mod:`backend.bootstrap`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from backend.clock import Clock
from backend.config import Secrets, Settings
from backend.domain.catalog import Catalog
from backend.store import Store


@dataclass
class Context:
    store: Store
    clock: Clock
    catalog: Catalog
    settings: Settings
    secrets: Secrets
    #: adapters built by the composition root (Stripe gateway, PSP, mailer...), by name
    adapters: dict[str, Any] = field(default_factory=dict)

    def now_iso(self) -> str:
        from backend.clock import to_iso

        return to_iso(self.clock.now())
