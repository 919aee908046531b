"""The plan catalog: tiers, prices and limits, read from ``pricing.toml``.

A malformed file fails at start with the file, the line and the problem named, so an
admin who edits prices sees exactly what to fix.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from backend.domain.money import CURRENCIES, Money
from backend.errors import ConfigError, NotFound, ValidationError

INTERVALS = ("month", "year")
LIMIT_KEYS = ("credits", "workflows_per_month", "concurrent_agents")
TIER_KEYS = {
    "name",
    "order",
    "recommended",
    "contact_sales",
    "trial_days",
    "card_required",
    "features",
    "prices",
    "limits",
}


@dataclass(frozen=True)
class Limits:
    """``None`` means unlimited (or, for credits, that the tier grants none)."""

    credits: int | None = None
    workflows_per_month: int | None = None
    concurrent_agents: int | None = None

    def to_json(self) -> dict[str, int | None]:
        return {
            k: getattr(self, k) for k in ("workflows_per_month", "concurrent_agents", "credits")
        }


@dataclass(frozen=True)
class Tier:
    id: str
    name: str
    order: int
    limits: Limits
    prices: dict[tuple[str, str], Money] = field(default_factory=dict)
    features: tuple[str, ...] = ()
    recommended: bool = False
    contact_sales: bool = False
    trial_days: int | None = None
    card_required: bool = True

    @property
    def is_trial(self) -> bool:
        return self.trial_days is not None

    @property
    def purchasable(self) -> bool:
        return bool(self.prices) and not self.contact_sales

    def price(self, currency: str, interval: str) -> Money:
        try:
            return self.prices[(currency.upper(), interval)]
        except KeyError:
            raise ValidationError(
                f"{self.name} has no {interval}ly price in {currency.upper()}.", field="tier"
            ) from None

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "recommended": self.recommended,
            "contact_sales": self.contact_sales,
            "trial_days": self.trial_days,
            "features": list(self.features),
            "prices": [
                {"currency": cur, "interval": iv, "amount": m.amount}
                for (cur, iv), m in sorted(self.prices.items())
            ],
            "limits": self.limits.to_json(),
        }


@dataclass(frozen=True)
class Catalog:
    tiers: tuple[Tier, ...]
    source: str = "<memory>"

    def __iter__(self) -> Iterator[Tier]:
        return iter(self.tiers)

    def get(self, tier_id: str) -> Tier:
        for tier in self.tiers:
            if tier.id == tier_id:
                return tier
        known = ", ".join(t.id for t in self.tiers)
        raise NotFound(f"There is no plan called {tier_id!r}; plans are: {known}.")

    def name_of(self, tier_id: str) -> str:
        """The tier's name for display; a tier since removed from the catalog still
        reads well on old payments, subscriptions and invoices (``pro_plus`` → Pro Plus)."""
        for tier in self.tiers:
            if tier.id == tier_id:
                return tier.name
        return tier_id.replace("_", " ").title()

    @property
    def trial(self) -> Tier:
        for tier in self.tiers:
            if tier.is_trial:
                return tier
        raise ConfigError(f"{self.source}: no tier has trial_days, so trials cannot start.")

    def rank(self, tier_id: str) -> int:
        """Position in the catalog, used to tell an upgrade from a downgrade."""
        return self.get(tier_id).order


def _line_of(text: str, tier_id: str | None, key: str | None = None) -> int:
    """Best line number for a semantic error: the key inside the tier's table, or its header."""
    lines = text.splitlines()
    header = re.compile(rf"^\s*\[tiers\.{re.escape(tier_id)}(\.|\])") if tier_id else None
    start = 0
    if header:
        for i, line in enumerate(lines):
            if header.match(line):
                start = i
                break
    if key:
        keypat = re.compile(rf"^\s*{re.escape(key)}\s*=|\b{re.escape(key)}\s*=")
        for i in range(start, len(lines)):
            if i > start and re.match(
                r"^\s*\[tiers\.(?!" + re.escape(tier_id or "") + ")", lines[i]
            ):
                break
            if keypat.search(lines[i]):
                return i + 1
    return start + 1


def parse_catalog(text: str, source: str = "<memory>") -> Catalog:
    """Parse catalog TOML text; raise :class:`ConfigError` naming ``source:line``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: {exc}") from None

    def fail(tier_id: str | None, key: str | None, problem: str) -> ConfigError:
        return ConfigError(f"{source}, line {_line_of(text, tier_id, key)}: {problem}")

    tiers_data = data.get("tiers")
    if not isinstance(tiers_data, dict) or not tiers_data:
        raise ConfigError(f"{source}, line 1: no [tiers.<id>] tables found.")
    tiers: list[Tier] = []
    for tier_id, raw in tiers_data.items():
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,31}", tier_id):
            raise fail(tier_id, None, f"tier id {tier_id!r} must be lower-case letters, digits, _.")
        if not isinstance(raw, dict):
            raise fail(tier_id, None, f"tiers.{tier_id} must be a table.")
        unknown = set(raw) - TIER_KEYS
        if unknown:
            key = sorted(unknown)[0]
            raise fail(tier_id, key, f"tiers.{tier_id}: unknown key {key!r}.")
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip():
            raise fail(tier_id, "name", f"tiers.{tier_id}: 'name' must be non-empty text.")
        order = raw.get("order", len(tiers) + 1)
        if not isinstance(order, int) or isinstance(order, bool):
            raise fail(tier_id, "order", f"tiers.{tier_id}: 'order' must be a whole number.")
        for flag in ("recommended", "contact_sales", "card_required"):
            if flag in raw and not isinstance(raw[flag], bool):
                raise fail(tier_id, flag, f"tiers.{tier_id}: {flag!r} must be true or false.")
        trial_days = raw.get("trial_days")
        if trial_days is not None and (
            not isinstance(trial_days, int) or isinstance(trial_days, bool) or trial_days <= 0
        ):
            raise fail(tier_id, "trial_days", f"tiers.{tier_id}: trial_days must be above 0.")
        features = raw.get("features", [])
        if not isinstance(features, list) or not all(isinstance(f, str) for f in features):
            raise fail(tier_id, "features", f"tiers.{tier_id}: 'features' must be a list of text.")
        limits_raw = raw.get("limits", {})
        if not isinstance(limits_raw, dict):
            raise fail(tier_id, "limits", f"tiers.{tier_id}: 'limits' must be a table.")
        for key, value in limits_raw.items():
            if key not in LIMIT_KEYS:
                raise fail(tier_id, key, f"tiers.{tier_id}.limits: unknown limit {key!r}.")
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise fail(
                    tier_id, key, f"tiers.{tier_id}.limits.{key} must be a whole number ≥ 0."
                )
        prices: dict[tuple[str, str], Money] = {}
        prices_raw = raw.get("prices", {})
        if not isinstance(prices_raw, dict):
            raise fail(tier_id, "prices", f"tiers.{tier_id}: 'prices' must be a table.")
        for currency, per_interval in prices_raw.items():
            if currency not in CURRENCIES:
                raise fail(
                    tier_id, currency, f"tiers.{tier_id}.prices: unknown currency {currency!r}."
                )
            if not isinstance(per_interval, dict):
                raise fail(tier_id, currency, f"tiers.{tier_id}.prices.{currency} must be a table.")
            for interval, amount in per_interval.items():
                if interval not in INTERVALS:
                    raise fail(
                        tier_id,
                        currency,
                        f"tiers.{tier_id}.prices.{currency}: interval {interval!r} "
                        "must be month or year.",
                    )
                if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
                    raise fail(
                        tier_id,
                        currency,
                        f"tiers.{tier_id}.prices.{currency}.{interval} must be a whole "
                        "number of minor units above 0 (e.g. 79900 for ₹799.00).",
                    )
                prices[(currency, interval)] = Money(amount, currency)
        if raw.get("contact_sales") and prices:
            raise fail(tier_id, "prices", f"tiers.{tier_id}: a contact-sales tier has no prices.")
        tiers.append(
            Tier(
                id=tier_id,
                name=name.strip(),
                order=order,
                limits=Limits(**limits_raw),
                prices=prices,
                features=tuple(features),
                recommended=bool(raw.get("recommended", False)),
                contact_sales=bool(raw.get("contact_sales", False)),
                trial_days=trial_days,
                card_required=bool(raw.get("card_required", trial_days is None)),
            )
        )
    if sum(t.recommended for t in tiers) > 1:
        raise ConfigError(f"{source}, line 1: only one tier can be recommended.")
    tiers.sort(key=lambda t: t.order)
    return Catalog(tuple(tiers), source)


def load_catalog(path: Path | None = None) -> Catalog:
    """Load the admin's catalog file, or the one shipped in ``resources``."""
    if path is None:
        from resources import read_text, resource_path

        return parse_catalog(read_text("pricing.toml"), str(resource_path("pricing.toml")))
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the catalog ({exc.strerror}).") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: the catalog must be saved as UTF-8 text.") from None
    return parse_catalog(text, str(path))
