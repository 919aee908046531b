"""What the kiosk and the stand-alone display ask of the backend, in one place.

Windows receive a service object with the method names of the GUI contract's
``CheckoutService`` (``backend/facade.py``); the few steps the kiosk composes from them
(find-or-create a customer, the newest UPI request) live here as functions over that
service, so they work the same in-process or against a remote store server.
"""

from __future__ import annotations

from typing import Any, Protocol

from backend.errors import DuplicateError
from backend.services.context import Context

Row = dict[str, Any]


class KioskService(Protocol):
    """The subset of ``CheckoutService`` the kiosk and the display use."""

    def authenticate(self, name: str, pin: str) -> Row: ...
    def catalog(self) -> list[Row]: ...
    def settings_view(self) -> Row: ...
    def find_customers(self, query: str, limit: int = 20) -> list[Row]: ...
    def add_customer(
        self, *, name: str, email: str | None, phone: str | None, state: str | None = None
    ) -> Row: ...
    def start_trial(self, customer_id: int) -> Row: ...
    def create_request(
        self, *, customer_id: int, tier: str, interval: str, checkout_id: str | None = None
    ) -> Row: ...
    def get_payment(self, payment_id: str) -> Row: ...
    def cancel_request(self, payment_id: str) -> Row: ...
    def card_status(self) -> Row: ...
    def start_checkout(
        self, *, customer_id: int, tier: str, interval: str, currency: str
    ) -> Row: ...
    def refresh(self, payment_id: str) -> Row: ...
    def cancel_checkout(self, payment_id: str) -> Row: ...
    def list_payments(self, *, method: str | None = None, limit: int = 500) -> list[Row]: ...


def customer_for(service: KioskService, *, name: str, email: str | None, phone: str | None) -> Row:
    """The customer with this email (or else phone), or a new one.

    A returning customer is recognised by what they typed, as at the counter; nothing
    about the stored record is shown back on the kiosk.
    """
    for key in (email, phone):
        if key:
            found = [
                row
                for row in service.find_customers(key, limit=5)
                if (email and row.get("email") == email) or (phone and row.get("phone") == phone)
            ]
            if found:
                return found[0]
    try:
        return service.add_customer(name=name, email=email, phone=phone)
    except DuplicateError:
        # created a moment ago by someone else (the staff till): use that record
        for key in (email, phone):
            if key:
                rows = service.find_customers(key, limit=1)
                if rows:
                    return rows[0]
        raise


def latest_upi_request(service: KioskService) -> Row | None:
    """The newest UPI request with its status as of now (``None`` if there is none)."""
    rows = service.list_payments(method="upi_qr", limit=1)
    if not rows:
        return None
    return service.get_payment(rows[0]["id"])


class LocalKioskService:
    """In-process :class:`KioskService` acting as ``actor`` (e.g. ``kiosk``).

    Delegates to the backend service functions, the same way ``LocalCheckoutService``
    in ``backend/facade.py`` does; it is used until that facade is on this branch.
    """

    def __init__(self, ctx: Context, actor: str) -> None:
        self.ctx = ctx
        self.actor = actor

    def authenticate(self, name: str, pin: str) -> Row:
        from backend.services import staff

        return staff.authenticate(self.ctx, name, pin)

    def catalog(self) -> list[Row]:
        return [tier.to_json() for tier in self.ctx.catalog]

    def settings_view(self) -> Row:
        return {"ui": {"display_screen": self.ctx.settings.ui.display_screen}}

    def find_customers(self, query: str, limit: int = 20) -> list[Row]:
        from backend.services import customers

        return customers.find_customers(self.ctx, query, limit)

    def add_customer(
        self, *, name: str, email: str | None, phone: str | None, state: str | None = None
    ) -> Row:
        from backend.services import customers

        return customers.add_customer(
            self.ctx, name=name, email=email, phone=phone, state=state, actor=self.actor
        )

    def start_trial(self, customer_id: int) -> Row:
        from backend.services import trials

        return trials.start_trial(self.ctx, customer_id, actor=self.actor)

    def create_request(
        self, *, customer_id: int, tier: str, interval: str, checkout_id: str | None = None
    ) -> Row:
        from backend.services import upi_payments

        return upi_payments.create_request(
            self.ctx,
            customer_id=customer_id,
            tier=tier,
            interval=interval,
            actor=self.actor,
            checkout_id=checkout_id,
        )

    def get_payment(self, payment_id: str) -> Row:
        from backend.services import upi_payments

        return upi_payments.get_payment(self.ctx, payment_id)

    def cancel_request(self, payment_id: str) -> Row:
        from backend.services import upi_payments

        return upi_payments.cancel_request(self.ctx, payment_id, actor=self.actor)

    def card_status(self) -> Row:
        from backend.adapters.stripe_gateway import card_status

        return card_status(self.ctx)

    def start_checkout(self, *, customer_id: int, tier: str, interval: str, currency: str) -> Row:
        from backend.services import card_payments

        return card_payments.start_checkout(
            self.ctx,
            customer_id=customer_id,
            tier=tier,
            interval=interval,
            currency=currency,
            actor=self.actor,
        )

    def refresh(self, payment_id: str) -> Row:
        from backend.services import card_payments

        return card_payments.refresh(self.ctx, payment_id)

    def cancel_checkout(self, payment_id: str) -> Row:
        from backend.services import card_payments

        return card_payments.cancel_checkout(self.ctx, payment_id, actor=self.actor)

    def list_payments(self, *, method: str | None = None, limit: int = 500) -> list[Row]:
        where, params = ("WHERE method=?", [method]) if method else ("", [])
        return self.ctx.store.query(
            f"SELECT id, method, status, created_at FROM payments {where} "
            "ORDER BY created_at DESC, rowid DESC LIMIT ?",
            [*params, limit],
        )
