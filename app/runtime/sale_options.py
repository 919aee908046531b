"""How a sale may be paid here now, asked of the backend: the ways to pay
(``sale_methods``: UPI QR, card) and then whether the plan can be sold with UPI AutoPay
(``autopay_offer``: why not, or the mandate the customer would approve). One answer for
the till's checkout and the kiosk, so both offer the same three ways for the same
reasons."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject

from app.runtime.tasks import TaskRunner
from app.text.autopay_text import AUTOPAY_LABEL, offer_terms
from app.text.messages import say
from backend.domain.payments import PaymentMethod
from backend.interface import CheckoutApi

#: the sale method (``subscribe``'s word) of a UPI AutoPay sale
AUTOPAY = str(PaymentMethod.UPI_AUTOPAY)
NO_ANSWER = "The ways to pay could not be read; try again."


@dataclass(frozen=True)
class SaleOptions:
    """Each way to pay, by method (``upi``, ``card``, ``upi_autopay``): ``enabled`` and
    the backend's ``reason`` when it is not; ``offer`` is ``autopay_offer``'s answer."""

    methods: dict[str, dict[str, Any]] = field(default_factory=dict)
    offer: Mapping[str, Any] | None = None

    def reason(self, method: str) -> str | None:
        """``None`` when the method can be used now, else why not (never empty)."""
        row = self.methods.get(method)
        if row is None:
            return NO_ANSWER
        return None if row["enabled"] else str(row.get("reason") or NO_ANSWER)

    def enabled(self, method: str) -> bool:
        return self.reason(method) is None

    @property
    def terms(self) -> str:
        """The mandate the customer approves with AutoPay, in words ("" when not offered)."""
        return offer_terms(self.offer) if self.enabled(AUTOPAY) else ""


def sale_options(
    methods: list[dict[str, Any]], offer: Mapping[str, Any] | None, refused: str = ""
) -> SaleOptions:
    """``sale_methods`` rows and the AutoPay offer (or why it could not be asked) as one."""
    rows = {m["method"]: dict(m) for m in methods}
    reason = refused or str((offer or {}).get("reason") or "")
    rows[AUTOPAY] = {
        "method": AUTOPAY,
        "label": AUTOPAY_LABEL,
        "enabled": bool(offer and offer.get("enabled")) and not refused,
        "reason": reason,
        "mandate": (offer or {}).get("mandate"),
    }
    return SaleOptions(rows, offer)


def ask_sale_options(
    api: CheckoutApi,
    runner: TaskRunner,
    owner: QObject,
    *,
    tier: str,
    interval: str,
    currency: str,
    on_answer: Callable[[SaleOptions], Any],
    on_failure: Callable[[Exception], Any],
) -> None:
    """Ask ``sale_methods``, then ``autopay_offer``; ``on_answer`` gets both as one
    (AutoPay refused with the error's words when only the offer could not be read)."""

    def methods_known(methods: list[dict[str, Any]]) -> None:
        runner.call(
            api.autopay_offer,
            tier,
            interval,
            currency,
            on_success=lambda offer: on_answer(sale_options(methods, offer)),
            on_failure=lambda exc: on_answer(sale_options(methods, None, say(exc))),
            owner=owner,
        )

    runner.call(
        api.sale_methods,
        tier,
        currency,
        on_success=methods_known,
        on_failure=on_failure,
        owner=owner,
    )
