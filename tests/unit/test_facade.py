"""The service facade: every method of the interface exists in-process and reaches a real
service function; what it hands to windows holds no secret."""

from __future__ import annotations

import inspect

import pytest

from backend.config import Secrets
from backend.errors import CheckoutError, ValidationError
from backend.facade import CheckoutService, LocalCheckoutService
from backend.services.shop import customers, staff


def _interface() -> list[str]:
    return [
        name
        for name, member in inspect.getmembers(CheckoutService, inspect.isfunction)
        if not name.startswith("_")
    ]


def test_local_service_implements_the_whole_interface():
    names = _interface()
    assert len(names) > 30
    for name in names:
        local = getattr(LocalCheckoutService, name)
        wanted = inspect.signature(getattr(CheckoutService, name))
        assert inspect.signature(local).parameters.keys() == wanted.parameters.keys(), name


def test_every_delegate_reaches_an_existing_service_function(ctx):
    """Calling with bad ids must fail inside the services (NotFound, ValidationError...),
    never with an ImportError/AttributeError from a misnamed module or function."""
    service = LocalCheckoutService(ctx, "test")
    calls = {
        "get_payment": ("nope",),
        "confirm_with_utr": ("nope", "123456789012"),
        "accept_late": ("nope",),
        "cancel_request": ("nope",),
        "poll_psp": ("nope",),
        "refresh": ("nope",),
        "cancel_checkout": ("nope",),
        "usage_summary": (999,),
        "upgrade_preview": (999, "employee", "month"),
        "invoice_pdf": ("nope",),
    }
    for name, args in calls.items():
        with pytest.raises(CheckoutError):  # refused by the service, so it was reached
            getattr(service, name)(*args)
    assert service.trial_status(999) is None
    assert service.current_subscription(999) is None
    assert service.card_status()["configured"] is False
    assert set(service.sync_state()) >= {"online", "waiting", "failed", "last_error"}


def test_changes_are_made_as_the_signed_in_person(ctx):
    admin = staff.add_staff(ctx, name="Asha", role="admin", pin="4821", actor="test")
    service = LocalCheckoutService(ctx, "anonymous").for_staff(admin)
    made = service.add_customer(name="Kavya", email="kavya@example.com", phone=None)
    row = ctx.store.one(
        "SELECT actor FROM audit_log WHERE action='customer.create' AND entity_id=?",
        (str(made["id"]),),
    )
    assert row["actor"] == f"staff:{admin['id']}"
    assert service.find_customers("kav")[0]["id"] == made["id"]


def test_settings_view_shows_no_secret(ctx):
    ctx.secrets = Secrets(
        env={"STRIPE_SECRET_KEY": "sk_test_very_secret", "SMTP_PASSWORD": "hunter2"},
        use_keyring=False,
    )
    view = LocalCheckoutService(ctx, "test").settings_view()
    text = repr(view)
    assert "sk_test_very_secret" not in text
    assert "hunter2" not in text
    assert view["upi"]["vpa"] == "autoos.shop@okaxis"


def test_payments_list_filters(ctx):
    buyer = customers.add_customer(ctx, name="Arjun", email="arjun@example.com", actor="t")
    service = LocalCheckoutService(ctx, "test")
    request = service.create_request(customer_id=buyer["id"], tier="student", interval="month")
    assert [p["id"] for p in service.list_payments(status="pending")] == [request["id"]]
    assert service.list_payments(status="succeeded") == []
    assert service.list_payments(method="stripe_checkout") == []
    assert len(service.list_payments(date_from="2026-11-26", date_to="2026-11-26")) == 1
    assert service.list_payments(date_from="2026-11-27") == []
    assert service.list_payments(customer_id=buyer["id"])[0]["amount_text"] == "₹799.00"
    with pytest.raises(ValidationError, match="not a date"):
        service.list_payments(date_from="26/11/2026")
    with pytest.raises(ValidationError, match="Unknown payment status"):
        service.list_payments(status="paid")
