"""UPI QR payment requests for plan purchases: create, read, confirm, cancel, poll.

The GUI and the REST API call exactly these functions. A request is one ``payments``
row (method ``upi_qr``); its status follows the clock — a pending request read after
``expires_at`` is stored as ``expired`` then, with no timer. Money that arrives for an
expired or cancelled request is never dropped: it is recorded as ``late`` and shown to
staff, who accept it (the plan is then activated) or refund it. Money the PSP reports
for a different amount than asked is held the same way, with a ``needs_review`` entry.

Three ways confirm a payment, all through :func:`_record_money` so every path writes the
same evidence, payment event and audit entry: staff typing the payer's UTR, a bank
statement line (:mod:`backend.services.upi.statements`), or the PSP (status poll / webhook).
"""

from __future__ import annotations

import json
import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from backend.adapters.psp.base import PaymentProvider, PspPayment
from backend.adapters.upi.uri import build_uri, merchant_from_settings
from backend.clock import parse_iso, to_iso
from backend.context import Context
from backend.domain.money import Money, format_money
from backend.domain.payment_machine import Event
from backend.errors import (
    ConstraintViolation,
    DuplicateError,
    ExternalError,
    NotConfigured,
    NotFound,
    StateError,
    TransientError,
    ValidationError,
)
from backend.services.billing import upi_subscriptions
from backend.services.billing.numbering import next_number
from backend.services.payments import payment_events

METHOD = "upi_qr"
UTR_RE = re.compile(r"^[0-9]{12}$")
PURPOSES = ("new", "renewal", "upgrade")
#: a PSP QR stays open at least this long (Razorpay refuses an earlier close_by)
PSP_MIN_OPEN = timedelta(minutes=16)
PAID_STATUSES = ("succeeded", "late")


def _new_ids() -> tuple[str, str]:
    """(payment id, bill reference ``tr``): random, so two tills never collide."""
    token = secrets.token_hex(8).upper()
    return f"upi_{token.lower()}", f"AC{token}"


def _psp(ctx: Context) -> PaymentProvider | None:
    return ctx.adapters.get("psp")


def _row(ctx: Context, payment_id: str) -> dict[str, Any]:
    row = ctx.store.one("SELECT * FROM payments WHERE id=? AND method=?", (payment_id, METHOD))
    if row is None:
        raise NotFound(f"There is no UPI payment {payment_id}.")
    return row


def _public(ctx: Context, row: dict[str, Any]) -> dict[str, Any]:
    money = Money(row["amount"], row["currency"])
    evidence = json.loads(row["evidence"] or "{}")
    tier_name = ctx.catalog.name_of(row["tier"]) if row["tier"] else None
    return {
        "id": row["id"],
        "method": row["method"],
        "customer_id": row["customer_id"],
        "uri": row["upi_uri"],
        "amount": money.amount,
        "currency": money.currency,
        "amount_text": format_money(money),
        "tr": row["upi_tr"],
        "status": row["status"],
        "expires_at": row["expires_at"],
        "payee_name": evidence.get("payee_name"),
        "vpa": evidence.get("vpa"),
        "tier": row["tier"],
        "tier_name": tier_name,
        "interval": row["interval"],
        "purpose": row["purpose"],
        "checkout_id": row["checkout_id"],
        "psp": row["psp"],
        "paid_at": row["paid_at"],
        "receipt_no": row["receipt_no"],
        "utr": row["utr"],
        "confirmed_by": row["confirmed_by"],
        "late": bool(row["late"]),
        "terminal": row["terminal"],
        #: money the PSP reported that staff must look at (e.g. a different amount)
        "needs_review": evidence.get("needs_review") or [],
    }


def _expire_if_due(ctx: Context, row: dict[str, Any]) -> dict[str, Any]:
    """Store ``expired`` for a pending request whose time is up (status from the clock)."""
    if row["status"] != "pending" or ctx.clock.now() < parse_iso(row["expires_at"]):
        return row
    with ctx.store.transaction():
        if _row(ctx, row["id"])["status"] == "pending":  # not paid a moment ago
            payment_events.transition(
                ctx, row["id"], Event.EXPIRED, "system", expires_at=row["expires_at"]
            )
    return _row(ctx, row["id"])


def get_payment(ctx: Context, payment_id: str) -> dict[str, Any]:
    """The request as the GUI shows it, its status brought up to the clock."""
    return _public(ctx, _expire_if_due(ctx, _row(ctx, payment_id)))


def create_request(
    ctx: Context,
    *,
    customer_id: int,
    tier: str,
    interval: str,
    actor: str,
    checkout_id: str | None = None,
    purpose: str | None = None,
    terminal: str | None = None,
    amount: Money | None = None,
    expires_at: datetime | None = None,
    extra_evidence: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A UPI QR request for a plan: catalog price (or the prorated upgrade amount),
    taken on ``terminal`` (the till or kiosk whose customer display shows it).

    ``purpose`` is worked out (``new`` or ``renewal``) unless ``"upgrade"`` is asked for.
    A new request for the same ``checkout_id`` cancels that checkout's pending one.
    Services may set the ``amount`` (an overdue AutoPay invoice's), a later
    ``expires_at`` and evidence of their own; the interface never passes them.
    """
    if not ctx.settings.features.upi_payments:
        raise NotConfigured("UPI payments are switched off in the settings.")
    merchant = merchant_from_settings(ctx.settings)
    if ctx.store.one("SELECT id FROM customers WHERE id=?", (customer_id,)) is None:
        raise NotFound(f"There is no customer {customer_id}.")
    plan = ctx.catalog.get(tier)
    if not plan.purchasable:
        raise ValidationError(f"{plan.name} cannot be paid by UPI at the counter.", field="tier")
    if interval not in ("month", "year"):
        raise ValidationError("Choose monthly or yearly billing.", field="interval")
    if interval == "year" and not ctx.settings.features.annual_billing:
        raise ValidationError("Yearly billing is switched off.", field="interval")
    if purpose is not None and purpose not in PURPOSES:
        raise ValidationError(f"Unknown payment purpose {purpose!r}.")
    credited: dict[str, Any] = {}
    if purpose == "upgrade":
        preview = upi_subscriptions.upgrade_preview(ctx, customer_id, tier, interval)
        amount = Money(preview["amount"], "INR")
        if preview["prepaid_credit"]:  # the periods paid in advance this price credits
            credited = {
                "prepaid_until": preview["prepaid_until"],
                "prepaid_credit": preview["prepaid_credit"],
            }
    else:
        purpose = upi_subscriptions.purpose_for(ctx, customer_id, tier, interval)
        amount = amount or plan.price("INR", interval)
    payment_id, tr = _new_ids()
    now = ctx.clock.now()
    expires = expires_at or now + timedelta(minutes=ctx.settings.upi.expiry_minutes)
    note = f"AUTOOS {plan.name} {interval}ly"
    uri = build_uri(
        pa=merchant.vpa,
        pn=merchant.name,
        mc=merchant.mcc,
        tr=tr,
        tn=note,
        amount=amount,
        max_amount=merchant.max_amount,
    )
    evidence: dict[str, Any] = {
        "vpa": merchant.vpa,
        "payee_name": merchant.name,
        **credited,
        **(extra_evidence or {}),
    }
    if merchant.merchant_id:
        evidence["merchant_id"] = merchant.merchant_id
    psp_name = psp_ref = None
    psp = _psp(ctx)
    if psp is not None:
        try:
            qr = psp.create_qr(
                reference=tr,
                amount=amount,
                close_by=max(expires, now + PSP_MIN_OPEN),
                description=note,
            )
        except TransientError as exc:
            # Offline-first: the shop's own merchant QR still works; staff confirm by UTR.
            evidence["psp_unavailable"] = str(exc)
        else:
            psp_name, psp_ref, uri = qr.psp, qr.ref, qr.uri
    replaced: list[dict[str, Any]] = []
    with ctx.store.transaction():
        if checkout_id:
            replaced = ctx.store.query(
                "SELECT * FROM payments WHERE checkout_id=? AND method=? AND status='pending'",
                (checkout_id, METHOD),
            )
            for old in replaced:
                _set_canceled(ctx, old, actor, reason=f"replaced by {payment_id}")
        payment_events.create(
            ctx,
            {
                "id": payment_id,
                "customer_id": customer_id,
                "method": METHOD,
                "amount": amount.amount,
                "currency": "INR",
                "tier": tier,
                "interval": interval,
                "purpose": purpose,
                "created_at": to_iso(now),
                "expires_at": to_iso(expires),
                "updated_at": to_iso(now),
                "evidence": json.dumps(evidence),
                "upi_tr": tr,
                "psp": psp_name,
                "psp_ref": psp_ref,
                "created_by": actor,
                "checkout_id": checkout_id,
                "upi_uri": uri,
                "terminal": terminal,
            },
            actor,
            method=METHOD,
            amount=amount.amount,
            tier=tier,
            interval=interval,
            tr=tr,
            psp=psp_name,
            psp_ref=psp_ref,
            purpose=purpose,
            checkout_id=checkout_id,
            terminal=terminal,
        )
    for old in replaced:
        _close_at_psp(ctx, old)
    return get_payment(ctx, payment_id)


def _set_canceled(ctx: Context, row: dict[str, Any], actor: str, *, reason: str) -> None:
    payment_events.transition(ctx, row["id"], Event.CANCELED, actor, reason=reason)


def _close_at_psp(ctx: Context, row: dict[str, Any]) -> None:
    """Close the PSP's QR after a cancel; a failure is recorded, the cancel stands."""
    psp = _psp(ctx)
    if psp is None or not row["psp_ref"] or row["psp"] != psp.name:
        return
    try:
        psp.close_qr(row["psp_ref"])
    except ExternalError as exc:
        with ctx.store.transaction():
            payment_events.note(ctx, row["id"], "psp_close_failed", "system", error=str(exc))


def cancel_request(
    ctx: Context, payment_id: str, *, actor: str, reason: str = "cancelled by staff"
) -> dict[str, Any]:
    """Cancel a pending request (staff or customer gave up); money arriving later is late."""
    _expire_if_due(ctx, _row(ctx, payment_id))
    with ctx.store.transaction():  # decide on the row as stored now, not as read before
        row = _row(ctx, payment_id)
        if row["status"] == "canceled":
            return _public(ctx, row)
        _set_canceled(ctx, row, actor, reason=reason)
    _close_at_psp(ctx, row)
    return get_payment(ctx, payment_id)


def _record_money(
    ctx: Context,
    row: dict[str, Any],
    *,
    actor: str,
    confirmed_by: str,
    paid_at: datetime,
    utr: str | None,
    evidence: dict[str, Any],
    accept_late: bool,
    psp_ref: str | None = None,
    event: Event | None = None,
) -> dict[str, Any]:
    """Record that the money arrived, in one transaction: status, evidence, event, audit,
    receipt number and the plan — or ``late`` (flagged, plan untouched) when the request
    had expired or been cancelled and nobody accepted it yet."""
    with ctx.store.transaction():
        row = _row(ctx, row["id"])
        if row["status"] in PAID_STATUSES:
            same = (utr and row["utr"] == utr) or (
                psp_ref and json.loads(row["evidence"]).get("psp_payment_id") == psp_ref
            )
            if same:
                return _public(ctx, row)  # the same confirmation again (webhook retry, re-import)
            raise StateError(
                f"This payment was already confirmed (UTR {row['utr'] or '-'}); "
                "a second payment for it needs a refund."
            )
        if utr is not None:
            other = ctx.store.one(
                "SELECT p.receipt_no, p.status, c.name FROM payments p "
                "JOIN customers c ON c.id = p.customer_id WHERE p.utr=?",
                (utr,),
            )
            if other is not None:
                what = (
                    f"receipt {other['receipt_no']}"
                    if other["receipt_no"]
                    else f"a {other['status']} payment"
                )
                raise DuplicateError(
                    f"UTR {utr} already paid {what} ({other['name']}); one UTR pays one payment.",
                    field="utr",
                )
        # ``expired`` in the row only means nobody paid before it was read; the money's
        # own time decides. A cancelled request that is paid anyway is always late.
        late = row["status"] in ("canceled", "failed") or paid_at > parse_iso(row["expires_at"])
        succeeded = not late or accept_late
        if event is None:
            event = (
                Event.PAID if not late else Event.LATE_ACCEPTED if accept_late else Event.PAID_LATE
            )
        stored = {**json.loads(row["evidence"] or "{}"), **evidence, "confirmed_by": confirmed_by}
        receipt = next_number(ctx) if succeeded else None
        try:
            payment_events.transition(
                ctx,
                row["id"],
                event,
                actor,
                columns={
                    "paid_at": to_iso(paid_at),
                    "utr": utr,
                    "confirmed_by": confirmed_by,
                    "evidence": json.dumps(stored, sort_keys=True, default=str),
                    "receipt_no": receipt,
                    "late": int(late),
                },
                utr=utr,
                confirmed_by=confirmed_by,
                late=late,
                receipt_no=receipt,
                **{k: v for k, v in evidence.items() if k != "raw"},
            )
        except ConstraintViolation:
            raise DuplicateError(f"UTR {utr} already confirmed another payment.") from None
        if succeeded:
            _link_subscription(ctx, row, paid_at, actor)
    return get_payment(ctx, row["id"])


def _link_subscription(ctx: Context, row: dict[str, Any], paid_at: datetime, actor: str) -> None:
    """Activate/renew/upgrade the plan the payment paid for, and link the payment to it."""
    sub_id = upi_subscriptions.apply_upi_payment(ctx, row, paid_at, actor=actor)
    ctx.store.execute("UPDATE payments SET subscription_id=? WHERE id=?", (sub_id, row["id"]))


def check_utr(utr: str) -> str:
    text = re.sub(r"\s+", "", utr or "")
    if not UTR_RE.fullmatch(text):
        raise ValidationError(
            f"{utr!r} is not a UPI reference: the UTR is the 12-digit number in the "
            "payer's UPI app (e.g. 401234567890).",
            field="utr",
        )
    return text


def confirm_with_utr(ctx: Context, payment_id: str, utr: str, *, actor: str) -> dict[str, Any]:
    """Staff saw the money (the payer's app shows the 12-digit UTR): confirm the payment.

    Staff check it themselves, so a late payment confirmed this way is accepted (the
    plan is activated) and keeps its ``late`` flag. ``confirmed_by`` is the actor as the
    audit log names it (``staff:3``, ``cli``); the evidence's ``source`` says how."""
    clean = check_utr(utr)
    row = _expire_if_due(ctx, _row(ctx, payment_id))
    return _record_money(
        ctx,
        row,
        actor=actor,
        confirmed_by=actor,
        paid_at=ctx.clock.now(),
        utr=clean,
        evidence={"source": "utr_entry"},
        accept_late=True,
    )


def accept_late(ctx: Context, payment_id: str, *, actor: str) -> dict[str, Any]:
    """Staff accept money that arrived late: activate the plan and issue the receipt."""
    with ctx.store.transaction():  # two terminals accepting at once: the second is refused
        row = _row(ctx, payment_id)
        if row["status"] != "late":
            raise StateError(f"This payment is {row['status']}, not a late payment.")
        receipt = next_number(ctx)
        # money held for a different amount than asked: the receipt is for what was paid
        review = _held_mismatch(row)
        amount = review["paid_amount"] if review else row["amount"]
        payment_events.transition(
            ctx,
            payment_id,
            Event.LATE_ACCEPTED,
            actor,
            columns={"receipt_no": receipt, "amount": amount},
            receipt_no=receipt,
            amount=amount,
            requested_amount=row["amount"],
        )
        _link_subscription(ctx, row, ctx.clock.now(), actor)
    return get_payment(ctx, payment_id)


def confirm_from_statement(
    ctx: Context,
    payment_id: str,
    *,
    utr: str | None,
    evidence: dict[str, Any],
    late: bool,
    actor: str,
) -> dict[str, Any]:
    """A bank statement line matched this request (see :mod:`backend.services.upi.statements`)."""
    row = _row(ctx, payment_id)
    paid_at = ctx.clock.now()
    if not late:  # paid inside the window by the statement's date: not late
        paid_at = min(paid_at, parse_iso(row["expires_at"]) - timedelta(seconds=1))
    return _record_money(
        ctx,
        row,
        actor=actor,
        confirmed_by="bank_statement",
        paid_at=paid_at,
        utr=utr,
        evidence={"source": "bank_statement", **evidence},
        accept_late=False,
    )


def _apply_psp_payment(
    ctx: Context, row: dict[str, Any], paid: PspPayment, actor: str
) -> dict[str, Any]:
    if not paid.captured:
        with ctx.store.transaction():
            payment_events.note(
                ctx, row["id"], f"psp_{paid.status or 'unknown'}", actor, psp_payment_id=paid.id
            )
        return get_payment(ctx, row["id"])
    utr = paid.utr if paid.utr and UTR_RE.fullmatch(paid.utr) else None
    if paid.amount != Money(row["amount"], row["currency"]):
        return _hold_for_review(ctx, row, paid, utr, actor)
    return _record_money(
        ctx,
        row,
        actor=actor,
        confirmed_by=f"psp:{paid.psp}",
        paid_at=paid.paid_at,
        utr=utr,
        evidence={
            "source": "psp",
            "psp_payment_id": paid.id,
            "psp_qr": paid.qr_ref,
            "payer_vpa": paid.payer_vpa,
        },
        accept_late=False,
        psp_ref=paid.id,
    )


def _hold_for_review(
    ctx: Context, row: dict[str, Any], paid: PspPayment, utr: str | None, actor: str
) -> dict[str, Any]:
    """The PSP took a different amount than asked: keep the money as ``late`` with a
    ``needs_review`` entry in the evidence (plan untouched, no receipt) for staff to accept
    (:func:`accept_late`) or refund; never raised, so the PSP's webhook stops retrying."""
    review = {
        "reason": "amount_mismatch",
        "psp": paid.psp,
        "psp_payment_id": paid.id,
        "psp_qr": paid.qr_ref,
        "paid_amount": paid.amount.amount,
        "paid_currency": paid.amount.currency,
        "requested_amount": row["amount"],
        "utr": utr,
        "payer_vpa": paid.payer_vpa,
        "paid_at": to_iso(paid.paid_at),
    }
    with ctx.store.transaction():
        row = _row(ctx, row["id"])
        evidence = json.loads(row["evidence"] or "{}")
        reviews = evidence.get("needs_review") or []
        if any(r.get("psp_payment_id") == paid.id for r in reviews):
            return _public(ctx, row)  # the same webhook or poll again
        # an open request holds the money as late; one already paid only records it (for
        # a refund): the PSP took money either way, so it is never lost
        review["held"] = row["status"] in ("pending", "expired", "canceled")
        evidence["needs_review"] = [*reviews, review]
        columns: dict[str, Any] = {"evidence": json.dumps(evidence, sort_keys=True, default=str)}
        if review["held"]:
            columns.update(paid_at=to_iso(paid.paid_at), confirmed_by=f"psp:{paid.psp}", late=1)
        payment_events.transition(
            ctx, row["id"], Event.WRONG_AMOUNT, actor, columns=columns, **review
        )
    return get_payment(ctx, row["id"])


def hold_for_review(
    ctx: Context,
    payment_id: str,
    *,
    source: str,
    line_key: str | None,
    utr: str | None,
    amount: int,
    evidence: dict[str, Any],
    actor: str,
) -> int:
    """Evidence that is not proof (a credit with a UTR and the amount, but not the
    request's reference): kept for staff to accept or reject; the payment does not move.
    Inside the caller's transaction; returns the review's number."""
    new_id = ctx.store.insert(
        "INSERT INTO payment_reviews (payment_id, source, line_key, utr, amount, evidence, "
        "status, created_at) VALUES (?, ?, ?, ?, ?, ?, 'held', ?) RETURNING id",
        (payment_id, source, line_key, utr, amount, json.dumps(evidence), ctx.now_iso()),
    )
    review_id = new_id
    payment_events.transition(
        ctx,
        payment_id,
        Event.HELD_FOR_REVIEW,
        actor,
        review_id=review_id,
        source=source,
        utr=utr,
        amount=amount,
        **evidence,
    )
    return review_id


def reviews(ctx: Context) -> list[dict[str, Any]]:
    """The evidence waiting for a person, newest first, with the payment it may belong to."""
    rows = ctx.store.query(
        "SELECT r.id, r.payment_id, r.source, r.utr, r.amount, r.evidence, r.created_at, "
        "p.status, p.amount AS requested, p.upi_tr AS tr, p.created_at AS requested_at, "
        "c.name AS customer_name FROM payment_reviews r JOIN payments p ON p.id = r.payment_id "
        "JOIN customers c ON c.id = p.customer_id WHERE r.status='held' ORDER BY r.id DESC"
    )
    for row in rows:
        row["evidence"] = json.loads(row["evidence"])
        row["amount_text"] = format_money(Money(row["amount"], "INR"))
    return rows


def _held(ctx: Context, review_id: int) -> dict[str, Any]:
    row = ctx.store.one("SELECT * FROM payment_reviews WHERE id=?", (review_id,))
    if row is None:
        raise NotFound(f"There is no review number {review_id}.")
    if row["status"] != "held":
        raise StateError(f"This evidence was already {row['status']}.")
    return row


def accept_review(ctx: Context, review_id: int, *, actor: str) -> dict[str, Any]:
    """Staff checked the held credit (e.g. in the bank's app: the payer is this customer):
    it pays the request, as a UTR they typed would."""
    with ctx.store.transaction():
        review = _held(ctx, review_id)
        ctx.store.execute(
            "UPDATE payment_reviews SET status='accepted', decided_at=?, decided_by=? WHERE id=?",
            (ctx.now_iso(), actor, review_id),
        )
        if review["line_key"]:
            ctx.store.execute(
                "UPDATE statement_lines SET outcome='matched' WHERE line_key=?",
                (review["line_key"],),
            )
        evidence = json.loads(review["evidence"])
        return _record_money(
            ctx,
            _expire_if_due(ctx, _row(ctx, review["payment_id"])),
            actor=actor,
            confirmed_by=actor,
            paid_at=ctx.clock.now(),
            utr=review["utr"],
            evidence={"source": f"{review['source']}_review", "review_id": review_id, **evidence},
            accept_late=True,
            event=Event.REVIEW_ACCEPTED,
        )


def reject_review(ctx: Context, review_id: int, *, actor: str) -> dict[str, Any]:
    """Staff found the held credit is not this request's money (someone else's payment of
    the same amount): it is set aside, the request stays as it was."""
    with ctx.store.transaction():
        review = _held(ctx, review_id)
        ctx.store.execute(
            "UPDATE payment_reviews SET status='rejected', decided_at=?, decided_by=? WHERE id=?",
            (ctx.now_iso(), actor, review_id),
        )
        if review["line_key"]:
            ctx.store.execute(
                "UPDATE statement_lines SET outcome='unmatched', payment_id=NULL WHERE line_key=?",
                (review["line_key"],),
            )
        payment_events.transition(
            ctx, review["payment_id"], Event.REVIEW_REJECTED, actor, review_id=review_id
        )
    return get_payment(ctx, review["payment_id"])


def _held_mismatch(row: dict[str, Any]) -> dict[str, Any] | None:
    """The amount-mismatch review that holds this payment as ``late``, if any."""
    reviews = json.loads(row["evidence"] or "{}").get("needs_review") or []
    return next((r for r in reviews if r.get("held")), None)


def poll_psp(ctx: Context, payment_id: str) -> dict[str, Any]:
    """Ask the PSP whether the request was paid (when a PSP issued its QR)."""
    row = _row(ctx, payment_id)
    psp = _psp(ctx)
    if not row["psp"] or not row["psp_ref"]:
        return get_payment(ctx, payment_id)
    if psp is None or psp.name != row["psp"]:
        raise NotConfigured(f"This payment was made through {row['psp']}, which is not set up.")
    for paid in psp.fetch_payments(row["psp_ref"]):
        if paid.captured:
            return _apply_psp_payment(ctx, row, paid, "psp_poll")
    return get_payment(ctx, payment_id)


def handle_razorpay_webhook(ctx: Context, raw_body: bytes, signature: str) -> dict[str, Any]:
    """The ``qr_code.credited`` webhook (REST API mounts this); verified before anything."""
    psp = _psp(ctx)
    if psp is None or psp.name != "razorpay":
        raise NotConfigured("Razorpay is not set up on this till.")
    paid = psp.parse_webhook(raw_body, signature)
    if paid is None:
        return {"handled": False, "reason": "not a qr_code.credited event"}
    row = ctx.store.one(
        "SELECT * FROM payments WHERE psp=? AND psp_ref=? AND method=?",
        (psp.name, paid.qr_ref, METHOD),
    )
    if row is None:
        return {"handled": False, "reason": f"no payment for QR {paid.qr_ref}"}
    return {"handled": True, "payment": _apply_psp_payment(ctx, row, paid, "razorpay_webhook")}
