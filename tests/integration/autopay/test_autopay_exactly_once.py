"""The AutoPay scenario with 30% of Stripe's answers faulty (429, 500, a 500 after the
work was done, answers too slow, connections dropped after the work was done) while sync
workers — child processes running ``autoos-checkout stripe sync`` — are killed with
SIGKILL at random points: afterwards no subscription, mandate or renewal payment exists
twice, each failed renewal has one notice and at most one email, and the local records
equal Stripe's.

Stripe's test clock is its own here (the fake's), as with Stripe's real test clocks:
the till runs on today's time, so the worker processes (on the wall clock) find every
queued request due, while the fake's clock moves a month at a time for the renewals.
"""

from __future__ import annotations

import contextlib
import random
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from backend.adapters.mail import build_mailer
from backend.clock import ManualClock
from backend.config import Secrets
from backend.context import Context
from backend.errors import CheckoutError, TransientError
from backend.interface import STAFF, Caller, CheckoutApi
from backend.services.cards.stripe_mirror import STATUS
from backend.services.shop.customers import add_customer
from backend.sync import outbox
from tests.conftest import ROOT, child_env
from tests.fakes.stripe_server import FakeStripe
from tests.integration.api.conftest import STRIPE_KEY, Inbox, free_port

CUSTOMERS = 8
KILLS_PER_PHASE = 7


class World:
    def __init__(self, ctx: Context, fake: FakeStripe, stripe_clock: ManualClock, inbox: Inbox):
        self.ctx, self.fake, self.stripe_clock, self.inbox = ctx, fake, stripe_clock, inbox
        self.api = CheckoutApi(ctx, Caller(STAFF, "staff:1", 1, terminal="Till 1"))
        self.rng = random.Random(20261207)
        self.kills = 0

    def retry(self, call, *args, attempts: int = 40):
        """What a cashier does when Stripe answers with an error: try again."""
        for _ in range(attempts):
            try:
                return call(*args)
            except TransientError:
                self.ctx.clock.advance(seconds=1)  # type: ignore[attr-defined]
        raise AssertionError(f"{call.__name__} never got through")

    def worker(self, config: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "backend.cli", "stripe", "sync", "--json"],
            cwd=ROOT,
            env=child_env(
                AUTOOS_CHECKOUT_DB=self.ctx.store.path,
                AUTOOS_CHECKOUT_CONFIG=config,
                STRIPE_SECRET_KEY=STRIPE_KEY,
            ),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def killed_workers(self, config: str) -> None:
        """Sync workers killed with SIGKILL after a random number of their requests."""
        for _ in range(KILLS_PER_PHASE):
            before = len(self.fake.requests)
            child = self.worker(config)
            target = before + self.rng.randint(1, 8)
            while not self.fake.wait_for_requests(target, timeout=0.05) and child.poll() is None:
                pass
            child.send_signal(signal.SIGKILL)
            child.communicate(timeout=60)
            self.kills += child.returncode == -signal.SIGKILL

    def final_worker(self, config: str) -> None:
        """Workers left to finish, until every event Stripe has is applied here and
        nothing waits to be sent (a pass that meets a fault stops and says so)."""
        for _ in range(40):
            child = self.worker(config)
            _out, err = child.communicate(timeout=180)
            assert child.returncode == 0, err
            if self.caught_up():
                return
        raise AssertionError(f"never caught up: {outbox.sync_state(self.ctx)}")

    def caught_up(self) -> bool:
        cursor = self.ctx.store.scalar("SELECT value FROM meta WHERE key='stripe.events_cursor'")
        with self.fake.lock:
            newest = self.fake.events[-1]["id"] if self.fake.events else None
        return cursor == newest and outbox.sync_state(self.ctx)["waiting"] == 0


@pytest.fixture
def world(ctx: Context, clock: ManualClock, tmp_path) -> Iterator[tuple[World, str]]:
    from aiosmtpd.controller import Controller

    now = datetime.now(UTC).replace(microsecond=0)
    clock.set(now - timedelta(hours=1))  # rows queued here are due for the workers
    stripe_clock = ManualClock(now - timedelta(hours=1))
    fake = FakeStripe(stripe_clock, api_key=STRIPE_KEY).start()
    fake.slow_seconds = 0.4
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    ctx.secrets = Secrets(env={"STRIPE_SECRET_KEY": STRIPE_KEY}, use_keyring=False)
    ctx.settings.stripe.api_base = fake.url
    ctx.settings.stripe.network_retry_max_delay_ms = 0
    ctx.settings.stripe.timeout_ms = 200  # a "slow" answer times out
    ctx.settings.features.upi_autopay = True
    ctx.settings.shop.gstin, ctx.settings.shop.state = "29ABCDE1234F1ZW", "Karnataka"
    ctx.settings.mail.host, ctx.settings.mail.port = "127.0.0.1", smtp.port
    ctx.settings.mail.sender, ctx.settings.mail.starttls = "shop@autoos.example", False
    ctx.adapters["mail"] = build_mailer(ctx.settings.mail, ctx.secrets)
    ctx.adapters.pop("stripe", None)
    config = tmp_path / "settings.toml"
    config.write_text(
        f'[stripe]\napi_base = "{fake.url}"\nnetwork_retry_max_delay_ms = 0\ntimeout_ms = 200\n'
        "[features]\nupi_autopay = true\n"
        f'[mail]\nhost = "127.0.0.1"\nport = {smtp.port}\nsender = "shop@autoos.example"\n'
        "starttls = false\n"
    )
    yield World(ctx, fake, stripe_clock, inbox), str(config)
    fake.stop()
    smtp.stop()


def test_autopay_exactly_once_under_faults_and_kill_minus_nine(world):
    w, config = world
    api, fake = w.api, w.fake
    # 500_after: Stripe did the work, but the answer that came back is an error
    fake.set_faults(0.3, kinds=("429", "500", "500_after", "slow", "drop"))
    customers = [
        add_customer(w.ctx, name=f"Kavya {n}", email=f"kavya{n}@example.in", actor="t")["id"]
        for n in range(CUSTOMERS)
    ]

    # sales: each customer approves a mandate (the page may take a few tries to make)
    sales = {}
    for n, cid in enumerate(customers):
        tier = ("student", "employee")[n % 2]
        sale = w.retry(api.autopay_start, cid, tier, "month")
        session = next(
            s for s in fake.all("checkout.session") if s["client_reference_id"] == sale["id"]
        )
        fake.complete_session(session["id"])
        for _ in range(40):
            if w.retry(api.autopay_status, sale["id"])["status"] == "succeeded":
                break
        sales[cid] = sale["id"]
        if n % 3 == 2:
            w.killed_workers(config)
    w.killed_workers(config)

    # a month on Stripe's clock: every plan renews through its mandate
    w.stripe_clock.advance(days=31)
    fake.advance_subscriptions()
    w.killed_workers(config)

    # half the customers revoke their mandate; the next renewal fails for them
    revoked = customers[::2]
    for cid in revoked:
        pm = fake.objects["subscription"][_stripe_sub(w, cid)]["default_payment_method"]
        fake.revoke_mandate(fake.mandate_of(pm)["id"])
    w.stripe_clock.advance(days=30)
    fake.advance_subscriptions()
    w.killed_workers(config)
    w.final_worker(config)  # every failed renewal known here before staff act on it
    api.send_dunning_emails()

    # staff: the overdue periods are paid by QR (one customer's stays open), one plan
    # is cancelled; the emails go out
    attention = [i for i in api.needing_attention() if i["kind"] == "renewal_failed"]
    assert sorted(i["customer_id"] for i in attention) == sorted(revoked)
    for n, item in enumerate(attention[1:]):
        qr = api.autopay_pay_overdue(item["notice_id"])
        api.confirm_with_utr(qr["id"], f"{500000000000 + n}")
    w.retry(api.autopay_cancel, str(_local_sub(w, customers[1])["id"]))
    with contextlib.suppress(CheckoutError):  # a mail server error is reported, not lost
        api.send_dunning_emails()
    w.killed_workers(config)

    # Stripe recovers; one worker runs to the end
    fake.set_faults(0.0)
    w.final_worker(config)
    api.send_dunning_emails()

    assert w.kills >= 20
    assert sum(fake.faults_injected.values()) > 20, fake.faults_injected
    state = outbox.sync_state(w.ctx)
    assert (state["waiting"], state["failed"]) == (0, 0), outbox.failed_rows(w.ctx)

    # no duplicate subscription, mandate or session at Stripe
    subs = fake.all("subscription")
    by_sale = Counter(s["metadata"]["autoos_payment_id"] for s in subs)
    assert by_sale == Counter(sales.values())  # one subscription per sale, no more
    mandates = Counter(m["payment_method"] for m in fake.all("mandate"))
    assert len(mandates) == len(subs)
    assert set(mandates.values()) == {1}
    sessions = Counter(s["client_reference_id"] for s in fake.all("checkout.session"))
    paid_sessions = [s for s in fake.all("checkout.session") if s["status"] == "complete"]
    assert len(paid_sessions) == CUSTOMERS
    assert all(sessions[s["client_reference_id"]] == 1 for s in paid_sessions)

    # the local plans are Stripe's
    local = {r["stripe_subscription_id"]: r for r in w.ctx.store.query(
        "SELECT * FROM subscriptions WHERE method='upi_autopay'"
    )}  # fmt: skip
    assert set(local) == {s["id"] for s in subs}
    for sub in subs:
        assert local[sub["id"]]["status"] == STATUS[sub["status"]], sub["id"]

    # every invoice's money is recorded once: each paid renewal once, nothing twice
    invoices = fake.all("invoice")
    paid_cycle = {
        i["id"] for i in invoices if i["billing_reason"] == "subscription_cycle"
        and i["status"] == "paid"
    }  # fmt: skip
    holders = Counter(
        r["stripe_invoice_id"]
        for r in w.ctx.store.query(
            "SELECT stripe_invoice_id FROM payments WHERE stripe_invoice_id IS NOT NULL "
            "AND status <> 'failed'"
        )
    )
    assert set(holders.values()) == {1}
    assert paid_cycle <= set(holders)
    renewals = w.ctx.store.query(
        "SELECT * FROM payments WHERE method='upi_autopay' AND purpose='renewal' "
        "AND status='succeeded'"
    )
    collected = {
        i["id"]
        for i in invoices
        if i["billing_reason"] == "subscription_cycle"
        and i["status"] == "paid"
        and i["amount_due"]
        and _collected(fake, i)
    }
    assert sorted(r["stripe_invoice_id"] for r in renewals) == sorted(collected)
    assert len({r["receipt_no"] for r in renewals}) == len(renewals)

    # each failed renewal: one failed payment, one notice, at most one email
    failed_at_stripe = {  # renewals no PaymentIntent paid (open, or paid here out of band)
        i["id"]
        for i in invoices
        if i["billing_reason"] == "subscription_cycle" and not _collected(fake, i)
    }
    failed_rows = Counter(
        r["stripe_invoice_id"]
        for r in w.ctx.store.query("SELECT stripe_invoice_id FROM payments WHERE status='failed'")
    )
    notices = _notices(w)
    assert sorted(n["invoice_ref"] for n in notices) == sorted(failed_rows)
    assert set(failed_rows.values()) == {1}
    assert {n["invoice_ref"] for n in notices} == failed_at_stripe
    assert len(failed_at_stripe) == len(revoked)
    emailed = Counter(m["Message-ID"] for m in w.inbox.messages)
    assert set(emailed.values()) == {1}  # never twice, whoever was killed when
    sent = {f"<autopay-dunning-{n['id']}@autoos-checkout>" for n in notices
            if n["email_status"] == "sent"}  # fmt: skip
    assert sent <= set(emailed)
    # a worker killed between claiming and recording leaves "sending" (never re-sent)
    assert {n["email_status"] for n in notices} <= {"sent", "sending"}
    # the overdue periods paid here are paid at Stripe, out of band
    for notice in notices:
        if notice["status"] == "paid":
            assert notice["out_of_band"] == "done"
            assert fake.objects["invoice"][notice["invoice_ref"]]["status"] == "paid"
    # the cancelled plan's mandate was revoked once
    cancelled = _local_sub(w, customers[1], live=False)
    assert (cancelled["status"], cancelled["mandate_status"]) == ("canceled", "revoked")


def _collected(fake: FakeStripe, invoice: dict) -> bool:
    """Paid through the mandate (a PaymentIntent), not out of band."""
    return bool(fake.objects["invoice"][invoice["id"]]["_payments"]["data"])


def _notices(w: World) -> list[dict]:
    return w.ctx.store.query("SELECT * FROM dunning_notices ORDER BY id")


def _stripe_sub(w: World, cid: int) -> str:
    return str(_local_sub(w, cid)["stripe_subscription_id"])


def _local_sub(w: World, cid: int, live: bool = True) -> dict:
    rows = w.ctx.store.query(
        "SELECT * FROM subscriptions WHERE customer_id=? AND method='upi_autopay' ORDER BY id",
        (cid,),
    )
    if live:
        rows = [r for r in rows if r["status"] != "canceled"]
    return rows[-1]
