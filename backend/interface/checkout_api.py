"""The application interface: every operation a person or program can do, composed from
its capability groups. One class, bound to a store and a caller; the GUI and the CLI use
it in-process, the REST API serves it, the remote client speaks it over HTTP."""

from __future__ import annotations

from backend.interface.autopay_ops import AutopayOps
from backend.interface.customer_ops import CustomerOps
from backend.interface.payment_ops import PaymentOps
from backend.interface.plan_ops import PlanOps
from backend.interface.report_ops import ReportOps
from backend.interface.shop_ops import ShopOps


class CheckoutApi(ShopOps, CustomerOps, PaymentOps, PlanOps, AutopayOps, ReportOps):
    """``CheckoutApi(ctx, caller)``: each method is an operation (see
    :mod:`backend.interface.declare`); calling one checks the caller's role first."""
