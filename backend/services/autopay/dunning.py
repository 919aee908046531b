"""A UPI AutoPay renewal that could not be collected: dunning.

Each failed renewal opens one **notice** (unique per provider and invoice, so Stripe's
retries and the two delivery paths open it once), in the transaction that records the
failed payment. The notice is what staff see among the payments needing attention, and
it is emailed to the customer once when mail is set up. The plan keeps working through
the grace period (:data:`backend.domain.autopay.GRACE`, from the failed renewal); after
that it lapses (:mod:`backend.services.trials.usage`) until one of these settles it:

- the customer pays the overdue period once by a **UPI QR** (the ordinary UPI request,
  purpose ``renewal``, for the invoice's amount, valid until the grace period ends; the
  email carries it). Paid, it puts the plan back to active at once and tells Stripe the
  invoice was paid out of band;
- the customer approves a **new mandate** (a new AutoPay sale; when it completes, the
  lapsed subscription is cancelled and its overdue invoice voided);
- the provider **collects** it after all (a retry succeeded);
- the plan is **cancelled**.

Paid twice: when the customer paid the overdue period by UPI QR *and* Stripe's own retry
collected the invoice, Stripe's charge is recorded as its own payment
(:mod:`backend.services.billing.card_invoices`) and listed among the payments needing
attention ("paid twice", action ``refund``) until it is refunded in full through the one
refund path (:mod:`backend.services.cards.card_refunds`).

The email is sent at most once, like trial reminders: the notice is claimed
(``pending`` → ``sending``, one winner), the message sent, then recorded ``sent``. A crash
in between leaves ``sending``, which turns ``unknown`` after 15 minutes and is never sent
again by itself (staff see it). The Message-ID is derived from the notice.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from backend.clock import parse_iso, to_iso
from backend.context import Context
from backend.domain import autopay
from backend.domain.money import Money, format_money
from backend.errors import (
    CheckoutError,
    ConfigError,
    Conflict,
    NotFound,
    StateError,
    TransientError,
)
from backend.store import audit

STALE_CLAIM = timedelta(minutes=15)
MAX_ATTEMPTS = 5
REASON_MANDATE = "the UPI AutoPay mandate was revoked or paused in the customer's UPI app"
REASON_DECLINED = "the bank did not allow the AutoPay debit"
#: the notice's status → what staff read
RESOLUTIONS = {
    "open": "needs attention",
    "paid": "paid by UPI QR",
    "collected": "collected by AutoPay after all",
    "new_mandate": "new mandate approved",
    "canceled": "plan cancelled",
}


def open_notice(ctx: Context, subscription_id: int) -> dict[str, Any] | None:
    """The subscription's newest unsettled notice, if any."""
    return ctx.store.one(
        "SELECT * FROM dunning_notices WHERE subscription_id=? AND status='open' "
        "ORDER BY id DESC LIMIT 1",
        (subscription_id,),
    )


def get_notice(ctx: Context, notice_id: int) -> dict[str, Any]:
    row = ctx.store.one("SELECT * FROM dunning_notices WHERE id=?", (notice_id,))
    if row is None:
        raise NotFound(f"There is no overdue AutoPay renewal number {notice_id}.")
    return row


def _open(ctx: Context, notice_id: int) -> dict[str, Any]:
    row = get_notice(ctx, notice_id)
    if row["status"] != "open":
        raise StateError(
            f"This overdue renewal was already settled ({RESOLUTIONS[row['status']]})."
        )
    return row


# -- opening and closing (inside the caller's transaction) --------------------------------
def renewal_failed(
    ctx: Context,
    sub: dict[str, Any],
    *,
    provider: str,
    invoice_ref: str,
    amount: int,
    currency: str,
    failed_payment_id: str | None,
    failed_at: str,
    hosted_url: str | None,
    actor: str,
) -> int | None:
    """Open the notice for a failed renewal (once per invoice); its number when new."""
    since = min(filter(None, (sub.get("past_due_since"), failed_at)))
    grace_until = to_iso(autopay.grace_until(parse_iso(since)))
    customer = ctx.store.one("SELECT email FROM customers WHERE id=?", (sub["customer_id"],))
    # to send whenever mail is set up where the sync runs (the process that records the
    # failure may be a worker without mail settings); no address, nothing to send
    email = (customer or {}).get("email")
    fresh = ctx.store.one("SELECT mandate_status FROM subscriptions WHERE id=?", (sub["id"],))
    mandate_status = (fresh or sub).get("mandate_status")
    reason = REASON_MANDATE if mandate_status in ("inactive", "paused") else REASON_DECLINED
    inserted = ctx.store.fetchone(
        "INSERT INTO dunning_notices (subscription_id, customer_id, provider, "
        "invoice_ref, failed_payment_id, amount, currency, reason, hosted_url, created_at, "
        "grace_until, status, email_status, email_to) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?) "
        "ON CONFLICT DO NOTHING RETURNING id",
        (
            sub["id"],
            sub["customer_id"],
            provider,
            invoice_ref,
            failed_payment_id,
            amount,
            currency,
            reason,
            hosted_url,
            ctx.now_iso(),
            grace_until,
            "pending" if email else "skipped",
            email,
        ),
    )
    ctx.store.execute(
        "UPDATE subscriptions SET past_due_since=? WHERE id=? AND "
        "(past_due_since IS NULL OR past_due_since > ?)",
        (since, sub["id"], since),
    )
    if inserted is None:  # this failure already has its notice
        return None
    notice_id = int(inserted[0])
    audit.record(
        ctx,
        actor,
        "autopay.renewal_failed",
        "subscription",
        sub["id"],
        notice_id=notice_id,
        invoice=invoice_ref,
        amount=amount,
        reason=reason,
        grace_until=grace_until,
    )
    return notice_id


def _resolve(
    ctx: Context,
    notice_id: int,
    status: str,
    *,
    actor: str,
    payment_id: str | None = None,
) -> None:
    ctx.store.execute(
        "UPDATE dunning_notices SET status=?, resolved_at=?, resolved_by=?, "
        "resolution_payment_id=?, email_status=CASE WHEN email_status='pending' "
        "THEN 'skipped' ELSE email_status END WHERE id=? AND status='open'",
        (status, ctx.now_iso(), actor, payment_id, notice_id),
    )
    audit.record(
        ctx, actor, f"autopay.overdue_{status}", "dunning_notice", notice_id, payment_id=payment_id
    )


def collected(
    ctx: Context, provider: str, invoice_ref: str, payment_id: str, *, actor: str
) -> None:
    """The provider collected an invoice that had failed before (a retry succeeded)."""
    row = ctx.store.one(
        "SELECT id, subscription_id FROM dunning_notices WHERE provider=? AND invoice_ref=? "
        "AND status='open'",
        (provider, invoice_ref),
    )
    if row is not None:
        _resolve(ctx, row["id"], "collected", actor=actor, payment_id=payment_id)
        _back_to_active(ctx, row["subscription_id"])


def charged_twice(
    ctx: Context, invoice_ref: str, upi_payment_id: str, stripe_payment_id: str, *, actor: str
) -> None:
    """Stripe collected an overdue invoice the customer had already paid at the till by
    UPI QR; its charge is recorded as ``stripe_payment_id`` (inside that transaction). The
    notice stays settled by the UPI payment; staff see "paid twice" until Stripe's charge is
    refunded, and a refused "paid out of band" for it is closed, not left failed."""
    notice = ctx.store.one(
        "SELECT id, subscription_id, out_of_band FROM dunning_notices WHERE provider='stripe' "
        "AND invoice_ref=?",
        (invoice_ref,),
    )
    if notice is None:
        return
    audit.record(
        ctx,
        actor,
        "autopay.paid_twice",
        "dunning_notice",
        notice["id"],
        upi_payment_id=upi_payment_id,
        stripe_payment_id=stripe_payment_id,
        invoice=invoice_ref,
    )
    if notice["out_of_band"] == "refused":
        from backend.services.autopay import stripe_autopay

        stripe_autopay.close_refused(ctx, notice, stripe_payment_id)


def stripe_charge(ctx: Context, invoice_ref: str) -> dict[str, Any] | None:
    """Stripe's own charge for an overdue invoice paid at the till as well, once recorded
    (:func:`charged_twice`)."""
    return ctx.store.one(
        "SELECT * FROM payments WHERE stripe_invoice_id=? AND method=? AND status <> 'failed'",
        (invoice_ref, autopay.METHOD),
    )


def subscription_canceled(ctx: Context, subscription_id: int, *, actor: str) -> None:
    """The plan ended: nothing is overdue on it any more."""
    for row in ctx.store.query(
        "SELECT id FROM dunning_notices WHERE subscription_id=? AND status='open'",
        (subscription_id,),
    ):
        _resolve(ctx, row["id"], "canceled", actor=actor)


def replaced_by_new_mandate(
    ctx: Context, old_sub_id: int, notice_id: int | None, payment_id: str, *, actor: str
) -> None:
    """A new mandate's sale completed: the lapsed plan ends, its overdue invoice is
    dropped at the provider, and its notice is settled (inside the sale's transaction)."""
    old = ctx.store.one("SELECT * FROM subscriptions WHERE id=?", (old_sub_id,))
    if old is None:
        return
    notices = ctx.store.query(
        "SELECT * FROM dunning_notices WHERE subscription_id=? AND status='open'", (old_sub_id,)
    )
    for notice in notices:
        _resolve(ctx, notice["id"], "new_mandate", actor=actor, payment_id=payment_id)
    if old["status"] == "canceled":
        return
    if old["autopay_provider"] == "stripe":
        from backend.services.autopay import stripe_autopay

        for notice in notices:
            stripe_autopay.void_invoice(ctx, old_sub_id, notice["invoice_ref"], actor=actor)
        stripe_autopay.cancel_now(ctx, old_sub_id, actor=actor)
    else:  # Razorpay: cancelled after this transaction (a plain API call, no outbox)
        ctx.store.execute(
            "UPDATE subscriptions SET mandate_status='revoking' WHERE id=?", (old_sub_id,)
        )
    audit.record(
        ctx,
        actor,
        "autopay.replaced",
        "subscription",
        old_sub_id,
        by_payment=payment_id,
        notice_id=notice_id,
    )


def _back_to_active(ctx: Context, subscription_id: int) -> None:
    ctx.store.execute(
        "UPDATE subscriptions SET status='active', past_due_since=NULL, updated_at=? "
        "WHERE id=? AND status='past_due'",
        (ctx.now_iso(), subscription_id),
    )


# -- paying the overdue period by UPI QR -------------------------------------------------
def pay_overdue(
    ctx: Context, notice_id: int, *, actor: str, terminal: str | None = None
) -> dict[str, Any]:
    """A one-time UPI QR for the overdue period (the notice's amount), valid until the
    grace period ends; the same one while it can still be paid."""
    from backend.services.upi import upi_requests

    notice = _open(ctx, notice_id)
    if notice["qr_payment_id"]:
        current = upi_requests.get_payment(ctx, notice["qr_payment_id"])
        if current["status"] == "pending":
            return current
    sub = ctx.store.one("SELECT * FROM subscriptions WHERE id=?", (notice["subscription_id"],))
    if sub is None:
        raise NotFound("The plan of this overdue renewal is gone.")
    now = ctx.clock.now()
    grace_end = parse_iso(notice["grace_until"])
    expires = max(grace_end, now + timedelta(minutes=ctx.settings.upi.expiry_minutes))
    payment = upi_requests.create_request(
        ctx,
        customer_id=sub["customer_id"],
        tier=sub["tier"],
        interval=sub["interval"],
        purpose="renewal",
        actor=actor,
        terminal=terminal,
        amount=Money(notice["amount"], notice["currency"]),
        expires_at=expires,
        extra_evidence={"dunning_notice": notice_id, "overdue_invoice": notice["invoice_ref"]},
    )
    with ctx.store.transaction():
        ctx.store.execute(
            "UPDATE dunning_notices SET qr_payment_id=? WHERE id=? AND status='open'",
            (payment["id"], notice_id),
        )
        audit.record(
            ctx, actor, "autopay.overdue_qr", "dunning_notice", notice_id, payment_id=payment["id"]
        )
    return payment


def overdue_for(ctx: Context, sub: dict[str, Any]) -> dict[str, Any] | None:
    """What a UPI payment for this AutoPay plan would settle (its open notice)."""
    return open_notice(ctx, int(sub["id"]))


def settle_with_upi(
    ctx: Context, sub: dict[str, Any], payment: dict[str, Any], paid_at: datetime, *, actor: str
) -> int:
    """A UPI payment for an AutoPay plan's overdue period arrived (inside the payment's
    transaction): the notice is settled, the plan is active again at once, and Stripe is
    told the invoice was paid out of band. The subscription's id."""
    evidence = json.loads(payment.get("evidence") or "{}")
    notice = None
    if evidence.get("dunning_notice"):
        notice = ctx.store.one(
            "SELECT * FROM dunning_notices WHERE id=? AND status='open'",
            (int(evidence["dunning_notice"]),),
        )
    notice = notice or open_notice(ctx, int(sub["id"]))
    if notice is None:
        raise Conflict(
            "Nothing is overdue on this AutoPay plan any more (settled meanwhile); this "
            "payment needs a refund."
        )
    _resolve(ctx, notice["id"], "paid", actor=actor, payment_id=payment["id"])
    ctx.store.execute(
        "UPDATE subscriptions SET status='active', past_due_since=NULL, updated_at=? WHERE id=?",
        (ctx.now_iso(), sub["id"]),
    )
    if notice["provider"] == "stripe":
        from backend.services.autopay import stripe_autopay

        # the invoice's money is this payment's: card_invoices will not record the
        # invoice again when Stripe reports it paid
        ctx.store.execute(
            "UPDATE payments SET stripe_invoice_id=? WHERE id=?",
            (notice["invoice_ref"], payment["id"]),
        )
        ctx.store.execute(
            "UPDATE dunning_notices SET out_of_band='queued' WHERE id=?", (notice["id"],)
        )
        stripe_autopay.pay_out_of_band(ctx, notice, actor=actor)
    audit.record(
        ctx,
        actor,
        "subscription.overdue_paid",
        "subscription",
        sub["id"],
        payment_id=payment["id"],
        notice_id=notice["id"],
        paid_at=to_iso(paid_at),
    )
    return int(sub["id"])


# -- what staff see ----------------------------------------------------------------------
def _row(
    ctx: Context,
    kind: str,
    row: dict[str, Any],
    *,
    notice_id: int | None,
    subscription_id: int,
    provider: str | None,
    money: Money,
) -> dict[str, Any]:
    """What every row of the list says: its kind, whose plan and which, how much."""
    return {
        "kind": kind,
        "notice_id": notice_id,
        "subscription_id": subscription_id,
        "customer_id": row["customer_id"],
        "customer_name": row["customer_name"],
        "email": row["email"],
        "phone": row["phone"],
        "tier": row["tier"],
        "tier_name": ctx.catalog.name_of(row["tier"]),
        "interval": row["interval"],
        "amount": money.amount,
        "currency": money.currency,
        "amount_text": format_money(money),
        "provider": provider,
    }


def needing_attention(ctx: Context) -> list[dict[str, Any]]:
    """AutoPay plans that need a person: renewals that failed (open notices) and live
    plans whose mandate was revoked or paused (their next renewal will fail)."""
    now = ctx.clock.now()
    rows = ctx.store.query(
        "SELECT n.*, s.tier, s.interval, s.status AS subscription_status, s.mandate_status, "
        "s.autopay_provider, s.past_due_since, c.name AS customer_name, c.email, c.phone "
        "FROM dunning_notices n JOIN subscriptions s ON s.id = n.subscription_id "
        "JOIN customers c ON c.id = n.customer_id WHERE n.status='open' ORDER BY n.id"
    )
    items: list[dict[str, Any]] = []
    for row in rows:
        grace_until = parse_iso(row["grace_until"])
        items.append(
            {
                **_row(
                    ctx,
                    "renewal_failed",
                    row,
                    notice_id=row["id"],
                    subscription_id=row["subscription_id"],
                    provider=row["provider"],
                    money=Money(row["amount"], row["currency"]),
                ),
                "reason": row["reason"],
                "failed_payment_id": row["failed_payment_id"],
                "failed_at": row["created_at"],
                "grace_until": row["grace_until"],
                "lapsed": now >= grace_until,
                "subscription_status": row["subscription_status"],
                "mandate_status": row["mandate_status"],
                "email_status": row["email_status"],
                "qr_payment_id": row["qr_payment_id"],
                "out_of_band": row["out_of_band"],
                "actions": ["pay_qr", "new_mandate", "cancel"],
            }
        )
    for row in ctx.store.query(
        "SELECT s.*, c.name AS customer_name, c.email, c.phone FROM subscriptions s "
        "JOIN customers c ON c.id = s.customer_id WHERE s.method=? "
        "AND s.status IN ('active', 'trialing') AND s.mandate_status IN ('inactive', 'paused') "
        "AND NOT EXISTS (SELECT 1 FROM dunning_notices n WHERE n.subscription_id = s.id "
        "AND n.status='open') ORDER BY s.id",
        (autopay.METHOD,),
    ):
        items.append(
            {
                **_row(
                    ctx,
                    "mandate_inactive",
                    row,
                    notice_id=None,
                    subscription_id=row["id"],
                    provider=row["autopay_provider"],
                    money=Money(row["amount"], row["currency"]),
                ),
                "reason": REASON_MANDATE + "; the next renewal will fail",
                "renews_at": row["current_period_end"],
                "subscription_status": row["status"],
                "mandate_status": row["mandate_status"],
                "actions": ["new_mandate", "cancel"],
            }
        )
    items.extend(_paid_twice(ctx))
    items.extend(_not_marked_paid(ctx))
    return items


def _paid_twice(ctx: Context) -> list[dict[str, Any]]:
    """Overdue renewals paid at the till by UPI QR and collected by Stripe's retry too:
    Stripe's charge (recorded as its own payment) is to be refunded. Listed until it is
    refunded in full (the payment's status is then ``refunded``)."""
    items = []
    for row in ctx.store.query(
        "SELECT n.*, c.name AS customer_name, c.email, c.phone, p.id AS charge_id, "
        "p.amount AS charge_amount, p.currency AS charge_currency, p.refunded_amount, "
        "p.receipt_no AS charge_receipt_no, s.tier, s.interval FROM dunning_notices n "
        "JOIN customers c ON c.id = n.customer_id "
        "JOIN subscriptions s ON s.id = n.subscription_id "
        "JOIN payments p ON p.stripe_invoice_id = n.invoice_ref AND p.method=? "
        "AND p.status IN ('succeeded', 'late') AND p.id <> n.resolution_payment_id "
        "WHERE n.provider='stripe' AND n.status='paid' ORDER BY n.id",
        (autopay.METHOD,),
    ):
        charge = Money(row["charge_amount"], row["charge_currency"])
        reason = (
            "by UPI QR at the till and by Stripe's retry of the AutoPay debit. "
            "Refund the Stripe charge."
        )
        if row["refunded_amount"]:
            refunded = format_money(Money(row["refunded_amount"], row["charge_currency"]))
            reason += f" {refunded} of it refunded so far."
        items.append(
            {
                **_row(
                    ctx,
                    "paid_twice",
                    row,
                    notice_id=row["id"],
                    subscription_id=row["subscription_id"],
                    provider=row["provider"],
                    money=charge,
                ),
                "reason": reason,
                "payment_id": row["charge_id"],
                "receipt_no": row["charge_receipt_no"],
                "refunded_amount": row["refunded_amount"],
                "upi_payment_id": row["resolution_payment_id"],
                "out_of_band": row["out_of_band"],
                "actions": ["refund"],
            }
        )
    return items


def _not_marked_paid(ctx: Context) -> list[dict[str, Any]]:
    """Overdue renewals paid at the till whose "paid out of band" Stripe refused, with no
    charge of Stripe's recorded for the invoice (yet: if Stripe collected it, its charge
    comes with the next sync and the row becomes "paid twice")."""
    items = []
    for row in ctx.store.query(
        "SELECT n.*, c.name AS customer_name, c.email, c.phone, s.tier, s.interval "
        "FROM dunning_notices n JOIN customers c ON c.id = n.customer_id "
        "JOIN subscriptions s ON s.id = n.subscription_id WHERE n.out_of_band='refused' "
        "AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.stripe_invoice_id = n.invoice_ref "
        "AND p.method=? AND p.status <> 'failed') ORDER BY n.id",
        (autopay.METHOD,),
    ):
        items.append(
            {
                **_row(
                    ctx,
                    "not_marked_paid",
                    row,
                    notice_id=row["id"],
                    subscription_id=row["subscription_id"],
                    provider=row["provider"],
                    money=Money(row["amount"], row["currency"]),
                ),
                "reason": "paid by UPI QR at the till, but Stripe would not mark its invoice "
                f"paid ({row['out_of_band_error']}). If Stripe collected it too, its charge "
                "shows here after the next sync, to refund.",
                "payment_id": row["resolution_payment_id"],
                "out_of_band": row["out_of_band"],
                "actions": [],
            }
        )
    return items


# -- the email ---------------------------------------------------------------------------
def _claim(ctx: Context, notice_id: int) -> bool:
    with ctx.store.transaction():
        return (
            ctx.store.execute(
                "UPDATE dunning_notices SET email_status='sending', email_claimed_at=?, "
                "email_attempts=email_attempts+1 WHERE id=? AND email_status='pending' "
                "AND status='open'",
                (ctx.now_iso(), notice_id),
            ).rowcount
            == 1
        )


def _expire_stale_claims(ctx: Context, actor: str) -> int:
    cutoff = to_iso(ctx.clock.now() - STALE_CLAIM)
    if not ctx.store.scalar(  # the usual case, on every sync pass: no write at all
        "SELECT 1 FROM dunning_notices WHERE email_status='sending' AND email_claimed_at<?",
        (cutoff,),
    ):
        return 0
    with ctx.store.transaction():
        stale = ctx.store.query(
            "SELECT id FROM dunning_notices WHERE email_status='sending' AND email_claimed_at<?",
            (cutoff,),
        )
        for row in stale:
            ctx.store.execute(
                "UPDATE dunning_notices SET email_status='unknown', email_error=? WHERE id=?",
                ("Interrupted while sending: the email may or may not have gone out.", row["id"]),
            )
            audit.record(ctx, actor, "autopay.dunning_email_unknown", "dunning_notice", row["id"])
    return len(stale)


def message(ctx: Context, notice: dict[str, Any], qr: dict[str, Any] | None) -> tuple[str, str]:
    """Subject and body of the email for a failed renewal."""
    shop = ctx.settings.shop.name
    sub = ctx.store.one("SELECT * FROM subscriptions WHERE id=?", (notice["subscription_id"],))
    customer = ctx.store.one("SELECT name FROM customers WHERE id=?", (notice["customer_id"],))
    plan = ctx.catalog.name_of(sub["tier"]) if sub else "AUTOOS"
    interval = f"{sub['interval']}ly" if sub else ""
    amount = format_money(Money(notice["amount"], notice["currency"]))
    until = parse_iso(notice["grace_until"]).strftime("%d %B %Y")
    failed = parse_iso(notice["created_at"]).strftime("%d %B %Y")
    ways = []
    if qr is not None:
        ways.append(
            f"  - pay the overdue {amount} once: scan the attached UPI QR with any UPI app "
            f"(or open {qr['uri']}); reference {qr['tr']}, valid until {until};"
        )
    else:
        ways.append(f"  - pay the overdue {amount} once by UPI at our counter;")
    ways.append(
        "  - or set up a new UPI AutoPay mandate: visit us, or reply to this email and we "
        "will send you a new link."
    )
    subject = f"Your {shop} {plan} plan renewal could not be collected"
    body = (
        f"Dear {(customer or {}).get('name') or 'customer'},\n\n"
        f"We could not collect the {amount} renewal of your {shop} {plan} plan ({interval}) "
        f"by UPI AutoPay on {failed}: {notice['reason']}.\n\n"
        f"Your plan keeps working until {until}. To keep it after that, either:\n"
        + "\n".join(ways)
        + f"\n\n{shop}\n"
    )
    return subject, body


def send_pending(ctx: Context, *, actor: str) -> dict[str, Any]:
    """Email each failed renewal's customer once (mail set up, an address on record),
    with a UPI QR for the overdue period. Safe to run often and from two processes."""
    mailer = ctx.adapters.get("mail")
    result: dict[str, Any] = {"enabled": mailer is not None, "emailed": 0, "failed": 0, "retry": 0}
    result["unknown"] = _expire_stale_claims(ctx, actor)
    if mailer is None:
        return result
    pending = ctx.store.query(
        "SELECT * FROM dunning_notices WHERE email_status='pending' AND status='open' ORDER BY id"
    )
    for row in pending:
        if not _claim(ctx, row["id"]):
            continue  # another run took it
        qr = _qr_for_email(ctx, row, actor)
        subject, body = message(ctx, row, qr)
        attachments = []
        if qr is not None:
            from backend.adapters.mail import Attachment
            from backend.adapters.upi.qr import render_png

            attachments.append(
                Attachment(f"upi-{qr['tr']}.png", render_png(qr["uri"], 512), "image/png")
            )
        try:
            mailer.send(
                to=row["email_to"],
                subject=subject,
                body=body,
                attachments=attachments,
                message_id=f"<autopay-dunning-{row['id']}@autoos-checkout>",
                date=ctx.clock.now(),
            )
        except ConfigError:
            with ctx.store.transaction():  # the shop's mail settings: give the claim back
                ctx.store.execute(
                    "UPDATE dunning_notices SET email_status='pending', email_claimed_at=NULL, "
                    "email_attempts=email_attempts-1 WHERE id=? AND email_status='sending'",
                    (row["id"],),
                )
            raise
        except CheckoutError as exc:
            retry = isinstance(exc, TransientError) and row["email_attempts"] + 1 < MAX_ATTEMPTS
            with ctx.store.transaction():
                ctx.store.execute(
                    "UPDATE dunning_notices SET email_status=?, email_error=? WHERE id=?",
                    ("pending" if retry else "failed", str(exc), row["id"]),
                )
                audit.record(
                    ctx, actor, "autopay.dunning_email_failed", "dunning_notice", row["id"],
                    error=str(exc), retry=retry,
                )  # fmt: skip
            result["retry" if retry else "failed"] += 1
            continue
        with ctx.store.transaction():
            ctx.store.execute(
                "UPDATE dunning_notices SET email_status='sent', email_sent_at=?, "
                "email_error=NULL WHERE id=?",
                (ctx.now_iso(), row["id"]),
            )
            audit.record(
                ctx, actor, "autopay.dunning_email", "dunning_notice", row["id"], to=row["email_to"]
            )
        result["emailed"] += 1
    return result


def _qr_for_email(ctx: Context, notice: dict[str, Any], actor: str) -> dict[str, Any] | None:
    """The overdue period's UPI QR for the email; None when UPI cannot make one here (the
    email then says to pay at the counter)."""
    try:
        return pay_overdue(ctx, notice["id"], actor=actor)
    except CheckoutError:
        return None
