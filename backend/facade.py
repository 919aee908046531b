"""The one service interface every window uses: :class:`CheckoutService`.

Windows (staff window, customer display, kiosk) call only these methods, always through
``app.tasks.TaskRunner`` and never on the GUI thread. :class:`LocalCheckoutService` runs
the backend in-process; a remote implementation (REST, for kiosks on a LAN) offers the
same methods. Every method returns plain dicts or lists of them, and every method here is
pure delegation: the rules live in the service modules, so a second implementation
cannot drift from them.

Service modules are imported inside the methods so that building a facade imports
nothing heavy (the Stripe SDK, PDF code) until a screen needs it.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from backend.context import Context

Row = dict[str, Any]


class CheckoutService(Protocol):
    """What a window may ask of the backend (names follow the service functions)."""

    actor: str

    # who is at the till
    def for_staff(self, staff: Row) -> CheckoutService: ...
    def authenticate(self, name: str, pin: str) -> Row: ...
    def list_staff(self) -> list[Row]: ...
    def add_staff(self, *, name: str, role: str, pin: str) -> Row: ...

    # what is sold and how the shop is set up
    def catalog(self) -> list[Row]: ...
    def settings_view(self) -> Row: ...
    def editable_settings(self) -> Row: ...
    def update_settings(self, changes: Row) -> Row: ...

    # customers, trials, usage
    def find_customers(self, query: str, limit: int = 20) -> list[Row]: ...
    def get_customer(self, customer_id: int) -> Row: ...
    def add_customer(
        self, *, name: str, email: str | None, phone: str | None, state: str | None = None
    ) -> Row: ...
    def start_trial(self, customer_id: int) -> Row: ...
    def trial_status(self, customer_id: int) -> Row | None: ...
    def usage_summary(self, customer_id: int) -> Row: ...

    # UPI
    def create_request(
        self,
        *,
        customer_id: int,
        tier: str,
        interval: str,
        checkout_id: str | None = None,
        purpose: str | None = None,
    ) -> Row: ...
    def get_payment(self, payment_id: str) -> Row: ...
    def confirm_with_utr(self, payment_id: str, utr: str) -> Row: ...
    def accept_late(self, payment_id: str) -> Row: ...
    def cancel_request(self, payment_id: str) -> Row: ...
    def poll_psp(self, payment_id: str) -> Row: ...

    # card (Stripe Checkout)
    def card_status(self) -> Row: ...
    def start_checkout(
        self, *, customer_id: int, tier: str, interval: str, currency: str
    ) -> Row: ...
    def refresh(self, payment_id: str) -> Row: ...
    def cancel_checkout(self, payment_id: str) -> Row: ...

    # subscriptions: UPI (pushed payments, periods computed here)
    def current_subscription(self, customer_id: int) -> Row | None: ...
    def upgrade_preview(self, customer_id: int, tier: str, interval: str) -> Row: ...
    def schedule_downgrade(self, customer_id: int, tier: str, interval: str) -> Row: ...
    def cancel_subscription(self, customer_id: int, *, at_period_end: bool) -> Row: ...

    # subscriptions: card (billed by Stripe, mirrored here)
    def card_preview_upgrade(self, subscription_id: int, *, tier: str, interval: str) -> Row: ...
    def card_upgrade(
        self, subscription_id: int, *, tier: str, interval: str, proration_date: int | None
    ) -> Row: ...
    def card_downgrade(self, subscription_id: int, *, tier: str, interval: str) -> Row: ...
    def card_cancel(self, subscription_id: int, *, at_period_end: bool) -> Row: ...

    # receipts and refunds
    def invoice_pdf(self, payment_id: str) -> bytes: ...
    def email_invoice(self, payment_id: str, to: str | None = None) -> Row: ...
    def refund(
        self,
        payment_id: str,
        *,
        amount: int | None = None,
        currency: str | None = None,
        reason: str | None = None,
    ) -> Row: ...

    # payments, sync
    def list_payments(
        self,
        *,
        status: str | None = None,
        method: str | None = None,
        date_from: date | str | None = None,
        date_to: date | str | None = None,
        customer_id: int | None = None,
        limit: int = 500,
    ) -> list[Row]: ...
    def sync_state(self) -> Row: ...
    def sync_once(self) -> Row: ...


class LocalCheckoutService:
    """:class:`CheckoutService` in-process, acting as ``actor`` (e.g. ``staff:3``)."""

    def __init__(self, ctx: Context, actor: str) -> None:
        self.ctx = ctx
        self.actor = actor

    def __repr__(self) -> str:
        return f"LocalCheckoutService(actor={self.actor!r})"

    # who is at the till -------------------------------------------------------------
    def for_staff(self, staff: Row) -> LocalCheckoutService:
        """The same backend, acting as the signed-in staff member (for the audit log)."""
        return LocalCheckoutService(self.ctx, f"staff:{staff['id']}")

    def authenticate(self, name: str, pin: str) -> Row:
        from backend.services.shop import staff

        return staff.authenticate(self.ctx, name, pin)

    def list_staff(self) -> list[Row]:
        from backend.services.shop import staff

        return staff.list_staff(self.ctx)

    def add_staff(self, *, name: str, role: str, pin: str) -> Row:
        from backend.services.shop import staff

        return staff.add_staff(self.ctx, name=name, role=role, pin=pin, actor=self.actor)

    # what is sold and how the shop is set up --------------------------------------------
    def catalog(self) -> list[Row]:
        return [tier.to_json() for tier in self.ctx.catalog]

    def settings_view(self) -> Row:
        """Settings a screen may show (never a secret; only whether one is set)."""
        import dataclasses

        settings = self.ctx.settings
        return {
            "features": dataclasses.asdict(settings.features),
            "shop": dataclasses.asdict(settings.shop),
            "upi": {
                "vpa": settings.upi.vpa,
                "payee_name": settings.upi.payee_name,
                "mcc": settings.upi.mcc,
                "expiry_minutes": settings.upi.expiry_minutes,
                "psp": settings.upi.psp,
            },
            "stripe": {"api_base": settings.stripe.api_base},
            "mail": {
                "host": settings.mail.host,
                "port": settings.mail.port,
                "sender": settings.mail.sender,
            },
            "ui": dataclasses.asdict(settings.ui),
            "source": settings.source,
            "database": self.ctx.store.path,
            "catalog": self.ctx.catalog.source,
        }

    def editable_settings(self) -> Row:
        from backend.services.shop import settings_edit

        return settings_edit.editable_settings(self.ctx)

    def update_settings(self, changes: Row) -> Row:
        """Admins only: ``{section: {key: value}}`` checked, saved to the file, applied."""
        from backend.services.shop import settings_edit, staff

        if self.actor.startswith("staff:"):
            staff.require_admin(staff.get_staff(self.ctx, int(self.actor.split(":", 1)[1])))
        return settings_edit.update_settings(self.ctx, changes, actor=self.actor)

    # customers, trials, usage ---------------------------------------------------------
    def find_customers(self, query: str, limit: int = 20) -> list[Row]:
        from backend.services.shop import customers

        return customers.find_customers(self.ctx, query, limit)

    def get_customer(self, customer_id: int) -> Row:
        from backend.services.shop import customers

        return customers.get_customer(self.ctx, customer_id)

    def add_customer(
        self, *, name: str, email: str | None, phone: str | None, state: str | None = None
    ) -> Row:
        from backend.services.shop import customers

        return customers.add_customer(
            self.ctx, name=name, email=email, phone=phone, state=state, actor=self.actor
        )

    def start_trial(self, customer_id: int) -> Row:
        from backend.services.trials import trials

        return trials.start_trial(self.ctx, customer_id, actor=self.actor)

    def trial_status(self, customer_id: int) -> Row | None:
        from backend.services.trials import trials

        return trials.trial_status(self.ctx, customer_id)

    def usage_summary(self, customer_id: int) -> Row:
        from backend.services.trials import usage

        return usage.usage_summary(self.ctx, customer_id)

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
        from backend.services.upi import upi_requests

        return upi_requests.create_request(
            self.ctx,
            customer_id=customer_id,
            tier=tier,
            interval=interval,
            actor=self.actor,
            checkout_id=checkout_id,
            purpose=purpose,
        )

    def get_payment(self, payment_id: str) -> Row:
        from backend.services.upi import upi_requests

        return upi_requests.get_payment(self.ctx, payment_id)

    def confirm_with_utr(self, payment_id: str, utr: str) -> Row:
        from backend.services.upi import upi_requests

        return upi_requests.confirm_with_utr(self.ctx, payment_id, utr, actor=self.actor)

    def accept_late(self, payment_id: str) -> Row:
        from backend.services.upi import upi_requests

        return upi_requests.accept_late(self.ctx, payment_id, actor=self.actor)

    def cancel_request(self, payment_id: str) -> Row:
        from backend.services.upi import upi_requests

        return upi_requests.cancel_request(self.ctx, payment_id, actor=self.actor)

    def poll_psp(self, payment_id: str) -> Row:
        from backend.services.upi import upi_requests

        return upi_requests.poll_psp(self.ctx, payment_id)

    # card (Stripe Checkout) -----------------------------------------------------------
    def card_status(self) -> Row:
        from backend.adapters import stripe_gateway

        return stripe_gateway.card_status(self.ctx)

    def start_checkout(self, *, customer_id: int, tier: str, interval: str, currency: str) -> Row:
        from backend.services.cards import card_checkout

        return card_checkout.start_checkout(
            self.ctx,
            customer_id=customer_id,
            tier=tier,
            interval=interval,
            currency=currency,
            actor=self.actor,
        )

    def refresh(self, payment_id: str) -> Row:
        from backend.services.cards import card_checkout

        return card_checkout.refresh(self.ctx, payment_id)

    def cancel_checkout(self, payment_id: str) -> Row:
        from backend.services.cards import card_checkout

        return card_checkout.cancel_checkout(self.ctx, payment_id, actor=self.actor)

    # subscriptions --------------------------------------------------------------------
    def current_subscription(self, customer_id: int) -> Row | None:
        from backend.services.billing import upi_subscriptions

        return upi_subscriptions.current_subscription(self.ctx, customer_id)

    def upgrade_preview(self, customer_id: int, tier: str, interval: str) -> Row:
        from backend.services.billing import upi_subscriptions

        return upi_subscriptions.upgrade_preview(self.ctx, customer_id, tier, interval)

    def schedule_downgrade(self, customer_id: int, tier: str, interval: str) -> Row:
        from backend.services.billing import upi_subscriptions

        return upi_subscriptions.schedule_downgrade(
            self.ctx, customer_id, tier, interval, actor=self.actor
        )

    def cancel_subscription(self, customer_id: int, *, at_period_end: bool) -> Row:
        from backend.services.billing import upi_subscriptions

        return upi_subscriptions.cancel_subscription(
            self.ctx, customer_id, at_period_end=at_period_end, actor=self.actor
        )

    def card_preview_upgrade(self, subscription_id: int, *, tier: str, interval: str) -> Row:
        from backend.services.billing import card_subscriptions

        return card_subscriptions.preview_upgrade(
            self.ctx, subscription_id, tier=tier, interval=interval
        )

    def card_upgrade(
        self, subscription_id: int, *, tier: str, interval: str, proration_date: int | None
    ) -> Row:
        from backend.services.billing import card_subscriptions

        return card_subscriptions.upgrade(
            self.ctx,
            subscription_id,
            tier=tier,
            interval=interval,
            proration_date=proration_date,
            actor=self.actor,
        )

    def card_downgrade(self, subscription_id: int, *, tier: str, interval: str) -> Row:
        from backend.services.billing import card_subscriptions

        return card_subscriptions.downgrade(
            self.ctx, subscription_id, tier=tier, interval=interval, actor=self.actor
        )

    def card_cancel(self, subscription_id: int, *, at_period_end: bool) -> Row:
        from backend.services.billing import card_subscriptions

        return card_subscriptions.cancel(
            self.ctx, subscription_id, at_period_end=at_period_end, actor=self.actor
        )

    # receipts and refunds -------------------------------------------------------------
    def invoice_pdf(self, payment_id: str) -> bytes:
        from backend.services.billing import invoices

        return invoices.invoice_pdf(self.ctx, payment_id)

    def email_invoice(self, payment_id: str, to: str | None = None) -> Row:
        from backend.services.billing import invoices

        return invoices.email_invoice(self.ctx, payment_id, to, actor=self.actor)

    def refund(
        self,
        payment_id: str,
        *,
        amount: int | None = None,
        currency: str | None = None,
        reason: str | None = None,
    ) -> Row:
        """Refund all (``amount=None``) or part, in minor units of ``currency``."""
        from backend.domain.money import Money
        from backend.services.cards import card_refunds

        money = Money(amount, currency or "") if amount is not None else None
        return card_refunds.refund(
            self.ctx, payment_id, amount=money, reason=reason, actor=self.actor
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
        from backend.services.payments import payment_queries

        return payment_queries.list_payments(
            self.ctx,
            status=status,
            method=method,
            date_from=date_from,
            date_to=date_to,
            customer_id=customer_id,
            limit=limit,
        )

    def sync_state(self) -> Row:
        from backend.sync import outbox

        return outbox.sync_state(self.ctx)

    def sync_once(self) -> Row:
        """One pass of the Stripe sync (push, drain the outbox, pull events); network."""
        from backend.services.cards import stripe_sync

        return stripe_sync.sync_once(self.ctx, actor=self.actor)
