"""One Stripe answer that cannot be recorded locally must not block the rest of the queue."""

from __future__ import annotations

from backend.sync import outbox
from tests.integration.stripe.conftest import make_customer

BROKEN = "test.broken_answer"


def _build(ctx, payload):
    return {"op": "customers.create", "args": [], "params": {"name": payload["name"]}}


def _apply(ctx, payload, result):
    ctx.store.execute(
        "UPDATE customers SET stripe_customer_id=? WHERE id=?",
        (result["id"], payload["customer_id"]),
    )
    result["shipping"]["address"]  # an answer without the field this code expects


def test_a_malformed_answer_fails_its_row_and_the_batch_goes_on(sctx, fake):
    outbox.operation(BROKEN, outbox.Operation(_build, _apply))
    try:
        first = make_customer(sctx, 1)
        second = make_customer(sctx, 2)
        with sctx.store.transaction():
            bad = outbox.enqueue(
                sctx, BROKEN, "customer", first, {"customer_id": first, "name": "X"}, actor="t"
            )
            good = outbox.enqueue(
                sctx, "customer.create", "customer", second, {"customer_id": second}, actor="t"
            )
        counts = outbox.drain(sctx)  # before the fix: the exception escaped here
        assert (counts["sent"], counts["failed"], counts["waiting"]) == (1, 1, 0)
        rows = {
            r["id"]: r for r in sctx.store.query("SELECT id, status, last_error FROM stripe_outbox")
        }
        assert rows[good]["status"] == "done"
        assert rows[bad]["status"] == "failed"
        assert "could not be recorded here" in rows[bad]["last_error"]
        assert "KeyError" in rows[bad]["last_error"]
        # the broken row's half-applied change was undone; the good one stands
        assert (
            sctx.store.scalar("SELECT stripe_customer_id FROM customers WHERE id=?", (first,))
            is None
        )
        assert sctx.store.scalar("SELECT stripe_customer_id FROM customers WHERE id=?", (second,))
        [failed] = outbox.failed_rows(sctx)
        assert failed["id"] == bad
        assert (
            sctx.store.scalar(
                "SELECT count(*) FROM audit_log WHERE action='stripe.unappliable' AND entity_id=?",
                (str(first),),
            )
            == 1
        )
    finally:
        outbox.OPERATIONS.pop(BROKEN, None)
