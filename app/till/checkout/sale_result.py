"""What the receipt step says once a sale is done: paid (perhaps late), or a free trial
started. Pure: the payment or trial and the customer in, the words out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.text.date_text import moment_text
from app.text.plan_text import plan_label
from backend.domain.autopay import receipt_line
from backend.domain.payments import is_autopay, is_late, reference

NO_RECEIPT = "A free trial has no receipt."


def paid_result(
    payment: Mapping[str, Any],
    customer: Mapping[str, Any],
    receipt_reasons: dict[str, str | None],
) -> dict[str, Any]:
    """``SuccessStep.show_result`` arguments for a paid payment (a UPI AutoPay sign-up
    also names the mandate its receipt prints, and says the plan renews by itself)."""
    banner = f"{customer['name']} now has {payment.get('tier_name', '')}."
    values = {
        "receipt_no": payment.get("receipt_no") or "",
        "customer": customer["name"],
        "plan": plan_label(payment.get("tier_name", ""), payment.get("interval")),
        "amount": payment.get("amount_text", ""),
        "paid_at": moment_text(payment.get("paid_at")),
        "reference": reference(payment),
    }
    if is_autopay(payment):
        values["mandate"] = receipt_line(payment.get("mandate"))
        banner = (
            f"{customer['name']} now has {payment.get('tier_name', '')}, renewed by UPI "
            "AutoPay: the first period is paid, later ones are debited by themselves."
        )
    return {
        "heading": "Payment received ✓",
        "banner": (
            "Paid after the QR had expired: the payment is kept and flagged for a manager."
            if is_late(payment)
            else banner
        ),
        "values": values,
        "receipt_reasons": receipt_reasons,
    }


def trial_result(trial: Mapping[str, Any], customer: Mapping[str, Any]) -> dict[str, Any]:
    """``SuccessStep.show_result`` arguments for a free trial just started."""
    return {
        "heading": "Free trial started ✓",
        "banner": (
            f"{customer['name']} can use AUTOOS free until {moment_text(trial.get('ends_at'))}."
        ),
        "values": {
            "customer": customer["name"],
            "plan": f"Free Trial · {trial.get('credits', '')} workflow credits",
            "amount": "Free",
            "paid_at": moment_text(trial.get("started_at")),
        },
        "labels": {"paid_at": "Started"},
        "receipt_reasons": {"pdf": NO_RECEIPT, "print": NO_RECEIPT, "email": NO_RECEIPT},
    }
