"""The credit ledger: admin adjustments, debits across buckets, idempotency keys."""

import pytest

from backend.errors import Conflict, IdempotencyConflict, NotFound, ValidationError
from backend.services.shop import customers
from backend.services.trials import credits, trials
from backend.store import audit


@pytest.fixture
def cid(ctx):
    return customers.add_customer(ctx, name="Asha", email="asha@example.com", actor="t")["id"]


def test_adjust_adds_purchased_credits_and_is_audited(ctx, cid):
    result = credits.adjust(ctx, cid, 25, " gift  card ", idempotency_key="k1", actor="staff:9")
    assert result["balance"] == {"granted": 0, "purchased": 25, "total": 25}
    assert result["entry"]["reason"] == "gift card"
    entry = audit.recent(ctx)[0]
    assert (entry["actor"], entry["action"], entry["detail"]["amount"]) == (
        "staff:9",
        "credits.adjust",
        25,
    )


def test_negative_adjust_never_goes_below_zero(ctx, cid):
    trials.start_trial(ctx, cid, actor="t")  # 10 granted: not the admin's to take back
    credits.adjust(ctx, cid, 5, "bought", idempotency_key="k1", actor="t")
    with pytest.raises(Conflict, match="has 5 purchased"):
        credits.adjust(ctx, cid, -6, "oops", idempotency_key="k2", actor="t")
    credits.adjust(ctx, cid, -5, "refund", idempotency_key="k3", actor="t")
    assert credits.balances(ctx, cid) == {"granted": 10, "purchased": 0, "total": 10}


def test_repeated_key_changes_nothing_and_other_content_conflicts(ctx, cid):
    first = credits.adjust(ctx, cid, 5, "bought", idempotency_key="k1", actor="t")
    again = credits.adjust(ctx, cid, 5, "bought", idempotency_key="k1", actor="t")
    assert again["entry"]["id"] == first["entry"]["id"]
    assert credits.balance(ctx, cid) == 5
    with pytest.raises(IdempotencyConflict):
        credits.adjust(ctx, cid, 6, "bought", idempotency_key="k1", actor="t")
    assert ctx.store.scalar("SELECT count(*) FROM audit_log WHERE action='credits.adjust'") == 1


def test_debit_takes_granted_first_then_purchased_all_or_nothing(ctx, cid):
    trials.start_trial(ctx, cid, actor="t")
    credits.adjust(ctx, cid, 5, "bought", idempotency_key="k1", actor="t")
    parts = credits.debit(ctx, cid, 12, "batch", idempotency_key="d1", actor="t")
    assert [(p["bucket"], p["amount"]) for p in parts] == [("granted", -10), ("purchased", -2)]
    assert credits.debit(ctx, cid, 12, "batch", idempotency_key="d1", actor="t") == parts
    with pytest.raises(IdempotencyConflict):
        credits.debit(ctx, cid, 11, "batch", idempotency_key="d1", actor="t")
    with pytest.raises(Conflict, match="has 3, needs 4"):
        credits.debit(ctx, cid, 4, "batch", idempotency_key="d2", actor="t")
    assert credits.balances(ctx, cid) == {"granted": 0, "purchased": 3, "total": 3}


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("", "not a whole number"),
        ("2.5", "not a whole number"),
        ("ten", "not a whole number"),
        ("0", "changes nothing"),
        ("99999999", "At most"),
        ("٣", "not a whole number"),
    ],
)
def test_bad_amounts_are_refused(typed, words):
    with pytest.raises(ValidationError, match=words):
        credits.parse_credit_amount(typed)


def test_amounts_people_type(ctx):
    assert credits.parse_credit_amount(" +1,000 ") == 1000
    assert credits.parse_credit_amount("-5") == -5


def test_unknown_customer_and_missing_reason(ctx, cid):
    with pytest.raises(NotFound):
        credits.adjust(ctx, 999, 5, "x", idempotency_key="k", actor="t")
    with pytest.raises(ValidationError, match="reason"):
        credits.adjust(ctx, cid, 5, "  ", idempotency_key="k", actor="t")
    assert ctx.store.scalar("SELECT count(*) FROM credit_ledger") == 0
