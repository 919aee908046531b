"""Stripe's webhook: verify ``Stripe-Signature`` first, then apply like a polled event.

The signature is ``t=<unix time>,v1=<hex HMAC-SHA256 of "t.body">`` with the endpoint's
secret. It is checked against the raw bytes, with a 300-second tolerance measured on
``ctx.clock``, before anything is parsed or written; a failure changes nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from backend.context import Context
from backend.errors import NotConfigured, SignatureError
from backend.services.cards.stripe_events import apply_event

TOLERANCE_SECONDS = 300
SECRET_NAME = "STRIPE_WEBHOOK_SECRET"  # noqa: S105 (a name, not a secret)


def verify_signature(
    raw_body: bytes,
    signature_header: str,
    secret: str,
    now: int,
    tolerance: int = TOLERANCE_SECONDS,
) -> None:
    """Raise SignatureError unless some ``v1`` signature matches and ``t`` is fresh."""
    timestamp: int | None = None
    signatures: list[str] = []
    for part in (signature_header or "").split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            if not (value.isascii() and value.isdigit()):
                raise SignatureError("The Stripe-Signature timestamp is not a number.")
            timestamp = int(value)
        elif key == "v1":
            signatures.append(value)
    if timestamp is None or not signatures:
        raise SignatureError("The Stripe-Signature header is missing or malformed.")
    signed = f"{timestamp}.".encode() + raw_body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    # bytes, not str: compare_digest raises TypeError on a non-ASCII str
    if not any(hmac.compare_digest(expected.encode(), sig.encode()) for sig in signatures):
        raise SignatureError("The Stripe webhook signature does not match.")
    if abs(now - timestamp) > tolerance:
        raise SignatureError("The Stripe webhook is too old (or from the future) to accept.")


def handle_stripe_webhook(ctx: Context, raw_body: bytes, signature_header: str) -> dict[str, Any]:
    """Verify and apply one webhook delivery; returns what the endpoint answers."""
    secret = ctx.secrets.get(SECRET_NAME)
    if not secret:
        raise NotConfigured("Stripe webhooks are not configured: set STRIPE_WEBHOOK_SECRET.")
    verify_signature(raw_body, signature_header, secret, int(ctx.clock.now().timestamp()))
    try:
        event = json.loads(raw_body)
        event_id = str(event["id"])
        if not isinstance(event["data"]["object"], dict):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        raise SignatureError("The webhook body is not a Stripe event.") from None
    applied = apply_event(ctx, event, source="webhook")
    return {"received": True, "event_id": event_id, "applied": applied}
