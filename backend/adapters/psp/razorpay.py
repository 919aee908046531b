"""Razorpay over httpx: QR Codes (one payment) and Subscriptions (UPI AutoPay).

Endpoints (basic auth ``key_id:key_secret``): ``POST /v1/payments/qr_codes``,
``GET /v1/payments/qr_codes/{id}/payments``, ``POST /v1/payments/qr_codes/{id}/close``;
for AutoPay ``POST /v1/plans``, ``POST /v1/subscriptions`` (its ``short_url`` is the
authorisation link the customer opens to approve the mandate), ``GET
/v1/subscriptions/{id}`` and ``POST /v1/subscriptions/{id}/cancel``. Webhooks
(``qr_code.credited``, ``subscription.*``) are signed with ``X-Razorpay-Signature``: the
hex HMAC-SHA256 of the raw body under the webhook secret. Secrets are read from
:class:`~backend.config.Secrets` at the moment of use and never appear in errors.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import UTC, datetime
from typing import Any

import httpx

from backend.adapters.psp.base import (
    PspPayment,
    PspQr,
    PspSubscription,
    PspSubscriptionEvent,
)
from backend.config import Secrets
from backend.domain.money import Money
from backend.errors import (
    NotConfigured,
    RejectedError,
    SignatureError,
    TransientError,
    ValidationError,
)

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
CREDITED_EVENT = "qr_code.credited"
#: Razorpay's billing period for each of the shop's intervals
PERIODS = {"month": "monthly", "year": "yearly"}
#: the header the REST API passes to ``handle_razorpay_webhook`` as ``signature``
SIGNATURE_HEADER = "X-Razorpay-Signature"


def _from_unix(value: object) -> datetime:
    return datetime.fromtimestamp(int(value), UTC)  # type: ignore[call-overload]


def webhook_signature(raw_body: bytes, secret: str) -> str:
    return hmac.new(secret.encode("utf-8"), raw_body, hashlib.sha256).hexdigest()


class RazorpayQr:
    """The Razorpay implementation of :class:`~backend.adapters.psp.base.PaymentProvider`."""

    name = "razorpay"

    def __init__(self, *, key_id: str, api_base: str, secrets: Secrets) -> None:
        self._key_id = key_id.strip()
        self._api_base = api_base.rstrip("/")
        self._secrets = secrets
        self._client: httpx.Client | None = None
        self._client_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"RazorpayQr(key_id={self._key_id!r}, api_base={self._api_base!r})"

    # -- HTTP ----------------------------------------------------------------------------
    def problem(self) -> str | None:
        """Why Razorpay cannot be used now (keys missing), without any network call."""
        if not self._key_id or not self._secrets.get("RAZORPAY_KEY_SECRET"):
            return (
                "Razorpay is not set up: set RAZORPAY_KEY_ID and the RAZORPAY_KEY_SECRET "
                "secret (environment or keyring)."
            )
        return None

    def _auth(self) -> tuple[str, str]:
        secret = self._secrets.get("RAZORPAY_KEY_SECRET")
        if not self._key_id or not secret:
            raise NotConfigured(
                "Razorpay is not set up: set RAZORPAY_KEY_ID and the RAZORPAY_KEY_SECRET "
                "secret (environment or keyring)."
            )
        return self._key_id, secret

    def _http(self) -> httpx.Client:
        """One pooled client, made on first use (nothing connects at build time)."""
        with self._client_lock:
            if self._client is None:
                self._client = httpx.Client(base_url=self._api_base, timeout=TIMEOUT)
            return self._client

    def close(self) -> None:
        with self._client_lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    def _request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        auth = self._auth()
        try:
            response = self._http().request(method, path, json=body, auth=auth)
        except httpx.TimeoutException:
            raise TransientError("Razorpay did not answer in time; try again.") from None
        except httpx.TransportError:
            raise TransientError("Razorpay cannot be reached (offline?); try again.") from None
        if response.status_code in (409, 429) or response.status_code >= 500:
            raise TransientError(
                f"Razorpay is busy or failing (HTTP {response.status_code}); try again."
            )
        try:
            data = response.json()
        except ValueError:
            raise TransientError("Razorpay sent an unreadable answer; try again.") from None
        if response.status_code == 401:
            raise RejectedError("Razorpay refused the API key; check RAZORPAY_KEY_ID and secret.")
        if response.status_code >= 400:
            error = data.get("error", {}) if isinstance(data, dict) else {}
            description = str(error.get("description") or "request refused")[:200]
            raise RejectedError(f"Razorpay refused the request: {description}")
        return data

    # -- the port ------------------------------------------------------------------------
    def create_qr(
        self, *, reference: str, amount: Money, close_by: datetime, description: str
    ) -> PspQr:
        if amount.currency != "INR":
            raise ValidationError("Razorpay UPI QR codes take INR only.")
        data = self._request(
            "POST",
            "/v1/payments/qr_codes",
            {
                "type": "upi_qr",
                "name": reference,
                "usage": "single_use",
                "fixed_amount": True,
                "payment_amount": amount.amount,
                "description": description[:255],
                "close_by": int(close_by.timestamp()),
                "notes": {"tr": reference},
            },
        )
        uri = data.get("image_content")
        if not data.get("id") or not uri:
            raise RejectedError(
                "Razorpay created the QR without its UPI string (image_content); "
                "ask Razorpay support to enable UPI QR image content."
            )
        return PspQr(
            psp=self.name,
            ref=data["id"],
            uri=uri,
            close_by=_from_unix(data.get("close_by", int(close_by.timestamp()))),
            status=data.get("status", "active"),
        )

    def _payment(self, item: dict[str, Any], qr_ref: str) -> PspPayment:
        acquirer = item.get("acquirer_data") or {}
        return PspPayment(
            psp=self.name,
            id=str(item["id"]),
            qr_ref=qr_ref,
            amount=Money(int(item["amount"]), str(item.get("currency", "INR"))),
            status=str(item.get("status", "")),
            paid_at=_from_unix(item.get("created_at", 0)),
            utr=acquirer.get("rrn") or None,
            payer_vpa=item.get("vpa"),
            raw=item,
        )

    def fetch_payments(self, qr_ref: str) -> list[PspPayment]:
        data = self._request("GET", f"/v1/payments/qr_codes/{qr_ref}/payments")
        try:
            return [self._payment(item, qr_ref) for item in data.get("items", [])]
        except (ValueError, KeyError, TypeError, AttributeError):
            raise RejectedError(
                f"Razorpay's list of payments for QR {qr_ref} cannot be read; "
                "check the payment in the Razorpay dashboard."
            ) from None

    def close_qr(self, qr_ref: str) -> None:
        try:
            self._request("POST", f"/v1/payments/qr_codes/{qr_ref}/close")
        except RejectedError as exc:
            if "closed" not in str(exc).lower():
                raise

    def verify(self, raw_body: bytes, signature: str) -> dict[str, Any]:
        """Check ``X-Razorpay-Signature`` over the raw body; the event as data."""
        secret = self._secrets.get("RAZORPAY_WEBHOOK_SECRET")
        if not secret:
            raise NotConfigured("Razorpay webhooks are not set up: RAZORPAY_WEBHOOK_SECRET.")
        expected = webhook_signature(raw_body, secret)
        given = (signature or "").strip().encode("utf-8")  # bytes: any header compares
        if not given or not hmac.compare_digest(expected.encode("ascii"), given):
            raise SignatureError("The Razorpay webhook signature does not match; ignored.")
        try:
            event = json.loads(raw_body)
        except ValueError:
            raise ValidationError("The Razorpay webhook body is not JSON.") from None
        if not isinstance(event, dict):
            raise ValidationError("The Razorpay webhook body is not an event.")
        return event

    def parse_webhook(self, raw_body: bytes, signature: str) -> PspPayment | None:
        event = self.verify(raw_body, signature)
        try:
            if event.get("event") != CREDITED_EVENT:
                return None
            payload = event["payload"]
            qr_ref = payload["qr_code"]["entity"]["id"]
            return self._payment(payload["payment"]["entity"], qr_ref)
        except (ValueError, KeyError, TypeError, AttributeError):
            raise ValidationError(
                "The Razorpay webhook body is not a qr_code.credited event."
            ) from None

    # -- Subscriptions (UPI AutoPay) -----------------------------------------------------
    def create_plan(self, *, interval: str, amount: Money, name: str, description: str) -> str:
        if amount.currency != "INR":
            raise ValidationError("Razorpay UPI AutoPay plans take INR only.")
        data = self._request(
            "POST",
            "/v1/plans",
            {
                "period": PERIODS[interval],
                "interval": 1,
                "item": {
                    "name": name[:100],
                    "amount": amount.amount,
                    "currency": "INR",
                    "description": description[:255],
                },
            },
        )
        if not isinstance(data, dict) or not data.get("id"):
            raise RejectedError("Razorpay made the plan without an id; check the dashboard.")
        return str(data["id"])

    def _subscription(self, data: Any) -> PspSubscription:
        try:
            return PspSubscription(
                psp=self.name,
                id=str(data["id"]),
                status=str(data.get("status") or ""),
                plan_id=data.get("plan_id"),
                short_url=data.get("short_url"),
                current_start=_maybe_time(data.get("current_start")),
                current_end=_maybe_time(data.get("current_end")),
                charge_at=_maybe_time(data.get("charge_at")),
                paid_count=int(data.get("paid_count") or 0),
                notes=dict(data.get("notes") or {}),
                raw=data,
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            raise RejectedError(
                "Razorpay's subscription cannot be read; check the dashboard."
            ) from None

    def create_subscription(
        self, *, plan_id: str, total_count: int, expire_by: datetime, notes: dict[str, str]
    ) -> PspSubscription:
        data = self._request(
            "POST",
            "/v1/subscriptions",
            {
                "plan_id": plan_id,
                "total_count": total_count,
                "quantity": 1,
                "customer_notify": 1,
                "expire_by": int(expire_by.timestamp()),
                "notes": notes,
            },
        )
        sub = self._subscription(data)
        if not sub.short_url:
            raise RejectedError(
                "Razorpay made the subscription without its authorisation link (short_url)."
            )
        return sub

    def fetch_subscription(self, subscription_id: str) -> PspSubscription:
        return self._subscription(self._request("GET", f"/v1/subscriptions/{subscription_id}"))

    def cancel_subscription(self, subscription_id: str) -> PspSubscription:
        try:
            data = self._request(
                "POST",
                f"/v1/subscriptions/{subscription_id}/cancel",
                {"cancel_at_cycle_end": 0},
            )
        except RejectedError as exc:
            if "cancel" not in str(exc).lower() and "completed" not in str(exc).lower():
                raise
            return self.fetch_subscription(subscription_id)  # already cancelled or ended
        return self._subscription(data)

    def parse_subscription_webhook(
        self, raw_body: bytes, signature: str
    ) -> PspSubscriptionEvent | None:
        event = self.verify(raw_body, signature)
        name = str(event.get("event") or "")
        if not name.startswith("subscription."):
            return None
        try:
            payload = event["payload"]
            sub = self._subscription(payload["subscription"]["entity"])
            payment = None
            if (payload.get("payment") or {}).get("entity"):
                item = payload["payment"]["entity"]
                payment = self._payment(item, sub.id)
            return PspSubscriptionEvent(
                psp=self.name,
                event=name,
                subscription=sub,
                payment=payment,
                created_at=_from_unix(event.get("created_at", 0)),
            )
        except (ValueError, KeyError, TypeError, AttributeError, RejectedError):
            raise ValidationError(f"The Razorpay {name} webhook body cannot be read.") from None


def _maybe_time(value: object) -> datetime | None:
    return None if value in (None, "", 0) else _from_unix(value)
