"""Every endpoint × every role (and no token): the expected 2xx, 401 or 403.

The table below is written out by hand: it is the access policy, checked against the
running server, and a test also checks that no route exists outside it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest

from backend.api.server import BackgroundServer
from backend.clock import ManualClock
from backend.config import Secrets, Settings
from backend.context import Context
from backend.domain.catalog import load_catalog
from backend.services.billing import card_subscriptions
from backend.services.cards import card_checkout
from backend.services.shop import api_tokens, customers, staff
from backend.services.upi import upi_requests
from backend.store import open_store
from backend.sync import outbox
from tests.integration.api.conftest import ROLES, start_providers

ALL = {"kiosk", "staff", "admin", "autoos"}
COUNTER = {"kiosk", "staff", "admin"}
STAFF = {"staff", "admin"}
READERS = {"staff", "admin", "autoos"}
PUBLIC = None  # no token needed (health, webhooks)

_seq = itertools.count(1)


class World:
    """Fresh records for each call, so every allowed role can succeed on its own."""

    def __init__(self, ctx, providers) -> None:
        self.ctx = ctx
        self.stripe = providers.stripe
        self.razorpay = providers.razorpay

    def customer(self) -> int:
        n = next(_seq)
        return customers.add_customer(
            self.ctx, name=f"Customer {n}", email=f"c{n}@example.com", actor="t"
        )["id"]

    def upi_payment(self, customer_id: int | None = None, tier: str = "student") -> str:
        return upi_requests.create_request(
            self.ctx,
            customer_id=customer_id or self.customer(),
            tier=tier,
            interval="month",
            actor="t",
        )["id"]

    def utr(self) -> str:
        return f"{400000000000 + next(_seq)}"

    def paid_payment(self, customer_id: int | None = None, tier: str = "student") -> str:
        payment_id = self.upi_payment(customer_id, tier)
        upi_requests.confirm_with_utr(self.ctx, payment_id, self.utr(), actor="t")
        return payment_id

    def card_checkout(self) -> str:
        return card_checkout.start_checkout(
            self.ctx,
            customer_id=self.customer(),
            tier="student",
            interval="month",
            currency="USD",
            actor="t",
        )["id"]

    def card_customer(self) -> int:
        """A customer who paid by card (so Stripe knows them)."""
        payment_id = self.paid_card_payment()
        return self.ctx.store.scalar("SELECT customer_id FROM payments WHERE id=?", (payment_id,))

    def paid_card_payment(self) -> str:
        payment_id = self.card_checkout()
        session = card_checkout.view(self.ctx, payment_id)["session_id"]
        self.stripe.complete_session(session)
        card_checkout.refresh(self.ctx, payment_id)
        return payment_id

    def card_subscription(self, tier: str = "student") -> int:
        sub = card_subscriptions.subscribe(
            self.ctx,
            customer_id=self.customer(),
            tier=tier,
            interval="month",
            currency="USD",
            trial_days=14,
            actor="t",
        )
        outbox.drain(self.ctx)
        return sub["id"]

    def late_payment(self) -> str:
        """Paid through Razorpay after the request was withdrawn: kept as ``late``."""
        payment_id = self.upi_payment()
        upi_requests.cancel_request(self.ctx, payment_id, actor="t")
        qr_ref = self.ctx.store.scalar("SELECT psp_ref FROM payments WHERE id=?", (payment_id,))
        body = self.razorpay.pay(qr_ref, rrn=self.utr(), at=int(self.ctx.clock.now().timestamp()))
        upi_requests.handle_razorpay_webhook(self.ctx, body, self.razorpay.sign(body))
        return payment_id

    def staff_member(self) -> str:
        name = f"Clerk {next(_seq)}"
        staff.add_staff(self.ctx, name=name, role="staff", pin="2468", actor="t")
        return name

    def reminder(self) -> int:
        """An open in-app reminder: a trial ending in a week."""
        customer_id = _trialist(self)
        now = self.ctx.now_iso()
        return self.ctx.store.insert(
            "INSERT INTO trial_reminders (customer_id, stage, trial_ends_at, due_at, "
            "created_at, email_status) VALUES (?, '7d', ?, ?, ?, 'skipped') RETURNING id",
            (customer_id, now, now, now),
        )

    def held_review(self) -> int:
        """A credit with a UTR and the amount only, held for staff."""
        from backend.services.upi import upi_requests as upi

        payment_id = self.upi_payment()
        with self.ctx.store.transaction():
            return upi.hold_for_review(
                self.ctx,
                payment_id,
                source="bank_statement",
                line_key=None,
                utr=self.utr(),
                amount=79900,
                evidence={"narration": "UPI/P2A/.../friend@oksbi"},
                actor="t",
            )

    def token_name(self) -> str:
        name = f"token {next(_seq)}"
        api_tokens.create_token(self.ctx, role="kiosk", name=name, actor="t")
        return name

    def staff_id(self) -> int:
        name = self.staff_member()
        return int(self.ctx.store.scalar("SELECT id FROM staff WHERE name=?", (name,)))

    def subscriber(self, tier: str = "student") -> int:
        customer_id = self.customer()
        self.paid_payment(customer_id, tier)
        return customer_id

    def autopay_sale(self) -> str:
        """A UPI AutoPay sign-up waiting for the customer to approve the mandate."""
        from backend.services.autopay import sales

        return sales.start(
            self.ctx, customer_id=self.customer(), tier="student", interval="month", actor="t"
        )["id"]

    def autopay_plan(self) -> int:
        """An AutoPay plan whose mandate the customer approved."""
        from backend.services.autopay import sales

        payment_id = self.autopay_sale()
        self.stripe.complete_session(card_checkout.view(self.ctx, payment_id)["session_id"])
        return int(sales.status(self.ctx, payment_id, actor="t")["subscription_id"])

    def autopay_notice(self) -> int:
        """An AutoPay renewal that failed (the customer revoked the mandate)."""
        from backend.services.cards import stripe_events

        sub_id = self.autopay_plan()
        remote = self.ctx.store.scalar(
            "SELECT stripe_subscription_id FROM subscriptions WHERE id=?", (sub_id,)
        )
        method = self.stripe.objects["subscription"][remote]["default_payment_method"]
        self.stripe.revoke_mandate(self.stripe.mandate_of(method)["id"])
        self.stripe.bill_now(remote)
        stripe_events.poll(self.ctx)
        return int(
            self.ctx.store.scalar(
                "SELECT id FROM dunning_notices WHERE subscription_id=?", (sub_id,)
            )
        )


@dataclass
class Call:
    method: str
    route: str
    roles: set[str] | None
    make: Callable[[World], dict]  # -> {"path": ..., "json"/"params": ...}
    #: what an allowed role gets: past the role check, the service may still refuse
    allowed: str = "2xx"
    #: a stream that never ends: only its status line is read
    streamed: bool = False

    @property
    def id(self) -> str:
        return f"{self.method} {self.route}"


def plain(path: str) -> Callable[[World], dict]:
    return lambda w: {"path": path}


def for_customer(path: str, **params: str) -> Callable[[World], dict]:
    return lambda w: {"path": path, "params": {"customer_id": w.customer(), **params}}


def qr(suffix: str) -> Callable[[World], dict]:
    return lambda w: {"path": f"/payments/qr-code/{w.upi_payment()}{suffix}"}


def _trialist(w: World) -> int:
    from backend.services.trials import trials

    customer_id = w.customer()
    trials.start_trial(w.ctx, customer_id, actor="t")
    return customer_id


CALLS = [
    Call("GET", "/health", PUBLIC, plain("/health")),
    # first, while Stripe has little to tell: a sync pass replays every event so far
    Call("GET", "/payments/sync-state", COUNTER, plain("/payments/sync-state")),
    Call("POST", "/payments/sync", COUNTER, plain("/payments/sync")),
    Call("GET", "/payments/pricing", ALL, plain("/payments/pricing")),
    Call(
        "POST",
        "/payments/create-customer",
        ALL,
        lambda w: {"path": "/payments/create-customer", "json": _new_contact()},
    ),
    Call("GET", "/payments/customers", ALL, lambda w: _search(w)),
    Call(
        "GET",
        "/payments/customers/{customer_id}",
        ALL,
        lambda w: {"path": f"/payments/customers/{w.customer()}"},
    ),
    Call(
        "POST",
        "/payments/start-trial",
        ALL,
        lambda w: {"path": "/payments/start-trial", "json": {"customer_id": w.customer()}},
    ),
    Call("GET", "/payments/trial-status", ALL, for_customer("/payments/trial-status")),
    Call("GET", "/payments/usage", READERS, for_customer("/payments/usage")),
    Call(
        "POST",
        "/payments/usage",
        {"autoos"},
        lambda w: {
            "path": "/payments/usage",
            "json": {"customer_id": _trialist(w), "kind": "workflow", "event_id": w.utr()},
        },
    ),
    Call(
        "POST",
        "/usage/events",
        {"autoos"},
        lambda w: {
            "path": "/usage/events",
            "json": {
                "events": [{"customer_id": _trialist(w), "kind": "workflow", "event_id": w.utr()}]
            },
        },
    ),
    Call(
        "POST",
        "/payments/qr-code",
        COUNTER,
        lambda w: {
            "path": "/payments/qr-code",
            "json": {"customer_id": w.customer(), "tier": "student", "interval": "month"},
        },
    ),
    Call("GET", "/payments/qr-code/{payment_id}.png", COUNTER, qr(".png")),
    Call("GET", "/payments/qr-code/{payment_id}.svg", COUNTER, qr(".svg")),
    Call("GET", "/payments/qr-code/{payment_id}/status", COUNTER, qr("/status")),
    Call("GET", "/payments/qr-code/{payment_id}", COUNTER, qr("")),
    Call("POST", "/payments/qr-code/{payment_id}/cancel", COUNTER, qr("/cancel")),
    Call(
        "POST",
        "/payments/qr-code/{payment_id}/confirm",
        STAFF,
        lambda w: {
            "path": f"/payments/qr-code/{w.upi_payment()}/confirm",
            "json": {"utr": w.utr()},
        },
    ),
    Call("GET", "/payments/card-status", COUNTER, plain("/payments/card-status")),
    Call(
        "POST",
        "/payments/create-intent",
        COUNTER,
        lambda w: {
            "path": "/payments/create-intent",
            "json": {
                "customer_id": w.customer(),
                "tier": "student",
                "interval": "month",
                "currency": "USD",
            },
        },
    ),
    Call(
        "GET",
        "/payments/card/{payment_id}",
        COUNTER,
        lambda w: {"path": f"/payments/card/{w.card_checkout()}"},
    ),
    Call(
        "POST",
        "/payments/card/{payment_id}/cancel",
        COUNTER,
        lambda w: {"path": f"/payments/card/{w.card_checkout()}/cancel"},
    ),
    Call("GET", "/payments/payment-methods", STAFF, for_customer("/payments/payment-methods")),
    Call(
        "POST",
        "/payments/update-payment-method",
        STAFF,
        lambda w: {
            "path": "/payments/update-payment-method",
            "json": {"customer_id": w.card_customer()},
        },
    ),
    Call(
        "POST",
        "/payments/subscribe",
        COUNTER,
        lambda w: {
            "path": "/payments/subscribe",
            "json": {
                "customer_id": w.customer(),
                "tier": "student",
                "interval": "month",
                "method": "upi",
            },
        },
    ),
    Call(
        "GET",
        "/payments/subscription",
        READERS,
        lambda w: {"path": "/payments/subscription", "params": {"customer_id": w.subscriber()}},
    ),
    Call(
        "GET",
        "/payments/proration-preview",
        STAFF,
        lambda w: {
            "path": "/payments/proration-preview",
            "params": {"customer_id": w.subscriber(), "tier": "employee", "interval": "month"},
        },
    ),
    Call(
        "POST",
        "/payments/upgrade",
        STAFF,
        lambda w: {
            "path": "/payments/upgrade",
            "json": {"customer_id": w.subscriber(), "tier": "employee", "interval": "month"},
        },
    ),
    Call(
        "POST",
        "/payments/downgrade",
        STAFF,
        lambda w: {
            "path": "/payments/downgrade",
            "json": {
                "customer_id": w.subscriber("employee"),
                "tier": "student",
                "interval": "month",
            },
        },
    ),
    Call(
        "POST",
        "/payments/cancel-subscription",
        STAFF,
        lambda w: {
            "path": "/payments/cancel-subscription",
            "json": {"customer_id": w.subscriber()},
        },
    ),
    Call(
        "GET",
        "/payments/autopay/offer",
        COUNTER,
        lambda w: {
            "path": "/payments/autopay/offer",
            "params": {"tier": "student", "interval": "month"},
        },
    ),
    Call(
        "POST",
        "/payments/autopay",
        COUNTER,
        lambda w: {
            "path": "/payments/autopay",
            "json": {"customer_id": w.customer(), "tier": "student", "interval": "month"},
        },
    ),
    Call(
        "GET",
        "/payments/autopay/status/{payment_id}",
        COUNTER,
        lambda w: {"path": f"/payments/autopay/status/{w.autopay_sale()}"},
    ),
    Call(
        "POST",
        "/payments/autopay/cancel/{ref}",
        STAFF,
        lambda w: {"path": f"/payments/autopay/cancel/{w.autopay_sale()}", "json": {}},
    ),
    Call(
        "GET",
        "/payments/autopay/plans/{subscription_id}",
        STAFF,
        lambda w: {"path": f"/payments/autopay/plans/{w.autopay_plan()}"},
    ),
    Call("GET", "/payments/attention", STAFF, plain("/payments/attention")),
    Call(
        "POST",
        "/payments/attention/{notice_id}/pay-qr",
        STAFF,
        lambda w: {"path": f"/payments/attention/{w.autopay_notice()}/pay-qr"},
    ),
    Call(
        "POST",
        "/payments/attention/{notice_id}/new-mandate",
        STAFF,
        lambda w: {"path": f"/payments/attention/{w.autopay_notice()}/new-mandate"},
    ),
    Call(
        "POST", "/payments/attention/send-emails", STAFF, plain("/payments/attention/send-emails")
    ),
    Call("GET", "/payments/history", READERS, for_customer("/payments/history")),
    Call(
        "GET",
        "/payments/invoices",
        READERS,
        lambda w: {"path": "/payments/invoices", "params": {"customer_id": w.subscriber()}},
    ),
    Call(
        "GET",
        "/payments/invoices/{payment_id}/download",
        READERS,
        lambda w: {"path": f"/payments/invoices/{w.paid_payment()}/download"},
    ),
    Call(
        "POST",
        "/staff/authenticate",
        COUNTER,
        lambda w: {
            "path": "/staff/authenticate",
            "json": {"name": w.staff_member(), "pin": "2468"},
        },
    ),
    Call("GET", "/staff", {"admin"}, plain("/staff")),
    Call(
        "POST",
        "/staff",
        {"admin"},
        lambda w: {
            "path": "/staff",
            "json": {"name": f"Hire {next(_seq)}", "role": "staff", "pin": "1357"},
        },
    ),
    Call(
        "POST",
        "/payments/qr-code/{payment_id}/accept-late",
        STAFF,
        lambda w: {"path": f"/payments/qr-code/{w.late_payment()}/accept-late"},
    ),
    Call(
        "POST",
        "/payments/card/{payment_id}/refund",
        {"admin"},
        lambda w: {"path": f"/payments/card/{w.paid_card_payment()}/refund", "json": {}},
    ),
    Call(
        "POST",
        "/payments/invoices/{payment_id}/email",
        STAFF,
        lambda w: {"path": f"/payments/invoices/{w.paid_payment()}/email", "json": {}},
    ),
    Call(
        "GET",
        "/payments/card-subscriptions/{subscription_id}/preview-upgrade",
        STAFF,
        lambda w: {
            "path": f"/payments/card-subscriptions/{w.card_subscription()}/preview-upgrade",
            "params": {"tier": "employee", "interval": "month"},
        },
    ),
    Call(
        "POST",
        "/payments/card-subscriptions/{subscription_id}/upgrade",
        STAFF,
        lambda w: {
            "path": f"/payments/card-subscriptions/{w.card_subscription()}/upgrade",
            "json": {"tier": "employee", "interval": "month"},
        },
    ),
    Call(
        "POST",
        "/payments/card-subscriptions/{subscription_id}/downgrade",
        STAFF,
        lambda w: {
            "path": f"/payments/card-subscriptions/{w.card_subscription('employee')}/downgrade",
            "json": {"tier": "student", "interval": "month"},
        },
    ),
    Call(
        "POST",
        "/payments/card-subscriptions/{subscription_id}/cancel",
        STAFF,
        lambda w: {
            "path": f"/payments/card-subscriptions/{w.card_subscription()}/cancel",
            "json": {"at_period_end": True},
        },
    ),
    Call("GET", "/staff/names", COUNTER, plain("/staff/names")),
    Call(
        "POST",
        "/payments/customers/{customer_id}",
        STAFF,
        lambda w: {"path": f"/payments/customers/{w.customer()}", "json": {"name": "Renamed"}},
    ),
    Call(
        "POST",
        "/staff/{staff_id}/deactivate",
        {"admin"},
        lambda w: {"path": f"/staff/{w.staff_id()}/deactivate"},
    ),
    Call(
        "POST",
        "/staff/{staff_id}/activate",
        {"admin"},
        lambda w: {"path": f"/staff/{w.staff_id()}/activate"},
    ),
    Call(
        "POST",
        "/staff/{staff_id}/reset-pin",
        {"admin"},
        lambda w: {"path": f"/staff/{w.staff_id()}/reset-pin", "json": {"pin": "9753"}},
    ),
    Call(
        "POST",
        "/staff/{staff_id}/unlock",
        {"admin"},
        lambda w: {"path": f"/staff/{w.staff_id()}/unlock"},
    ),
    # staff exist already: a first admin is refused by the service (past the role check)
    Call(
        "POST",
        "/staff/first-admin",
        COUNTER,
        lambda w: {"path": "/staff/first-admin", "json": {"name": "Boss", "pin": "1357"}},
        allowed="409",
    ),
    Call(
        "POST",
        "/payments/find-or-add-customer",
        COUNTER,
        lambda w: {"path": "/payments/find-or-add-customer", "json": _new_contact()},
    ),
    Call("POST", "/payments/expire-trials", {"admin"}, plain("/payments/expire-trials")),
    Call("GET", "/payments/credits", READERS, lambda w: for_customer("/payments/credits")(w)),
    Call(
        "POST",
        "/payments/credits/adjust",
        {"admin"},
        lambda w: {
            "path": "/payments/credits/adjust",
            "json": {"customer_id": _trialist(w), "amount": "5", "reason": "goodwill"},
        },
    ),
    Call(
        "GET",
        "/payments/sale-methods",
        COUNTER,
        lambda w: {
            "path": "/payments/sale-methods",
            "params": {"tier": "student", "currency": "INR"},
        },
    ),
    Call(
        "GET",
        "/payments/changes",
        COUNTER,
        lambda w: {"path": "/payments/changes", "params": {"after": 0, "terminal": "none"}},
    ),
    Call("GET", "/payments/stream", COUNTER, plain("/payments/stream"), streamed=True),
    Call(
        "GET",
        "/payments/status/{payment_id}",
        COUNTER,
        lambda w: {"path": f"/payments/status/{w.upi_payment()}"},
    ),
    Call(
        "POST",
        "/payments/cancel/{payment_id}",
        COUNTER,
        lambda w: {"path": f"/payments/cancel/{w.upi_payment()}"},
    ),
    Call(
        "POST",
        "/payments/statements",
        STAFF,
        lambda w: {
            "path": "/payments/statements",
            "json": {
                "content": "date,narration,reference,credit\n"
                "2026-11-26,UPI/612345670000/friend,612345670000,1.00\n"
            },
        },
    ),
    Call("GET", "/payments/reviews", STAFF, plain("/payments/reviews")),
    Call(
        "POST",
        "/payments/reviews/{review_id}/accept",
        STAFF,
        lambda w: {"path": f"/payments/reviews/{w.held_review()}/accept"},
    ),
    Call(
        "POST",
        "/payments/reviews/{review_id}/reject",
        STAFF,
        lambda w: {"path": f"/payments/reviews/{w.held_review()}/reject"},
    ),
    Call(
        "GET",
        "/payments/card-subscriptions/{subscription_id}",
        STAFF,
        lambda w: {"path": f"/payments/card-subscriptions/{w.card_subscription()}"},
    ),
    Call(
        "GET",
        "/payments/invoices/{payment_id}",
        READERS,
        lambda w: {"path": f"/payments/invoices/{w.paid_payment()}"},
    ),
    Call("GET", "/reminders", STAFF, plain("/reminders")),
    Call(
        "POST",
        "/reminders/{reminder_id}/done",
        STAFF,
        lambda w: {"path": f"/reminders/{w.reminder()}/done", "json": {"action": "called"}},
    ),
    Call("POST", "/reminders/send", {"admin"}, plain("/reminders/send")),
    Call("POST", "/payments/sync/drain", {"admin"}, plain("/payments/sync/drain")),
    Call("GET", "/payments/stripe-status", {"admin"}, plain("/payments/stripe-status")),
    Call("GET", "/audit", {"admin"}, lambda w: {"path": "/audit", "params": {"limit": 5}}),
    Call("GET", "/tokens", {"admin"}, plain("/tokens")),
    Call(
        "POST",
        "/tokens",
        {"admin"},
        lambda w: {"path": "/tokens", "json": {"role": "kiosk", "name": f"t {next(_seq)}"}},
    ),
    Call(
        "POST",
        "/tokens/{ref}/revoke",
        {"admin"},
        lambda w: {"path": f"/tokens/{w.token_name()}/revoke"},
    ),
    Call("GET", "/payments/settings", COUNTER, plain("/payments/settings")),
    Call("GET", "/settings", {"admin"}, plain("/settings")),
    Call(
        "POST",
        "/settings",
        {"admin"},
        lambda w: {"path": "/settings", "json": {"shop": {"name": f"Shop {next(_seq)}"}}},
    ),
    Call(
        "GET",
        "/payments/list",
        COUNTER,
        lambda w: {"path": "/payments/list", "params": {"method": "upi_qr", "limit": 3}},
    ),
    # webhooks need no token: an unsigned delivery is 400 whoever sends it, never 401/403
    Call(
        "POST",
        "/payments/webhooks/stripe",
        PUBLIC,
        lambda w: {"path": "/payments/webhooks/stripe", "content": b"{}"},
    ),
    Call(
        "POST",
        "/payments/webhooks/razorpay",
        PUBLIC,
        lambda w: {"path": "/payments/webhooks/razorpay", "content": b"{}"},
    ),
]


def _new_contact() -> dict:
    n = next(_seq)
    return {"name": f"New {n}", "email": f"new{n}@example.com"}


def _search(w: World) -> dict:
    customer_id = w.customer()
    email = customers.get_customer(w.ctx, customer_id)["email"]
    return {"path": "/payments/customers", "params": {"q": email}}


def expected(call: Call, role: str | None) -> str:
    if call.roles is PUBLIC:
        return "400" if "/webhooks/" in call.route else "2xx"
    if role is None:
        return "401"
    return call.allowed if role in call.roles else "403"


def outcome(status: int) -> str:
    return "2xx" if 200 <= status < 300 else str(status)


@pytest.fixture(scope="module")
def store_server(tmp_path_factory, settings_for_module) -> Iterator[tuple[World, str, dict]]:
    """One configured store and server for the whole matrix (every call makes its own
    fresh records): fake Stripe and Razorpay, webhook secrets, GSTIN."""
    clock = ManualClock("2026-11-26T10:00:00Z")
    store = open_store(tmp_path_factory.mktemp("matrix") / "checkout.db")
    ctx = Context(
        store=store,
        clock=clock,
        catalog=load_catalog(),
        settings=settings_for_module,
        secrets=Secrets(env={}, use_keyring=False),
    )
    providers = start_providers(ctx, clock)
    ctx.settings.features.upi_autopay = True
    tokens = {
        role: api_tokens.create_token(ctx, role=role, actor="test")["token"] for role in ROLES
    }
    with BackgroundServer(ctx) as server:
        yield World(ctx, providers), server.url, tokens
    providers.stop()
    store.close()


@pytest.fixture(scope="module")
def settings_for_module(tmp_path_factory) -> Settings:
    settings = Settings()
    settings.path = tmp_path_factory.mktemp("settings") / "settings.toml"
    settings.upi.vpa = "autoos.shop@okaxis"
    settings.upi.payee_name = "AUTOOS Shop"
    settings.upi.mcc = "5734"
    return settings


@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.id)
def test_role_matrix(call, store_server):
    world, url, tokens = store_server
    got, want = {}, {}
    for role in (None, *ROLES):
        request = call.make(world)
        path = request.pop("path")
        headers = {"Authorization": f"Bearer {tokens[role]}"} if role else {}
        if call.streamed:
            with httpx.stream(call.method, url + path, headers=headers, timeout=30) as response:
                status = response.status_code
        else:
            response = httpx.request(
                call.method, url + path, headers=headers, timeout=30, **request
            )
            status = response.status_code
        got[role or "no token"] = outcome(status)
        want[role or "no token"] = expected(call, role)
    assert got == want


def test_every_route_is_in_the_matrix(store_server):
    spec = httpx.get(store_server[1] + "/openapi.json").json()
    served = {f"{method.upper()} {path}" for path, ops in spec["paths"].items() for method in ops}
    assert served == {call.id for call in CALLS}
