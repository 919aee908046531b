"""Free trials: one per person however they write their email or phone; credits once."""

import pytest

from backend.errors import DuplicateError, NotConfigured, NotFound, StateError
from backend.services.shop import customers
from backend.services.trials import credits, trials
from backend.store import audit
from tests.integration.ledger_checks import subscribe


def _customer(ctx, email=None, phone=None, name="Asha Rao"):
    return customers.add_customer(ctx, name=name, email=email, phone=phone, actor="test")["id"]


def test_start_grants_credits_once_and_records_identities(ctx):
    cid = _customer(ctx, email="Asha.Rao+shop@gmail.com", phone="98765 43210")
    started = trials.start_trial(ctx, cid, actor="staff:1")
    assert started["customer"] == cid
    assert started["credits"] == 10
    assert started["status"] == "active"
    assert (started["started_at"], started["ends_at"]) == (
        "2026-11-26T10:00:00Z",
        "2026-12-26T10:00:00Z",
    )
    ledger = credits.entries(ctx, cid)
    assert [(e["kind"], e["bucket"], e["amount"], e["idempotency_key"]) for e in ledger] == [
        ("grant", "granted", 10, f"trial-grant:{cid}")
    ]
    keys = {r["identity"] for r in ctx.store.query("SELECT identity FROM trial_identities")}
    assert keys == {"email:asharao@gmail.com", "phone:+919876543210"}
    assert audit.recent(ctx)[0]["action"] == "trial.start"
    with pytest.raises(DuplicateError, match="already had a free trial"):
        trials.start_trial(ctx, cid, actor="staff:1")
    assert credits.balance(ctx, cid) == 10


@pytest.mark.parametrize(
    ("email", "phone"),
    [
        ("asharao@gmail.com", None),
        ("ASHA.R.A.O@googlemail.com", None),
        ("asha.rao+again@gmail.com", None),
        (None, "+91 98765-43210"),
        (None, "098765 43210"),
        ("someone.else@example.com", "919876543210"),
    ],
)
def test_second_trial_under_any_identity_is_refused(ctx, email, phone):
    first = _customer(ctx, email="Asha.Rao@gmail.com", phone="9876543210")
    trials.start_trial(ctx, first, actor="t")
    # a new customer record needs its own contact details, so the first one moves away
    customers.update_customer(
        ctx, first, email="asha.old@example.com", phone="+14155552671", actor="t"
    )
    second = _customer(ctx, email=email, phone=phone, name="Asha R")
    before = ctx.store.query("SELECT * FROM credit_ledger")
    with pytest.raises(DuplicateError, match="one trial per person"):
        trials.start_trial(ctx, second, actor="t")
    assert ctx.store.query("SELECT * FROM credit_ledger") == before
    assert trials.trial_status(ctx, second) is None


def test_refused_when_switched_off_or_on_a_paid_plan(ctx):
    cid = _customer(ctx, email="a@example.com")
    ctx.settings.features.free_trial = False
    with pytest.raises(NotConfigured, match="switched off"):
        trials.start_trial(ctx, cid, actor="t")
    ctx.settings.features.free_trial = True
    subscribe(ctx, cid, "student")
    with pytest.raises(StateError, match="paid plan"):
        trials.start_trial(ctx, cid, actor="t")
    with pytest.raises(NotFound):
        trials.start_trial(ctx, 999, actor="t")
    assert ctx.store.scalar("SELECT count(*) FROM trials") == 0


def test_status_counts_days_from_the_clock(ctx, clock):
    cid = _customer(ctx, email="a@example.com")
    trials.start_trial(ctx, cid, actor="t")
    assert trials.trial_status(ctx, cid)["days_left"] == 30
    clock.advance(days=29, hours=1)
    status = trials.trial_status(ctx, cid)
    assert (status["status"], status["days_left"], status["credits_left"]) == ("active", 1, 10)
    clock.advance(hours=23)
    status = trials.trial_status(ctx, cid)
    assert (status["status"], status["days_left"]) == ("expired", 0)


def test_expiry_writes_an_expire_entry_for_unused_credits(ctx, clock):
    a = _customer(ctx, email="a@example.com")
    b = _customer(ctx, email="b@example.com", name="Bina")
    trials.start_trial(ctx, a, actor="t")
    clock.advance(days=10)
    trials.start_trial(ctx, b, actor="t")
    credits.debit(ctx, a, 3, "workflows", idempotency_key="d1", actor="t")
    credits.adjust(ctx, a, 5, "bought", idempotency_key="adj1", actor="t")
    clock.advance(days=20)  # a is due, b is not
    assert trials.expire_due_trials(ctx) == 1
    assert trials.expire_due_trials(ctx) == 0
    expired = credits.entries(ctx, a, kind="expire")
    assert [(e["amount"], e["bucket"], e["idempotency_key"]) for e in expired] == [
        (-7, "granted", f"trial-expire:{a}")
    ]
    assert credits.balances(ctx, a) == {"granted": 0, "purchased": 5, "total": 5}
    assert trials.trial_status(ctx, a)["status"] == "expired"
    assert trials.trial_status(ctx, b)["status"] == "active"
    clock.advance(days=10)
    assert trials.expire_due_trials(ctx) == 1
    assert credits.balances(ctx, b)["granted"] == 0


def test_mark_converted_closes_the_trial_inside_the_payment_transaction(ctx, clock):
    cid = _customer(ctx, email="a@example.com")
    trials.start_trial(ctx, cid, actor="t")
    with ctx.store.transaction():
        subscribe(ctx, cid, "employee")
        assert trials.mark_converted(ctx, cid)
    assert trials.trial_status(ctx, cid)["status"] == "converted"
    assert not trials.mark_converted(ctx, cid)
    clock.advance(days=40)
    assert trials.expire_due_trials(ctx) == 0
    assert credits.entries(ctx, cid, kind="expire") == []
