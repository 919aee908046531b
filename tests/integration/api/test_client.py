"""RemoteCheckoutApi: the application interface over HTTP, against a live server."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from backend.api.client import RemoteCheckoutApi, error_from
from backend.errors import (
    AuthError,
    DuplicateError,
    NotFound,
    PermissionDenied,
    TransientError,
    ValidationError,
    WrongPin,
)
from backend.interface import KIOSK, STAFF, Caller, CheckoutApi
from backend.services.shop import api_tokens, staff
from backend.services.upi import upi_requests


@pytest.fixture
def kiosk(server, tokens):
    service = RemoteCheckoutApi(server.url, tokens["kiosk"], timeout=5)
    yield service
    service.close()


@pytest.fixture
def till(server, tokens):
    service = RemoteCheckoutApi(server.url, tokens["staff"], timeout=5)
    yield service
    service.close()


def test_kiosk_signs_a_customer_up_for_a_trial(kiosk, ctx):
    tiers = kiosk.pricing()["tiers"]
    assert [t["id"] for t in tiers] == [t.id for t in ctx.catalog]
    customer = kiosk.add_customer(name="Asha Rao", email="asha@example.com", phone=None)
    trial = kiosk.start_trial(customer["id"])
    assert trial["credits"] == 10
    assert kiosk.find_customers("asha@example.com") == [customer]
    assert kiosk.trial_status(customer["id"])["status"] == "active"
    assert ctx.store.scalar("SELECT count(*) FROM trials") == 1


def test_errors_come_back_as_the_backends_own_classes(kiosk, till, ctx, tokens, server):
    kiosk.add_customer(name="Asha", email="asha@example.com", phone=None)
    with pytest.raises(DuplicateError, match="already exists"):
        kiosk.add_customer(name="Asha again", email="asha@example.com", phone=None)
    with pytest.raises(ValidationError) as bad:
        kiosk.add_customer(name="Nobody", email=None, phone=None)
    assert bad.value.field == "email"
    with pytest.raises(NotFound):
        kiosk.get_payment("upi_missing")
    with pytest.raises(PermissionDenied):
        kiosk.usage_summary(1)  # a kiosk may not read usage
    staff.add_staff(ctx, name="Admin", role="admin", pin="1234", actor="t")
    assert kiosk.authenticate("Admin", "1234")["role"] == "admin"
    with pytest.raises(WrongPin):
        kiosk.authenticate("Admin", "9999")
    api_tokens.revoke_token(ctx, "test-staff", actor="t")
    with pytest.raises(AuthError, match="revoked"):
        till.pricing()


def test_a_server_that_is_down_is_transient_and_the_client_recovers(kiosk, server):
    assert kiosk.health()["status"] == "ok"
    server.stop()
    with pytest.raises(TransientError, match="reconnecting"):
        kiosk.pricing()
    server.start()  # same port
    assert kiosk.pricing()


def test_upi_request_and_payment_list_through_the_client(kiosk, till, ctx):
    customer = kiosk.add_customer(name="Ravi", email="ravi@example.com", phone=None)
    request = kiosk.create_request(customer_id=customer["id"], tier="student", interval="month")
    assert kiosk.get_payment(request["id"])["status"] == "pending"
    [newest] = kiosk.list_payments(method="upi_qr", limit=50)  # a kiosk sees at most 5
    assert set(newest) == {"id", "method", "status", "created_at", "expires_at"}
    assert (newest["id"], newest["status"]) == (request["id"], "pending")
    full = till.list_payments(customer_id=customer["id"])
    assert full[0]["customer_name"] == "Ravi"
    paid = till.confirm_with_utr(request["id"], "412345678901")
    assert paid["status"] == "succeeded"
    assert till.current_subscription(customer["id"])["tier"] == "student"
    assert (
        kiosk.cancel_request(
            kiosk.create_request(customer_id=customer["id"], tier="student", interval="month")["id"]
        )["status"]
        == "canceled"
    )
    assert upi_requests.get_payment(ctx, request["id"])["utr"] == "412345678901"


def test_settings_view_never_carries_secrets(kiosk, providers):
    view = kiosk.settings_view()
    assert view["upi"]["vpa"] == "autoos.shop@okaxis"
    text = repr(view)
    for secret in ("sk_test_fake", "whsec_api_tests", "rzp-key-secret", "rzp-whsec"):
        assert secret not in text


def test_error_from_a_response_without_our_shape():
    assert isinstance(error_from(httpx.Response(503, text="busy")), TransientError)
    assert isinstance(error_from(httpx.Response(404, json={"detail": "x"})), NotFound)
    gateway = error_from(httpx.Response(504, text="<html>"))
    assert isinstance(gateway, TransientError)


def test_a_call_made_while_the_server_is_down_goes_through_when_it_is_back(server, tokens):
    service = RemoteCheckoutApi(server.url, tokens["kiosk"], timeout=5, reconnect_seconds=30)
    server.stop()
    result: dict = {}
    worker = threading.Thread(target=lambda: result.update(plans=service.pricing()))
    worker.start()
    deadline = time.monotonic() + 10
    while service.connected and time.monotonic() < deadline:
        worker.join(0.05)  # waiting on a condition, not a fixed sleep
    assert service.connected is False  # what the window shows as "reconnecting"
    assert "plans" not in result
    server.start()
    worker.join(30)
    assert result["plans"]
    assert service.connected is True
    service.close()


def test_the_local_and_the_remote_interface_answer_alike(kiosk, till, ctx):
    """The same operation in-process and over HTTP: the same answer (they are one
    declaration, so the drift there once was — yearly prices and ``amount_text`` on one
    side only — cannot come back)."""
    local = CheckoutApi(ctx, Caller(KIOSK, "api:test-kiosk"))
    assert kiosk.pricing() == local.pricing()
    customer = kiosk.add_customer(name="Meera", email="meera@example.com", phone="9876543210")
    assert kiosk.find_customers("meera@example.com") == local.find_customers("meera@example.com")
    assert kiosk.find_customers("Meera") == local.find_customers("Meera") == []  # exact only
    request = kiosk.create_request(customer_id=customer["id"], tier="student", interval="month")
    assert kiosk.get_payment(request["id"]) == local.get_payment(request["id"])
    assert kiosk.payment_status(request["id"]) == local.payment_status(request["id"])
    assert kiosk.sale_methods("employee", "USD") == local.sale_methods("employee", "USD")
    staff_side = CheckoutApi(ctx, Caller(STAFF, "api:test-staff"))
    assert till.trial_status(customer["id"]) is staff_side.trial_status(customer["id"]) is None
    with pytest.raises(PermissionDenied):
        local.confirm_with_utr(request["id"], "412345678901")  # the same rule in-process
