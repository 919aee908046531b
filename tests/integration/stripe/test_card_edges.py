"""Card checkout at its edges: a declined card does not end the sale; Stripe answering
with an error is not "unreachable"; a page made for a withdrawn sale is expired at once."""

from __future__ import annotations

import pytest

from backend.errors import ProviderBusy, TransientError
from backend.services.cards import card_checkout, stripe_sync
from backend.services.payments.payment_events import history
from backend.sync import outbox
from tests.integration.stripe.conftest import make_customer


def _start(sctx, customer_id: int) -> dict:
    return card_checkout.start_checkout(
        sctx, customer_id=customer_id, tier="student", interval="month", currency="USD", actor="a"
    )


def test_a_declined_card_keeps_the_sale_open_and_another_card_pays_it(sctx, fake):
    started = _start(sctx, make_customer(sctx, 1))
    fake.decline_session(started["session_id"], "Your card has insufficient funds.")
    stripe_sync.sync_once(sctx)  # the events pass (a webhook does the same)
    seen = card_checkout.refresh(sctx, started["id"])
    assert seen["status"] == "pending"  # Checkout lets the customer try another card
    assert seen["declined"] == (
        "Card declined: Your card has insufficient funds. The customer may try another card."
    )
    fake.complete_session(started["session_id"])  # a second card goes through
    paid = card_checkout.refresh(sctx, started["id"])
    assert (paid["status"], paid["declined"]) == ("succeeded", None)
    row = sctx.store.one("SELECT late FROM payments WHERE id=?", (started["id"],))
    assert row["late"] == 0  # paid in time, not "late"
    kinds = [e["kind"] for e in history(sctx, started["id"])]
    # "page_ready" is what tells a display the card page can be shown
    assert kinds == ["created", "page_ready", "card_declined", "succeeded"]
    declined = sctx.store.scalar(
        "SELECT count(*) FROM audit_log WHERE action='payment.card_declined' AND entity_id=?",
        (started["id"],),
    )
    assert declined == 1


def test_stripe_answering_500_after_making_the_page_leaves_no_payable_orphan(sctx, fake, clock):
    customer = make_customer(sctx, 2)
    stripe_sync.sync_once(sctx)  # catalog and customers first: the next request is the page
    card_checkout.ensure_in_stripe(sctx, customer, actor="a")
    outbox.drain(sctx)
    fake.inject(*["500_after"] * (sctx.settings.stripe.max_network_retries + 1))
    with pytest.raises(ProviderBusy) as refused:
        _start(sctx, customer)
    # said as it is: Stripe answered, with an error; not "cannot be reached"
    assert "Stripe answered with an error (500)" in refused.value.message
    assert "cannot be reached" not in refused.value.message
    state = outbox.sync_state(sctx)
    assert state["online"] is True  # the sync bar does not say offline
    [withdrawn] = sctx.store.query("SELECT id, status FROM payments WHERE method='stripe_checkout'")
    assert withdrawn["status"] == "canceled"
    sessions = fake.all("checkout.session")
    assert [s["status"] for s in sessions] == ["open"]  # Stripe did make it: an orphan...

    clock.advance(seconds=outbox.BACKOFF_MAX_SECONDS)  # its backoff is over
    stripe_sync.sync_once(sctx)  # ...until the queued request is sent again, same key
    assert len(fake.all("checkout.session")) == 1  # replayed, not a second page
    assert [s["status"] for s in fake.all("checkout.session")] == ["expired"]
    kinds = [e["kind"] for e in history(sctx, withdrawn["id"])]
    assert kinds[-2:] == ["orphan_session", "stripe_session_expired"]


def test_no_answer_at_all_is_unreachable(sctx, fake):
    customer = make_customer(sctx, 3)
    fake.stop()
    with pytest.raises(TransientError) as refused:
        _start(sctx, customer)
    assert not isinstance(refused.value, ProviderBusy)
    assert "cannot be reached" in refused.value.message
    assert outbox.sync_state(sctx)["online"] is False
