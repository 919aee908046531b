"""Customers (normalised, unique, findable) and staff (scrypt PINs, lockout), audited."""

from datetime import timedelta

import pytest

from backend.errors import (
    AccountLocked,
    Conflict,
    DuplicateError,
    FieldsInvalid,
    ValidationError,
    WrongPin,
)
from backend.services.shop import customers, staff
from backend.services.trials import trials
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
    assert entries[0]["detail"] == {"before": {"phone": None}, "after": {"phone": "+919876543210"}}


def test_every_wrong_field_is_named_at_once_and_letters_are_not_a_phone(ctx):
    with pytest.raises(FieldsInvalid) as refused:
        customers.add_customer(ctx, name=" ", email="asha@", phone="98765abc10", actor="t")
    assert set(refused.value.problems) == {"name", "email", "phone"}
    assert "'abc'" in refused.value.problems["phone"]
    assert "3 details need fixing" in refused.value.message
    assert ctx.store.scalar("SELECT count(*) FROM customers") == 0


def test_a_correction_keeps_one_trial_per_person(ctx):
    first = customers.add_customer(ctx, name="Asha", email="asha@example.com", actor="t")
    trials.start_trial(ctx, first["id"], actor="t")
    # Asha changes her address; her old one stays spent
    customers.update_customer(ctx, first["id"], email="asha.rao@example.com", actor="staff:1")
    other = customers.add_customer(ctx, name="Ravi", phone="9876543210", actor="t")
    with pytest.raises(Conflict, match="already had a free trial"):
        customers.update_customer(ctx, other["id"], email="asha@example.com", actor="staff:1")
    assert customers.get_customer(ctx, other["id"])["email"] is None  # nothing changed
    with pytest.raises(Conflict):
        trials.start_trial(ctx, first["id"], actor="t")  # and the edit reopened nothing


def test_an_edit_with_nothing_new_writes_nothing(ctx):
    cust = customers.add_customer(ctx, name="Asha", email="asha@example.com", actor="t")
    customers.update_customer(ctx, cust["id"], name=" Asha ", actor="staff:1")
    assert [e["action"] for e in audit.recent(ctx)] == ["customer.create"]


def test_staff_management_deactivate_reset_unlock_and_the_last_admin(ctx, clock):
    owner = staff.add_staff(ctx, name="Asha", role="admin", pin="4821", actor="t")
    clerk = staff.add_staff(ctx, name="Ravi", role="staff", pin="1357", actor="t")
    with pytest.raises(Conflict, match="last active admin"):
        staff.set_active(ctx, owner["id"], False, actor="staff:1")
    staff.set_active(ctx, clerk["id"], False, actor="staff:1")
    with pytest.raises(WrongPin):
        staff.authenticate(ctx, "Ravi", "1357")  # deactivated: cannot sign in
    assert [p["name"] for p in staff.list_staff(ctx)] == ["Asha"]
    states = {p["name"]: p["state"] for p in staff.list_staff(ctx, include_inactive=True)}
    assert states == {"Asha": "active", "Ravi": "deactivated"}
    staff.set_active(ctx, clerk["id"], True, actor="staff:1")
    for _ in range(5):
        with pytest.raises((WrongPin, AccountLocked)):
            staff.authenticate(ctx, "Ravi", "0000")
    assert {p["name"]: p["state"] for p in staff.list_staff(ctx)}["Ravi"] == "locked"
    staff.unlock(ctx, clerk["id"], actor="staff:1")
    assert staff.authenticate(ctx, "Ravi", "1357")["id"] == clerk["id"]
    staff.reset_pin(ctx, clerk["id"], "2468", actor="staff:1")
    assert staff.authenticate(ctx, "Ravi", "2468")["id"] == clerk["id"]
    actions = [e["action"] for e in audit.recent(ctx) if e["action"].startswith("staff.")]
    for action in ("staff.deactivate", "staff.activate", "staff.unlock", "staff.reset_pin"):
        assert action in actions


def test_the_last_two_wrong_pins_say_how_many_tries_are_left(ctx):
    staff.add_staff(ctx, name="Meena", role="staff", pin="4821", actor="admin")
    said = []
    for _ in range(4):
        with pytest.raises(WrongPin) as wrong:
            staff.authenticate(ctx, "Meena", "0000")
        said.append(wrong.value.message)
    assert said[:2] == ["Unknown name or wrong PIN."] * 2
    assert said[2] == "Wrong PIN: 2 tries left before Meena is locked for 5 minutes."
    assert said[3] == "Wrong PIN: 1 try left before Meena is locked for 5 minutes."


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
