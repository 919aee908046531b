"""The one door to Stripe: a lazily built ``StripeClient`` and error translation.

The official SDK talks to Stripe (``client.v1.…``) over httpx, with its own network
retries switched on and its pinned API version. Its errors are translated into the
project's hierarchy: :class:`TransientError` when trying again may work (offline,
timeout, 409, 429, 5xx) and :class:`RejectedError` when it will not (other 4xx), with
Stripe's message for staff, and :class:`NotConfigured` when Stripe refuses the key itself
(401: the shop's setup is wrong, not the request). Nothing connects until the first call.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from backend.config import Secrets, StripeSettings
from backend.errors import NotConfigured, ProviderBusy, RejectedError, TransientError

if TYPE_CHECKING:  # the SDK is imported on first use: it costs ~165 ms and 30 MiB at start
    import stripe

SECRET_NAME = "STRIPE_SECRET_KEY"  # noqa: S105 (a name, not a secret)
KEY_PREFIXES = ("sk_", "rk_")


@functools.cache
def _bounded_retry_client_class() -> type:
    """The SDK's httpx client with the pause between its own retries capped by settings.

    The SDK sleeps 0.5-5 s between retries; the outbox already backs off by the clock,
    so a kiosk (and the test suite) may want those pauses shorter. (Defined on first use
    so that importing this module does not import the SDK.)
    """
    import stripe

    class BoundedRetryHTTPXClient(stripe.HTTPXClient):
        def __init__(self, *, timeout: float, max_delay: float) -> None:
            super().__init__(timeout=timeout, allow_sync_methods=True)
            self._max_delay = max_delay

        def _sleep_time_seconds(self, num_retries: int) -> float:
            return min(super()._sleep_time_seconds(num_retries), self._max_delay)

    return BoundedRetryHTTPXClient


def key_problem(key: str | None) -> str | None:
    """Why card payments cannot run with this key, or ``None`` when it looks usable."""
    if not key:
        return "Card payments are not configured: set STRIPE_SECRET_KEY (environment or keyring)."
    if not key.startswith(KEY_PREFIXES):
        return "STRIPE_SECRET_KEY is not a Stripe secret (sk_…) or restricted (rk_…) key."
    return None


class StripeGateway:
    """Builds the SDK client on first use and runs calls through it."""

    def __init__(self, settings: StripeSettings, secrets: Secrets, *, enabled: bool = True):
        self._settings = settings
        self._secrets = secrets
        self._enabled = enabled
        self._client: stripe.StripeClient | None = None
        self._lock = threading.Lock()

    def problem(self) -> str | None:
        if not self._enabled:
            return "Card payments are not configured: switched off in the settings."
        return key_problem(self._secrets.get(SECRET_NAME))

    @property
    def configured(self) -> bool:
        return self.problem() is None

    def client(self) -> stripe.StripeClient:
        with self._lock:
            if self._client is None:
                problem = self.problem()
                if problem:
                    raise NotConfigured(problem)
                import stripe

                base = {"api": self._settings.api_base} if self._settings.api_base else None
                self._client = stripe.StripeClient(
                    self._secrets.get(SECRET_NAME) or "",
                    base_addresses=base,  # type: ignore[arg-type]
                    max_network_retries=self._settings.max_network_retries,
                    http_client=_bounded_retry_client_class()(
                        timeout=self._settings.timeout_ms / 1000,
                        max_delay=self._settings.network_retry_max_delay_ms / 1000,
                    ),
                )
            return self._client

    def call(
        self,
        op: str,
        args: list[str] | tuple[str, ...] = (),
        params: Mapping[str, Any] | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """Run ``client.v1.<op>(*args, params=…)`` and return the answer as plain data.

        ``op`` names a service method, e.g. ``"customers.create"`` or
        ``"checkout.sessions.expire"``.
        """
        import stripe

        target: Any = self.client().v1
        for part in op.split("."):
            target = getattr(target, part)
        options: dict[str, Any] = {}
        if idempotency_key:
            options["idempotency_key"] = idempotency_key
        kwargs: dict[str, Any] = {"options": options}
        if params:
            kwargs["params"] = dict(params)
        try:
            result = target(*args, **kwargs)
        except stripe.StripeError as exc:
            raise translate(exc) from None
        # the JSON Stripe sent, as the SDK already parsed it: no second walk of the object
        response = getattr(result, "last_response", None)
        if response is not None and isinstance(response.data, dict):
            return response.data
        return result.to_dict(recursive=True, for_json=True)


def translate(exc: stripe.StripeError) -> TransientError | RejectedError | NotConfigured:
    """Stripe's exception as one of ours; the message never contains the key. Stripe's
    own error answers (429, 5xx) are :class:`ProviderBusy`, not "cannot be reached"."""
    import stripe

    status = exc.http_status or 0
    if isinstance(exc, stripe.APIConnectionError):
        return TransientError("Stripe cannot be reached (no network or it timed out).")
    if isinstance(exc, stripe.AuthenticationError):  # the shop's setup, not the request
        return NotConfigured("Stripe refused the API key; check STRIPE_SECRET_KEY.")
    if isinstance(exc, stripe.PermissionError):
        return RejectedError("The Stripe key may not do this (restricted key permissions).")
    if isinstance(exc, stripe.RateLimitError) or status in (409, 429) or status >= 500:
        return ProviderBusy(
            f"Stripe answered with an error ({status}); the request will be sent again."
        )
    message = exc.user_message or (exc.error.message if exc.error else None) or str(exc)
    err = RejectedError(f"Stripe refused the request: {message}")
    err.stripe_code = exc.code  # type: ignore[attr-defined]
    return err


def gateway(ctx: Any) -> StripeGateway:
    """The context's Stripe gateway (built by bootstrap; built here for bare contexts)."""
    found = ctx.adapters.get("stripe")
    if found is None:
        found = StripeGateway(
            ctx.settings.stripe, ctx.secrets, enabled=ctx.settings.features.card_payments
        )
        ctx.adapters["stripe"] = found
    return found


def require_card(ctx: Any) -> None:
    """Refuse a card action at once when Stripe is not set up (nothing is queued that
    could never be sent); the message names what is missing."""
    problem = gateway(ctx).problem()
    if problem:
        raise NotConfigured(problem)


def card_status(ctx: Any) -> dict[str, Any]:
    """``{"configured": bool, "reason": str | None}`` for every place that offers card."""
    problem = gateway(ctx).problem()
    return {"configured": problem is None, "reason": problem}
