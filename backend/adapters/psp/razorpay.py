"""Razorpay QR Codes API over httpx: create, read payments, close, verify webhooks.

Endpoints (basic auth ``key_id:key_secret``): ``POST /v1/payments/qr_codes``,
``GET /v1/payments/qr_codes/{id}/payments``, ``POST /v1/payments/qr_codes/{id}/close``.
The ``qr_code.credited`` webhook is signed with ``X-Razorpay-Signature``: the hex
HMAC-SHA256 of the raw body under the webhook secret. Secrets are read from
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

from backend.adapters.psp.base import PspPayment, PspQr
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

    def parse_webhook(self, raw_body: bytes, signature: str) -> PspPayment | None:
        secret = self._secrets.get("RAZORPAY_WEBHOOK_SECRET")
        if not secret:
            raise NotConfigured("Razorpay webhooks are not set up: RAZORPAY_WEBHOOK_SECRET.")
        expected = webhook_signature(raw_body, secret)
        given = (signature or "").strip().encode("utf-8")  # bytes: any header compares
        if not given or not hmac.compare_digest(expected.encode("ascii"), given):
            raise SignatureError("The Razorpay webhook signature does not match; ignored.")
        try:
            event = json.loads(raw_body)
            if event.get("event") != CREDITED_EVENT:
                return None
            payload = event["payload"]
            qr_ref = payload["qr_code"]["entity"]["id"]
            return self._payment(payload["payment"]["entity"], qr_ref)
        except (ValueError, KeyError, TypeError, AttributeError):
            raise ValidationError(
                "The Razorpay webhook body is not a qr_code.credited event."
            ) from None
