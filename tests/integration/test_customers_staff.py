"""Customers (normalised, unique, findable) and staff (scrypt PINs, lockout), audited."""

from datetime import timedelta

import pytest

from backend.errors import AccountLocked, DuplicateError, ValidationError, WrongPin
from backend.services.shop import customers, staff
from backend.store import audit


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("98765 43210", "+919876543210"),
        ("+91-98765-43210", "+919876543210"),
        ("09876543210", "+919876543210"),
        ("0091 98765 43210", "+919876543210"),
        ("+1 (415) 555-2671", "+14155552671"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_phones_are_stored_in_e164(ctx, typed, stored):
    cust = customers.add_customer(ctx, name="Asha", phone=typed, actor="test")
    assert cust["phone"] == stored


def test_emails_are_trimmed_and_lower_cased(ctx):
    cust = customers.add_customer(ctx, name="  Asha   Rao ", email=" Asha@Example.COM ", actor="t")
    assert (cust["name"], cust["email"]) == ("Asha Rao", "asha@example.com")


@pytest.mark.parametrize(
    ("email", "phone", "field"),
    [
        ("asha@", None, "email"),
        ("asha example.com", None, "email"),
        (None, "12345", "phone"),
        (None, "+91 12345 67890 123", "phone"),
        (None, None, "email"),
    ],
)
def test_bad_contact_details_are_refused(ctx, email, phone, field):
    with pytest.raises(ValidationError) as err:
        customers.add_customer(ctx, name="Asha", email=email, phone=phone, actor="t")
    assert err.value.field == field
    assert ctx.store.scalar("SELECT count(*) FROM customers") == 0


def test_duplicates_are_refused_however_written(ctx):
    customers.add_customer(
        ctx, name="Asha", email="asha@example.com", phone="9876543210", actor="t"
    )
    with pytest.raises(DuplicateError, match="email"):
        customers.add_customer(ctx, name="Other", email="ASHA@example.com ", actor="t")
    with pytest.raises(DuplicateError, match="phone"):
        customers.add_customer(ctx, name="Other", phone="+91 98765-43210", actor="t")
    assert ctx.store.scalar("SELECT count(*) FROM customers") == 1


def test_find_by_email_phone_and_name_prefix(ctx):
    asha = customers.add_customer(ctx, name="Asha Rao", email="asha@example.com", actor="t")
    ravi = customers.add_customer(ctx, name="Ravi Kumar", phone="9876543210", actor="t")
    customers.add_customer(ctx, name="Ashok Mehta", email="ashok@example.com", actor="t")
    assert [c["id"] for c in customers.find_customers(ctx, "ASHA@example.com")] == [asha["id"]]
    assert [c["id"] for c in customers.find_customers(ctx, "098765 43210")] == [ravi["id"]]
    assert [c["name"] for c in customers.find_customers(ctx, "ash")] == ["Asha Rao", "Ashok Mehta"]
    assert customers.find_customers(ctx, "zed") == []
    assert customers.find_customers(ctx, "100%") == []


def test_customer_changes_are_audited(ctx):
    cust = customers.add_customer(ctx, name="Asha", email="asha@example.com", actor="staff:1")
    customers.update_customer(ctx, cust["id"], phone="9876543210", actor="staff:2")
    entries = audit.recent(ctx)
    assert [(e["actor"], e["action"]) for e in entries] == [
        ("staff:2", "customer.update"),
        ("staff:1", "customer.create"),
    ]
    assert entries[0]["detail"]["phone"] == "+919876543210"


def test_staff_pin_is_hashed_with_scrypt(ctx):
    member = staff.add_staff(ctx, name="Meena", role="staff", pin="4821", actor="admin")
    row = ctx.store.one("SELECT pin_hash, pin_salt FROM staff WHERE id=?", (member["id"],))
    assert b"4821" not in row["pin_hash"]
    assert len(row["pin_hash"]) == 32
    assert len(row["pin_salt"]) == 16
    assert staff.authenticate(ctx, "Meena", "4821")["id"] == member["id"]
    with pytest.raises(ValidationError, match="4 to 8 digits"):
        staff.add_staff(ctx, name="Joe", role="staff", pin="12a4", actor="admin")


def test_five_wrong_pins_lock_for_five_minutes(ctx, clock):
    staff.add_staff(ctx, name="Meena", role="staff", pin="4821", actor="admin")
    for _ in range(4):
        with pytest.raises(WrongPin):
            staff.authenticate(ctx, "Meena", "0000")
    with pytest.raises(AccountLocked, match="5 minutes"):
        staff.authenticate(ctx, "Meena", "0000")
    with pytest.raises(AccountLocked):  # even the right PIN is refused while locked
        staff.authenticate(ctx, "Meena", "4821")
    clock.advance(timedelta(minutes=4, seconds=59))
    with pytest.raises(AccountLocked):
        staff.authenticate(ctx, "Meena", "4821")
    clock.advance(seconds=1)
    assert staff.authenticate(ctx, "Meena", "4821")["name"] == "Meena"
    actions = [e["action"] for e in audit.recent(ctx)]
    assert actions.count("staff.login_failed") == 5
    assert actions[0] == "staff.login"


def test_pin_guesses_racing_each_other_are_all_counted(ctx):
    """Guesses sent in parallel (two tills, the API) each count, and the guess that
    locks the account also stops a correct PIN already being checked."""
    from tests.integration.interleave import before_next_write

    staff.add_staff(ctx, name="Meena", role="staff", pin="4821", actor="admin")

    def guess(pin: str):
        def attempt() -> None:
            with pytest.raises((WrongPin, AccountLocked)):
                staff.authenticate(ctx, "Meena", pin)

        return attempt

    for _ in range(2):
        with before_next_write(ctx.store, guess("0000")):
            guess("1111")()
    assert ctx.store.scalar("SELECT failed_attempts FROM staff") == 4
    with before_next_write(ctx.store, guess("2222")), pytest.raises(AccountLocked):
        staff.authenticate(ctx, "Meena", "4821")
    assert ctx.store.scalar("SELECT locked_until FROM staff") is not None


def test_two_terminals_editing_different_fields_keep_both_changes(ctx):
    from tests.integration.interleave import before_next_write

    cid = customers.add_customer(ctx, name="Asha Rao", email="asha@example.in", actor="t")["id"]
    phone = lambda: customers.update_customer(ctx, cid, phone="9876543210", actor="staff:1")  # noqa: E731
    with before_next_write(ctx.store, phone):
        customers.update_customer(ctx, cid, state="Karnataka", actor="staff:2")
    row = customers.get_customer(ctx, cid)
    assert (row["phone"], row["state"]) == ("+919876543210", "Karnataka")
