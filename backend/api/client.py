""":class:`RemoteCheckoutService`: the GUI's ``CheckoutService`` over the store server's
REST API, for kiosks and customer displays on another machine.

Every method is one HTTP call to the endpoint that runs the same service function as
the in-process facade, so there is no second copy of any rule here. Errors come back as
the backend's own classes (by the stable ``code`` in the error body), so windows handle
them exactly as they handle local ones. A server that cannot be reached is a
:class:`~backend.errors.TransientError`.

Reconnecting: with ``reconnect_seconds`` set (the remote kiosk and display do), a call
whose connection is *refused or cannot be opened* is retried with backoff for up to that
long, while :attr:`RemoteCheckoutService.connected` reads ``False`` so the window can
say "reconnecting". That is safe for every method, POSTs included: a request whose
connection never opened never reached the server. Any other transport failure (a reply
lost mid-way) is a TransientError at once, since the server may have acted on it.
"""

from __future__ import annotations

import threading
import time
from datetime import date
from typing import Any

import httpx

from backend import errors
from backend.errors import CheckoutError, TransientError

Row = dict[str, Any]

#: the server answered neither with a result nor with one of our errors
_BY_STATUS: dict[int, type[CheckoutError]] = {
    400: errors.ValidationError,
    401: errors.AuthError,
    403: errors.PermissionDenied,
    404: errors.NotFound,
    409: errors.Conflict,
    422: errors.ValidationError,
    502: errors.RejectedError,
    503: errors.TransientError,
    504: errors.TransientError,
}
UNREACHABLE = "The store server cannot be reached; reconnecting…"


def _error_classes() -> dict[str, type[CheckoutError]]:
    """Every error class by its ``code`` (the hierarchy in :mod:`backend.errors`)."""
    found: dict[str, type[CheckoutError]] = {}
    pending: list[type[CheckoutError]] = [CheckoutError]
    while pending:
        cls = pending.pop()
        found.setdefault(cls.code, cls)
        pending.extend(cls.__subclasses__())
    return found


ERROR_CLASSES = _error_classes()


def error_from(response: httpx.Response) -> CheckoutError:
    """The backend error a failed response stands for."""
    try:
        body = response.json()["error"]
        code, message, field = body["code"], body["message"], body.get("field")
    except (ValueError, KeyError, TypeError):
        code, message, field = "", "", None
    cls = ERROR_CLASSES.get(code) or _BY_STATUS.get(response.status_code)
    if cls is None:
        cls = TransientError if response.status_code >= 500 else CheckoutError
    return cls(message or f"The store server answered {response.status_code}.", field=field)


class RemoteCheckoutService:
    """``CheckoutService`` against ``url`` with a bearer ``token`` (kiosk or staff role).

    The audit log on the server names the token (``api:<token name>``): the server acts
    for the token, whoever signs in at the remote screen.
    """

    def __init__(
        self,
        url: str,
        token: str,
        *,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
        actor: str | None = None,
        reconnect_seconds: float = 0,
    ) -> None:
        self.url = url.rstrip("/")
        self.actor = actor or "remote"
        self.reconnect_seconds = reconnect_seconds
        #: False from a failed connection until the next answer from the server
        self.connected = True
        self._closing = threading.Event()
        self._client = httpx.Client(
            base_url=self.url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=httpx.Timeout(timeout, connect=min(3.0, timeout)),
            transport=transport,
        )

    def __repr__(self) -> str:  # never the token
        return f"RemoteCheckoutService({self.url!r})"

    def close(self) -> None:
        self._closing.set()  # a call waiting to reconnect gives up now
        self._client.close()

    # the one way out ------------------------------------------------------------------
    def _call(
        self,
        method: str,
        path: str,
        *,
        json: Row | None = None,
        params: Row | None = None,
    ) -> httpx.Response:
        query = {k: v for k, v in (params or {}).items() if v is not None}
        deadline = time.monotonic() + self.reconnect_seconds
        delay = 0.2
        while True:
            try:
                response = self._client.request(method, path, json=json, params=query or None)
            except (httpx.ConnectError, httpx.ConnectTimeout):
                self.connected = False
                if time.monotonic() + delay > deadline or self._closing.wait(delay):
                    raise TransientError(UNREACHABLE) from None
                delay = min(delay * 2, 2.0)
                continue
            except httpx.TransportError:
                self.connected = False
                raise TransientError(UNREACHABLE) from None
            self.connected = True
            if response.status_code >= 400:
                raise error_from(response)
            return response

    def _get(self, path: str, **params: Any) -> Any:
        return self._call("GET", path, params=params).json()

    def _post(self, path: str, body: Row | None = None) -> Any:
        clean = {k: v for k, v in (body or {}).items() if v is not None}
        return self._call("POST", path, json=clean).json()

    def health(self) -> Row:
        return self._get("/health")

    # who is at the till -------------------------------------------------------------
    def for_staff(self, staff: Row) -> RemoteCheckoutService:
        """The same connection: the server records the token, not the person."""
        return self

    def authenticate(self, name: str, pin: str) -> Row:
        return self._post("/staff/authenticate", {"name": name, "pin": pin})

    def list_staff(self) -> list[Row]:
        return self._get("/staff")["staff"]

    def add_staff(self, *, name: str, role: str, pin: str) -> Row:
        return self._post("/staff", {"name": name, "role": role, "pin": pin})

    # what is sold and how the shop is set up --------------------------------------------
    def catalog(self) -> list[Row]:
        return self._get("/payments/pricing")["tiers"]

    def settings_view(self) -> Row:
        return self._get("/payments/settings")

    def editable_settings(self) -> Row:
        return self._get("/settings")

    def update_settings(self, changes: Row) -> Row:
        return self._post("/settings", changes)

    # customers, trials, usage ---------------------------------------------------------
    def find_customers(self, query: str, limit: int = 20) -> list[Row]:
        return self._get("/payments/customers", q=query, limit=limit)["customers"]

    def get_customer(self, customer_id: int) -> Row:
        return self._get(f"/payments/customers/{int(customer_id)}")

    def add_customer(
        self, *, name: str, email: str | None, phone: str | None, state: str | None = None
    ) -> Row:
        return self._post(
            "/payments/create-customer",
            {"name": name, "email": email, "phone": phone, "state": state},
        )

    def start_trial(self, customer_id: int) -> Row:
        return self._post("/payments/start-trial", {"customer_id": customer_id})

    def trial_status(self, customer_id: int) -> Row | None:
        return self._get("/payments/trial-status", customer_id=customer_id)["trial"]

    def usage_summary(self, customer_id: int) -> Row:
        return self._get("/payments/usage", customer_id=customer_id)

    # UPI ------------------------------------------------------------------------------
    def create_request(
        self,
        *,
        customer_id: int,
        tier: str,
        interval: str,
        checkout_id: str | None = None,
        purpose: str | None = None,
    ) -> Row:
        return self._post(
            "/payments/qr-code",
            {
                "customer_id": customer_id,
                "tier": tier,
                "interval": interval,
                "checkout_id": checkout_id,
                "purpose": purpose,
            },
        )

    def get_payment(self, payment_id: str) -> Row:
        return self._get(f"/payments/qr-code/{_segment(payment_id)}")

    def confirm_with_utr(self, payment_id: str, utr: str) -> Row:
        return self._post(f"/payments/qr-code/{_segment(payment_id)}/confirm", {"utr": utr})

    def accept_late(self, payment_id: str) -> Row:
        return self._post(f"/payments/qr-code/{_segment(payment_id)}/accept-late")

    def cancel_request(self, payment_id: str) -> Row:
        return self._post(f"/payments/qr-code/{_segment(payment_id)}/cancel")

    def poll_psp(self, payment_id: str) -> Row:
        return self._get(f"/payments/qr-code/{_segment(payment_id)}/status")

    # card (Stripe Checkout) -----------------------------------------------------------
    def card_status(self) -> Row:
        return self._get("/payments/card-status")

    def start_checkout(self, *, customer_id: int, tier: str, interval: str, currency: str) -> Row:
        return self._post(
            "/payments/create-intent",
            {"customer_id": customer_id, "tier": tier, "interval": interval, "currency": currency},
        )

    def refresh(self, payment_id: str) -> Row:
        return self._get(f"/payments/card/{_segment(payment_id)}")

    def cancel_checkout(self, payment_id: str) -> Row:
        return self._post(f"/payments/card/{_segment(payment_id)}/cancel")

    # subscriptions --------------------------------------------------------------------
    def current_subscription(self, customer_id: int) -> Row | None:
        return self._get("/payments/subscription", customer_id=customer_id)["subscription"]

    def upgrade_preview(self, customer_id: int, tier: str, interval: str) -> Row:
        return self._get(
            "/payments/proration-preview", customer_id=customer_id, tier=tier, interval=interval
        )

    def schedule_downgrade(self, customer_id: int, tier: str, interval: str) -> Row:
        body = {"customer_id": customer_id, "tier": tier, "interval": interval}
        return self._post("/payments/downgrade", body)["subscription"]

    def cancel_subscription(self, customer_id: int, *, at_period_end: bool) -> Row:
        body = {"customer_id": customer_id, "at_period_end": at_period_end}
        return self._post("/payments/cancel-subscription", body)["subscription"]

    def card_preview_upgrade(self, subscription_id: int, *, tier: str, interval: str) -> Row:
        path = f"/payments/card-subscriptions/{int(subscription_id)}/preview-upgrade"
        return self._get(path, tier=tier, interval=interval)

    def card_upgrade(
        self, subscription_id: int, *, tier: str, interval: str, proration_date: int | None
    ) -> Row:
        return self._post(
            f"/payments/card-subscriptions/{int(subscription_id)}/upgrade",
            {"tier": tier, "interval": interval, "proration_date": proration_date},
        )

    def card_downgrade(self, subscription_id: int, *, tier: str, interval: str) -> Row:
        return self._post(
            f"/payments/card-subscriptions/{int(subscription_id)}/downgrade",
            {"tier": tier, "interval": interval},
        )

    def card_cancel(self, subscription_id: int, *, at_period_end: bool) -> Row:
        return self._post(
            f"/payments/card-subscriptions/{int(subscription_id)}/cancel",
            {"at_period_end": at_period_end},
        )

    # receipts and refunds -------------------------------------------------------------
    def invoice_pdf(self, payment_id: str) -> bytes:
        path = f"/payments/invoices/{_segment(payment_id)}/download"
        return self._call("GET", path).content

    def email_invoice(self, payment_id: str, to: str | None = None) -> Row:
        return self._post(f"/payments/invoices/{_segment(payment_id)}/email", {"to": to})

    def refund(
        self,
        payment_id: str,
        *,
        amount: int | None = None,
        currency: str | None = None,
        reason: str | None = None,
    ) -> Row:
        return self._post(
            f"/payments/card/{_segment(payment_id)}/refund",
            {"amount": amount, "currency": currency, "reason": reason},
        )

    # payments, sync -------------------------------------------------------------------
    def list_payments(
        self,
        *,
        status: str | None = None,
        method: str | None = None,
        date_from: date | str | None = None,
        date_to: date | str | None = None,
        customer_id: int | None = None,
        limit: int = 500,
    ) -> list[Row]:
        return self._get(
            "/payments/list",
            status=status,
            method=method,
            date_from=str(date_from) if date_from else None,
            date_to=str(date_to) if date_to else None,
            customer_id=customer_id,
            limit=limit,
        )["payments"]

    def sync_state(self) -> Row:
        return self._get("/payments/sync-state")

    def sync_once(self) -> Row:
        return self._post("/payments/sync")


def _segment(payment_id: str) -> str:
    """A payment id as one path segment (ids are letters, digits, ``_`` and ``-``)."""
    text = str(payment_id)
    if not text or not all(ch.isalnum() or ch in "_-" for ch in text):
        raise errors.ValidationError(f"{text!r} is not a payment id.")
    return text
