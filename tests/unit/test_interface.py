"""The one declared application interface: every operation is declared completely, the
caller's role is checked in-process as over REST, and what it hands out holds no secret."""

from __future__ import annotations

import contextlib
import re
import typing

import pytest

from backend.config import Secrets
from backend.domain.payments import PaymentMethod, PaymentStatus
from backend.errors import CheckoutError, PermissionDenied, ValidationError
from backend.interface import ADMIN, AUTOOS, KIOSK, STAFF, Caller, CheckoutApi, operations
from backend.interface.types import PaymentMethodName, PaymentStatusName
from backend.services.shop import customers, staff

OPS = list(operations(CheckoutApi))


def test_every_operation_is_declared_once_and_completely():
    names = [op.name for op in OPS]
    assert len(names) == len(set(names)) > 60
    routes = [(op.verb, op.path) for op in OPS if op.verb]
    assert len(routes) == len(set(routes))  # no two operations on one route
    for op in OPS:
        assert op.summary, op.name
        assert op.verb in (None, "GET", "POST"), op.name
        assert (op.verb is None) == (op.path is None), op.name
        assert op.roles is None or op.roles <= {KIOSK, STAFF, ADMIN, AUTOOS}, op.name
        hints = op.hints  # every type resolves (what the REST routes are built from)
        assert "return" in hints, op.name
        for name in op.signature.parameters:
            assert name in hints, f"{op.name}({name}) has no type"
        for name in re.findall(r"{(\w+)}", op.path or ""):
            assert name in op.signature.parameters, f"{op.path} names {name}"
        if op.body:
            assert op.body in op.signature.parameters
        assert set(op.echo) <= set(op.signature.parameters)


def test_a_reading_operation_is_a_get_and_a_change_a_post():
    reads = {op.name for op in OPS if op.verb == "GET"}
    assert {"get_payment", "pricing", "list_payments", "payment_status"} <= reads
    changes = {op.name for op in OPS if op.changes}
    assert {"create_request", "confirm_with_utr", "refund", "add_customer"} <= changes


def test_the_caller_role_is_checked_in_process_too(ctx):
    """Refunds and staff are admin-only for the GUI exactly as over REST: not merely a
    button that is hidden."""
    buyer = customers.add_customer(ctx, name="Arjun", email="arjun@example.com", actor="t")
    kiosk = CheckoutApi(ctx, Caller.counter("front door"))
    cashier = CheckoutApi(ctx, Caller(STAFF, "staff:2", 2))
    request = kiosk.create_request(customer_id=buyer["id"], tier="student", interval="month")
    for call in (
        lambda: kiosk.confirm_with_utr(request["id"], "412345678901"),
        lambda: kiosk.list_staff(),
        lambda: kiosk.usage_summary(buyer["id"]),
        lambda: cashier.refund(request["id"]),
        lambda: cashier.add_staff(name="Eve", role="admin", pin="1234"),
        lambda: cashier.update_settings({"shop": {"name": "X"}}),
    ):
        with pytest.raises(PermissionDenied, match="may not"):
            call()
    assert kiosk.get_payment(request["id"])["status"] == "pending"  # nothing changed
    assert ctx.store.scalar("SELECT count(*) FROM staff") == 0


def test_every_operation_reaches_a_real_service_function(ctx):
    """Calling with ids that do not exist must fail inside the services (NotFound,
    ValidationError...), never with an ImportError/AttributeError from a misnamed module."""
    api = CheckoutApi(ctx, Caller.owner("test"))
    for op in OPS:
        if op.name in {"dashboard", "export_csv", "import_statement_file"}:
            continue  # need files or ranges; covered by the report tests
        params = op.signature.parameters
        args = {name: _dummy(op.hints[name]) for name, p in params.items() if p.default is p.empty}
        with contextlib.suppress(CheckoutError):  # refused by the service: it was reached
            getattr(api, op.name)(**args)


def _dummy(tp: typing.Any) -> typing.Any:
    base = typing.get_args(tp)[0] if typing.get_origin(tp) is typing.Annotated else tp
    if typing.get_origin(base) is typing.Literal:
        return typing.get_args(base)[0]
    if base is int:
        return 999
    if base is bool:
        return False
    if typing.get_origin(base) is dict:
        return {}
    return "nope"


def test_signed_in_acts_as_the_person_and_audits_them(ctx):
    admin = staff.add_staff(ctx, name="Asha", role="admin", pin="4821", actor="test")
    api = CheckoutApi(ctx, Caller.counter("till")).signed_in(admin)
    assert api.caller.role == ADMIN
    made = api.add_customer(name="Kavya", email="kavya@example.com")
    row = ctx.store.one(
        "SELECT actor FROM audit_log WHERE action='customer.create' AND entity_id=?",
        (str(made["id"]),),
    )
    assert row["actor"] == f"staff:{admin['id']}"
    assert api.find_customers("kav")[0]["id"] == made["id"]


def test_the_first_admin_is_made_once(ctx):
    till = CheckoutApi(ctx, Caller.counter("till"))
    first = till.create_first_admin(name="Asha", pin="4821")
    assert first["role"] == ADMIN
    with pytest.raises(CheckoutError, match="already exists"):
        till.create_first_admin(name="Mallory", pin="1111")
    assert [s["name"] for s in till.staff_names()] == ["Asha"]


def test_settings_view_shows_no_secret(ctx):
    ctx.secrets = Secrets(
        env={"STRIPE_SECRET_KEY": "sk_test_very_secret", "SMTP_PASSWORD": "hunter2"},
        use_keyring=False,
    )
    view = CheckoutApi(ctx, Caller.counter("till")).settings_view()
    text = repr(view)
    assert "sk_test_very_secret" not in text
    assert "hunter2" not in text
    assert view["upi"]["vpa"] == "autoos.shop@okaxis"


def test_pricing_shows_what_is_offered_now(ctx):
    api = CheckoutApi(ctx, Caller.counter("till"))
    tiers = {t["id"]: t for t in api.pricing()["tiers"]}
    assert "free_trial" in tiers
    assert {p["interval"] for p in tiers["student"]["prices"]} == {"month", "year"}
    assert tiers["student"]["prices"][0]["amount_text"]
    ctx.settings.features.free_trial = False
    ctx.settings.features.annual_billing = False
    offered = api.pricing()
    assert "free_trial" not in {t["id"] for t in offered["tiers"]}
    assert offered["intervals"] == ["month"]
    assert {p["interval"] for t in offered["tiers"] for p in t["prices"]} <= {"month"}


def test_sale_methods_say_why_a_way_to_pay_is_closed(ctx):
    api = CheckoutApi(ctx, Caller.counter("till"))
    inr = {m["method"]: m for m in api.sale_methods("employee", "INR")}
    assert inr["upi"]["enabled"] is True
    assert inr["card"]["enabled"] is False
    assert "STRIPE_SECRET_KEY" in inr["card"]["reason"]
    usd = {m["method"]: m for m in api.sale_methods("employee", "USD")}
    assert usd["upi"]["reason"] == "UPI takes rupees only: go back and switch to ₹ INR."
    trial = api.sale_methods("free_trial", "INR")
    assert {m["reason"] for m in trial} == {"The free trial needs no payment."}


def test_payment_status_and_cancel_know_the_method(ctx):
    buyer = customers.add_customer(ctx, name="Arjun", email="arjun@example.com", actor="t")
    api = CheckoutApi(ctx, Caller.counter("till"))
    request = api.create_request(customer_id=buyer["id"], tier="student", interval="month")
    assert api.payment_status(request["id"])["method"] == "upi_qr"
    assert api.cancel_payment(request["id"])["status"] == "canceled"


def test_payments_list_filters(ctx):
    buyer = customers.add_customer(ctx, name="Arjun", email="arjun@example.com", actor="t")
    api = CheckoutApi(ctx, Caller.owner("test"))
    request = api.create_request(customer_id=buyer["id"], tier="student", interval="month")
    assert [p["id"] for p in api.list_payments(status="pending")] == [request["id"]]
    assert api.list_payments(status="succeeded") == []
    assert api.list_payments(method="stripe_checkout") == []
    assert len(api.list_payments(date_from="2026-11-26", date_to="2026-11-26")) == 1
    assert api.list_payments(date_from="2026-11-27") == []
    assert api.list_payments(customer_id=buyer["id"])[0]["amount_text"] == "₹799.00"
    with pytest.raises(ValidationError, match="not a date"):
        api.list_payments(date_from="26/11/2026")
    with pytest.raises(ValidationError, match="Unknown payment status"):
        api.list_payments(status="paid")  # type: ignore[arg-type]


def test_the_interface_offers_exactly_the_vocabulary_s_statuses_and_methods(ctx):
    """The filters the Payments tab offers come from the interface's types; every one
    must be one the service accepts (its UPI AutoPay filter was once refused)."""
    assert set(typing.get_args(PaymentStatusName)) == set(PaymentStatus)
    assert set(typing.get_args(PaymentMethodName)) == set(PaymentMethod)
    api = CheckoutApi(ctx, Caller.owner("test"))
    for status in typing.get_args(PaymentStatusName):
        assert api.list_payments(status=status) == []
    for method in typing.get_args(PaymentMethodName):
        assert api.list_payments(method=method) == []
