"""One set of words for payment methods: every method a payment or a plan can have is
named in the domain, and the invoice says what the till says."""

from __future__ import annotations

import typing

from backend.domain.payments import METHOD_LABELS, PaymentMethod, method_label
from backend.interface.types import PaymentMethodName, SaleMethodName


def test_every_payment_and_plan_method_has_words():
    named = (*typing.get_args(PaymentMethodName), *typing.get_args(SaleMethodName))
    methods = {*PaymentMethod, *named}
    assert methods <= set(METHOD_LABELS)
    assert all(method_label(m) and method_label(m) != m for m in methods)
    # a plan paid one period at a time by QR reads as its payments do
    assert method_label("upi") == method_label(PaymentMethod.UPI_QR) == "UPI QR"
    assert method_label("card") == method_label(PaymentMethod.STRIPE_CHECKOUT) == "Card (Stripe)"
    assert method_label("upi_autopay") == "UPI AutoPay"


def test_an_unknown_method_is_shown_as_it_is():
    assert method_label("cash") == "cash"
    assert method_label(None) == ""
