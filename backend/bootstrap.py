"""The one composition root: settings → store → catalog → adapters → :class:`Context`.

Nothing else in the backend opens files, connects or starts threads on its own; the
GUI, CLI and API all call :func:`build_context` and hand the result down.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from backend.clock import Clock, SystemClock
from backend.config import Secrets, Settings, default_data_dir, load_settings
from backend.context import Context
from backend.domain.catalog import load_catalog
from backend.store import open_store

DB_FILENAME = "checkout.db"


def resolve_db_path(settings: Settings, db: str | Path | None = None) -> Path | str:
    """``--db`` beats ``AUTOOS_CHECKOUT_DB`` / the settings file, which beat the default.
    A file path comes back as a Path; a server URL (``postgresql://…``) as it was given."""
    chosen = db or settings.db_path
    if not chosen:
        return default_data_dir() / DB_FILENAME
    return str(chosen) if "://" in str(chosen) else Path(chosen)


def build_context(
    *,
    db: str | Path | None = None,
    config: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    clock: Clock | None = None,
    settings: Settings | None = None,
) -> Context:
    """Build everything a command, window or API server needs, from configuration."""
    env = os.environ if env is None else env
    if settings is None:
        settings = load_settings(Path(config) if config else None, env)
    catalog = load_catalog(settings.catalog_path)
    store = open_store(resolve_db_path(settings, db))
    ctx = Context(
        store=store,
        clock=clock or SystemClock(),
        catalog=catalog,
        settings=settings,
        secrets=Secrets(env),
    )
    _build_adapters(ctx)
    return ctx


def _build_adapters(ctx: Context) -> None:
    """Attach the adapters the configuration asks for (payment gateways, mail)."""
    if ctx.settings.upi.psp == "razorpay":
        from backend.adapters.psp.razorpay import RazorpayQr

        ctx.adapters["psp"] = RazorpayQr(
            key_id=ctx.settings.upi.razorpay_key_id,
            api_base=ctx.settings.upi.razorpay_api_base,
            secrets=ctx.secrets,
        )
    elif ctx.settings.upi.psp:
        from backend.errors import ConfigError

        raise ConfigError(
            f"[upi] psp {ctx.settings.upi.psp!r} is unknown: use razorpay or leave it empty."
        )

    provider = ctx.settings.upi.autopay_provider
    if provider == "razorpay":
        from backend.adapters.psp.razorpay import RazorpayQr

        found = ctx.adapters.get("psp")
        ctx.adapters["autopay_psp"] = (
            found
            if isinstance(found, RazorpayQr)
            else RazorpayQr(
                key_id=ctx.settings.upi.razorpay_key_id,
                api_base=ctx.settings.upi.razorpay_api_base,
                secrets=ctx.secrets,
            )
        )
    elif provider != "stripe":
        from backend.errors import ConfigError

        raise ConfigError(
            f"[upi] autopay_provider {provider!r} is unknown: use stripe or razorpay."
        )

    from backend.adapters.mail import build_mailer

    if (mailer := build_mailer(ctx.settings.mail, ctx.secrets)) is not None:
        ctx.adapters["mail"] = mailer

    from backend.adapters.stripe_gateway import StripeGateway

    ctx.adapters["stripe"] = StripeGateway(
        ctx.settings.stripe, ctx.secrets, enabled=ctx.settings.features.card_payments
    )
