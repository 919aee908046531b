"""Settings changed by an admin: checked, saved to the file with its comments kept,
applied to the running till, audited; a bad value or a locked key changes nothing."""

from __future__ import annotations

import os
import tomllib

import pytest

from backend.config import load_settings
from backend.errors import FieldsInvalid, NotConfigured, PermissionDenied, ValidationError
from backend.interface import Caller, CheckoutApi
from backend.services.shop import settings_edit, staff
from backend.store import audit

HAND_WRITTEN = """\
# AUTOOS Checkout settings for the Indiranagar shop
[shop]
name = "AUTOOS Indiranagar"  # as printed on receipts

[stripe]
checkout_success_url = "https://autoos.example/thanks"
"""


@pytest.fixture
def settings_file(tmp_path, ctx):
    (tmp_path / "config").mkdir()
    path = tmp_path / "config" / "settings.toml"
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    loaded = load_settings(path, env={})
    ctx.settings.path = loaded.path
    ctx.settings.shop.name = loaded.shop.name
    return path


def test_a_change_is_saved_with_the_comments_kept_and_applied_at_once(ctx, settings_file):
    result = settings_edit.update_settings(
        ctx,
        {
            "shop": {"gstin": "29aagcb7383j1z4", "state": "Karnataka"},
            "upi": {"vpa": "indiranagar@okaxis", "expiry_minutes": "10"},
            "features": {"annual_billing": False},
        },
        actor="staff:1",
        env={},
    )
    text = settings_file.read_text(encoding="utf-8")
    assert "# AUTOOS Checkout settings for the Indiranagar shop" in text
    assert "# as printed on receipts" in text
    saved = tomllib.loads(text)
    assert saved["shop"] == {
        "name": "AUTOOS Indiranagar",
        "gstin": "29AAGCB7383J1Z4",
        "state": "Karnataka",
    }
    assert saved["upi"] == {"vpa": "indiranagar@okaxis", "expiry_minutes": 10}
    assert saved["features"] == {"annual_billing": False}
    assert saved["stripe"]["checkout_success_url"] == "https://autoos.example/thanks"
    # the running till uses the new values at once
    assert ctx.settings.shop.gstin == "29AAGCB7383J1Z4"
    assert ctx.settings.upi.expiry_minutes == 10
    assert ctx.settings.features.annual_billing is False
    values = {(f["section"], f["key"]): f["value"] for f in result["fields"]}
    assert values[("upi", "vpa")] == "indiranagar@okaxis"
    entry = audit.recent(ctx, 1)[0]
    assert (entry["actor"], entry["action"]) == ("staff:1", "settings.update")
    assert entry["detail"]["keys"] == [
        "features.annual_billing",
        "shop.gstin",
        "shop.state",
        "upi.expiry_minutes",
        "upi.vpa",
    ]


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"shop": {"gstin": "29AAGCB7383J1Z5"}}, "shop.gstin", "typing mistake"),
        ({"upi": {"vpa": "not a vpa"}}, "upi.vpa", "name@bank"),
        ({"upi": {"expiry_minutes": 0}}, "upi.expiry_minutes", "from 1 to"),
        ({"mail": {"port": "smtp"}}, "mail.port", "whole number"),
        ({"mail": {"sender": "shop@"}}, "mail.sender", "not an email address"),
        ({"shop": {"name": "  "}}, "shop.name", "Enter the shop name"),
        ({"shop": {"default_currency": "EUR"}}, "shop.default_currency", "INR, USD"),
        ({"stripe": {"api_base": "http://x"}}, None, "no settings section"),
        ({"mail": {"password": "hunter2"}}, "mail.password", "cannot be changed here"),
        ({"shop": {"name": "Asha <b>Stores</b>"}}, "shop.name", "cannot contain < or >"),
        ({"shop": {"address": "12 MG Road\x00"}}, "shop.address", "control characters"),
        ({"shop": {"state": "Karnatka"}}, "shop.state", "not an Indian state"),
        # each value is fine, together they are not
        (
            {"shop": {"gstin": "29ABCDE1234F1ZW", "state": "Maharashtra"}},
            "shop.gstin",
            "issued in Karnataka",
        ),
        ({"shop": {"gstin": "29ABCDE1234F1ZW"}}, "shop.state", "Choose the shop's state"),
        ({"mail": {"host": "smtp.example.com"}}, "mail.sender", "Send as"),
        ({"upi": {"payee_name": ""}}, "upi.payee_name", "payee name customers see"),
    ],
)
def test_a_bad_value_says_which_and_changes_nothing(ctx, settings_file, changes, field, words):
    before = settings_file.read_bytes()
    # a good change in the same request is not saved either: all or nothing
    request = {"ui": {"kiosk_idle_seconds": 90}, **changes}
    with pytest.raises(ValidationError, match=words) as caught:
        settings_edit.update_settings(ctx, request, actor="staff:1", env={})
    assert caught.value.field == field
    assert settings_file.read_bytes() == before
    assert ctx.settings.ui.kiosk_idle_seconds == 60
    assert [f.name for f in settings_file.parent.iterdir()] == ["settings.toml"]


def test_every_refused_value_is_named_at_once(ctx, settings_file):
    bad = {"shop": {"gstin": "123"}, "upi": {"vpa": "nope"}, "mail": {"port": "abc"}}
    with pytest.raises(FieldsInvalid) as caught:
        settings_edit.update_settings(ctx, bad, actor="t", env={})
    assert set(caught.value.problems) == {"shop.gstin", "upi.vpa", "mail.port"}
    assert caught.value.message.startswith("3 settings need fixing:")
    assert caught.value.problems["shop.gstin"].count("GSTIN") == 1  # not "GSTIN: GSTIN"


def test_state_is_stored_in_its_usual_spelling(ctx, settings_file):
    settings_edit.update_settings(ctx, {"shop": {"state": "  tamil NADU "}}, actor="t", env={})
    assert ctx.settings.shop.state == "Tamil Nadu"


def test_a_key_set_by_the_environment_is_locked(ctx, settings_file):
    env = {"UPI_DEFAULT_VPA": "env.shop@okaxis"}
    view = settings_edit.editable_settings(ctx, env)
    vpa = next(f for f in view["fields"] if (f["section"], f["key"]) == ("upi", "vpa"))
    assert vpa["locked_by"] == "UPI_DEFAULT_VPA"
    with pytest.raises(ValidationError, match="environment variable UPI_DEFAULT_VPA"):
        settings_edit.update_settings(ctx, {"upi": {"vpa": "a@b"}}, actor="staff:1", env=env)


def test_mail_settings_turn_the_mailer_on_and_off(ctx, settings_file):
    assert "mail" not in ctx.adapters
    on = {"mail": {"host": "smtp.example.com", "sender": "shop@example.com", "port": 2525}}
    settings_edit.update_settings(ctx, on, actor="staff:1", env={})
    assert ctx.adapters["mail"].settings.host == "smtp.example.com"
    settings_edit.update_settings(ctx, {"mail": {"host": ""}}, actor="staff:1", env={})
    assert "mail" not in ctx.adapters


def test_a_failed_replace_leaves_the_old_file_and_no_temporary_file(
    ctx, settings_file, monkeypatch
):
    before = settings_file.read_bytes()

    def refuse(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="No space"):
        settings_edit.update_settings(ctx, {"shop": {"state": "Goa"}}, actor="t", env={})
    assert settings_file.read_bytes() == before
    assert [f.name for f in settings_file.parent.iterdir()] == ["settings.toml"]
    assert ctx.settings.shop.state == ""


def test_a_new_till_creates_its_settings_file(ctx, tmp_path):
    ctx.settings.path = tmp_path / "config" / "autoos-checkout" / "settings.toml"
    settings_edit.update_settings(ctx, {"shop": {"name": "AUTOOS Goa"}}, actor="t", env={})
    assert tomllib.loads(ctx.settings.path.read_text())["shop"]["name"] == "AUTOOS Goa"


def test_without_a_settings_file_nothing_can_be_saved(ctx):
    ctx.settings.path = None
    with pytest.raises(NotConfigured, match="without a settings file"):
        settings_edit.update_settings(ctx, {"shop": {"name": "X"}}, actor="t", env={})


def test_only_an_admin_changes_settings(ctx, settings_file):
    cashier = staff.add_staff(ctx, name="Ravi", role="staff", pin="2468", actor="t")
    owner = staff.add_staff(ctx, name="Asha", role="admin", pin="1357", actor="t")
    till = CheckoutApi(ctx, Caller.counter("till"))
    with pytest.raises(PermissionDenied):
        till.update_settings({"shop": {"state": "Goa"}})
    with pytest.raises(PermissionDenied):
        till.signed_in(cashier).update_settings({"shop": {"state": "Goa"}})
    till.signed_in(owner).update_settings({"shop": {"state": "Goa"}})
    assert ctx.settings.shop.state == "Goa"


def test_upi_autopay_is_switched_on_and_its_provider_chosen_in_settings(ctx, settings_file):
    assert ctx.settings.features.upi_autopay is False
    settings_edit.update_settings(
        ctx,
        {"features": {"upi_autopay": True}, "upi": {"autopay_provider": "razorpay"}},
        actor="staff:1",
        env={},
    )
    assert ctx.settings.features.upi_autopay is True
    assert ctx.settings.upi.autopay_provider == "razorpay"
    saved = tomllib.loads(settings_file.read_text())
    assert saved["features"]["upi_autopay"] is True
    assert saved["upi"]["autopay_provider"] == "razorpay"
    before = settings_file.read_bytes()
    with pytest.raises(ValidationError, match="stripe, razorpay"):
        settings_edit.update_settings(
            ctx, {"upi": {"autopay_provider": "paytm"}}, actor="staff:1", env={}
        )
    assert settings_file.read_bytes() == before
