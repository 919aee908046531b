"""Bank statement import: a credit naming the request's tr and exact amount pays it; a
UTR and an amount only are held for staff (a stranger's credit never confirms a sale);
twice = no change; ambiguous lines never applied; a malformed file applies nothing."""

from __future__ import annotations

import json

import pytest

from backend.errors import ValidationError
from backend.services.billing import upi_subscriptions
from backend.services.shop import customers
from backend.services.upi import statements
from backend.services.upi import upi_requests as upi

HDFC_HEAD = (
    "HDFC BANK Ltd.,,,,,,\n"
    "Statement of account,,,,,,\n"
    "Date,Narration,Chq./Ref.No.,Value Dt,Withdrawal Amt.,Deposit Amt.,Closing Balance\n"
)
SBI_HEAD = "Txn Date,Value Date,Description,Ref No./Cheque No.,Debit,Credit,Balance\n"


def _request(ctx, customer, tier="student", interval="month"):
    return upi.create_request(
        ctx, customer_id=customer, tier=tier, interval=interval, actor="staff:ravi"
    )


def _counts(report):
    return {k: len(report[k]) for k in ("matched", "held", "unmatched", "ambiguous", "known")}


def _counted(matched=0, held=0, unmatched=0, ambiguous=0, known=0):
    return {
        "matched": matched,
        "held": held,
        "unmatched": unmatched,
        "ambiguous": ambiguous,
        "known": known,
    }


def test_hdfc_line_with_the_tr_confirms_the_payment(ctx, clock, customer, tmp_path):
    p = _request(ctx, customer)
    other = _request(ctx, customer, "employee")
    clock.advance(hours=5)
    assert upi.get_payment(ctx, p["id"])["status"] == "expired"  # stored before the import
    csv_file = tmp_path / "hdfc.csv"
    csv_file.write_text(
        HDFC_HEAD + f'26/11/26,"UPI-ASHA RAO-asha@okicici-ICIC0000001-401234567890-{p["tr"]}",'
        '0000401234567890,26/11/26,,799.00,"1,00,799.00"\n'
        "26/11/26,NEFT-RENT,N12345,26/11/26,5000.00,,95799.00\n"
        "26/11/26,UPI-SOMEONE ELSE-x@ybl-000111222333-Lunch,000111222333,26/11/26,,150.00,"
        "95949.00\n"
        "*** End of statement ***\n",
        encoding="utf-8",
    )
    report = statements.import_statement(ctx, csv_file, preset="hdfc", actor="admin")
    assert _counts(report) == _counted(matched=1, unmatched=1)
    assert report["matched"][0]["payment_ids"] == [p["id"]]
    assert report["matched"][0]["line"] == 4
    assert report["unmatched"][0]["line"] == 6
    paid = upi.get_payment(ctx, p["id"])
    assert (paid["status"], paid["utr"], paid["confirmed_by"], paid["late"]) == (
        "succeeded",
        "401234567890",
        "bank_statement",
        False,
    )
    assert paid["receipt_no"] == "AC/2627/000001"
    evidence = json.loads(ctx.store.scalar("SELECT evidence FROM payments WHERE id=?", (p["id"],)))
    assert (evidence["statement_line"], evidence["txn_date"]) == (4, "2026-11-26")
    assert upi_subscriptions.current_subscription(ctx, customer)["tier"] == "student"
    assert upi.get_payment(ctx, other["id"])["status"] == "expired"  # untouched otherwise

    # the same file again changes nothing
    before = ctx.store.scalar("SELECT count(*) FROM payment_events")
    again = statements.import_statement(ctx, csv_file, preset="hdfc", actor="admin")
    assert again["already_imported"] is True
    assert again["applied"] == 0
    assert ctx.store.scalar("SELECT count(*) FROM payment_events") == before
    # an overlapping export (another file with the same line) changes nothing either
    overlap = tmp_path / "hdfc-2.csv"
    overlap.write_text(csv_file.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    second = statements.import_statement(ctx, overlap, preset="hdfc", actor="admin")
    # the matched line is known; the unmatched one is tried again (and still unmatched)
    assert _counts(second) == _counted(unmatched=1, known=1)
    assert ctx.store.scalar("SELECT count(*) FROM payment_events") == before
    assert ctx.store.scalar("SELECT count(*) FROM payments WHERE receipt_no IS NOT NULL") == 1


def test_a_utr_and_the_amount_only_are_held_for_staff_to_accept(ctx, customer, tmp_path):
    p = _request(ctx, customer)
    _request(ctx, customer, "employee")  # same day, other amount: not a candidate
    csv_file = tmp_path / "sbi.csv"
    csv_file.write_text(
        SBI_HEAD
        + "26 Nov 2026,26 Nov 2026,TO TRANSFER-UPI/CR/401234567891/ASHA RAO/ICIC/asha@okicici/"
        "Payment-,,,799.00,10799.00\n"
        + "27 Nov 2026,27 Nov 2026,UPI/CR/401234567892/X/Y/z@ok/-,,,799.00,11598.00\n",
        encoding="utf-8",
    )
    report = statements.import_statement(ctx, csv_file, preset="sbi", actor="admin")
    assert _counts(report) == _counted(held=1, unmatched=1)
    assert report["held"][0]["reason"] == "utr and amount only: held for review"
    assert report["unmatched"][0]["line"] == 3  # next day: outside the request's window
    assert report["applied"] == 0
    assert upi.get_payment(ctx, p["id"])["status"] == "pending"  # nothing applied
    [review] = upi.reviews(ctx)
    assert (review["payment_id"], review["utr"], review["amount"]) == (
        p["id"],
        "401234567891",
        79900,
    )
    assert review["evidence"]["payer_vpa"] == "asha@okicici"
    assert review["evidence"]["txn_date"] == "2026-11-26"

    paid = upi.accept_review(ctx, review["id"], actor="staff:1")  # staff checked the bank
    assert (paid["status"], paid["utr"], paid["confirmed_by"]) == (
        "succeeded",
        "401234567891",
        "staff:1",
    )
    assert upi_subscriptions.current_subscription(ctx, customer)["tier"] == "student"
    again = statements.import_statement(ctx, csv_file, preset="sbi", actor="admin")
    assert _counts(again) == _counted(unmatched=1, known=1)
    assert upi.reviews(ctx) == []


def test_a_strangers_credit_of_the_same_amount_never_confirms_the_sale(ctx, customer, tmp_path):
    """The bank line someone else's friend sent ("dinner split") for ₹2,399 while an
    Employee request of ₹2,399 waited: held, not applied; rejected, it stays rejected."""
    p = _request(ctx, customer, "employee")
    csv_file = tmp_path / "sbi.csv"
    csv_file.write_text(
        SBI_HEAD
        + "26 Nov 2026,26 Nov 2026,UPI/P2A/612345670000/SOMEONE ELSE/friend@oksbi/dinner split,"
        ",,2399.00,12399.00\n",
        encoding="utf-8",
    )
    report = statements.import_statement(ctx, csv_file, preset="sbi", actor="admin")
    assert _counts(report) == _counted(held=1)
    assert upi.get_payment(ctx, p["id"])["status"] == "pending"
    assert upi_subscriptions.current_subscription(ctx, customer) is None  # no plan started
    [review] = upi.reviews(ctx)
    assert review["evidence"]["payer_vpa"] == "friend@oksbi"
    kept = upi.reject_review(ctx, review["id"], actor="staff:1")
    assert (kept["status"], kept["utr"]) == ("pending", None)
    kinds = [e["kind"] for e in ctx.store.query(
        "SELECT kind FROM payment_events WHERE payment_id=? ORDER BY id", (p["id"],)
    )]  # fmt: skip
    assert kinds == ["created", "held_for_review", "review_rejected"]
    again = statements.import_statement(ctx, csv_file, preset="sbi", actor="admin")
    assert _counts(again) == _counted(unmatched=1)  # not held a second time
    assert upi.reviews(ctx) == []


def test_a_credit_dated_before_the_request_existed_is_not_its_payment(
    ctx, clock, customer, tmp_path
):
    p = _request(ctx, customer)  # made on 26 Nov
    csv_file = tmp_path / "early.csv"
    csv_file.write_text(
        "date,narration,reference,credit\n"
        f"2026-11-25,UPI {p['tr']} 401234567897,401234567897,799.00\n",
        encoding="utf-8",
    )
    report = statements.import_statement(ctx, csv_file, actor="admin")
    assert _counts(report) == _counted(unmatched=1)
    assert report["unmatched"][0]["reason"] == "credit dated before the request existed"
    assert upi.get_payment(ctx, p["id"])["status"] == "pending"


def test_ambiguous_line_is_reported_and_never_applied(ctx, customer, tmp_path):
    a, b = _request(ctx, customer), _request(ctx, customer)
    csv_file = tmp_path / "sbi.csv"
    csv_file.write_text(
        SBI_HEAD + "26 Nov 2026,26 Nov 2026,UPI/CR/401234567893/ASHA/ICIC/a@ok/-,,,799.00,1\n",
        encoding="utf-8",
    )
    report = statements.import_statement(ctx, csv_file, preset="sbi", actor="admin")
    assert _counts(report) == _counted(ambiguous=1)
    assert sorted(report["ambiguous"][0]["payment_ids"]) == sorted([a["id"], b["id"]])
    assert {upi.get_payment(ctx, x["id"])["status"] for x in (a, b)} == {"pending"}
    assert ctx.store.scalar("SELECT count(*) FROM payments WHERE utr IS NOT NULL") == 0


def test_money_after_expiry_on_the_statement_is_late_and_flagged(ctx, clock, customer, tmp_path):
    p = _request(ctx, customer)
    clock.advance(days=2)
    csv_file = tmp_path / "late.csv"
    csv_file.write_text(
        "date,narration,reference,credit\n"
        f"2026-11-27,UPI {p['tr']} 401234567894,401234567894,799.00\n",
        encoding="utf-8",
    )
    report = statements.import_statement(ctx, csv_file, actor="admin")
    assert report["matched"][0]["status"] == "late"
    paid = upi.get_payment(ctx, p["id"])
    assert (paid["status"], paid["late"], paid["receipt_no"]) == ("late", True, None)
    assert upi_subscriptions.current_subscription(ctx, customer) is None


def test_malformed_rows_are_reported_by_line_and_nothing_is_applied(ctx, customer, tmp_path):
    p = _request(ctx, customer)
    csv_file = tmp_path / "bad.csv"
    csv_file.write_text(
        "date,narration,reference,credit\n"
        f"2026-11-26,UPI {p['tr']},401234567895,799.00\n"
        "2026-11-26,UPI x,401234567896,7 99\n"
        "31/02/2026,UPI y,401234567897,10.00\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as info:
        statements.import_statement(ctx, csv_file, actor="admin")
    assert "line 3" in str(info.value)
    assert "line 4" in str(info.value)
    assert upi.get_payment(ctx, p["id"])["status"] == "pending"
    assert ctx.store.scalar("SELECT count(*) FROM statement_imports") == 0
    with pytest.raises(ValidationError, match="No header row"):
        statements.import_statement(ctx, csv_file, preset="icici", actor="admin")
    with pytest.raises(ValidationError, match="Unknown statement preset"):
        statements.import_statement(ctx, csv_file, preset="axis", actor="admin")


def test_icici_export_with_preamble_and_crore_grouping(ctx, customer, tmp_path):
    p = _request(ctx, customer, "employee", "year")
    csv_file = tmp_path / "icici.csv"
    csv_file.write_text(
        "\ufeffDetailed Statement,,,,,,,\n"
        "S No.,Value Date,Transaction Date,Cheque Number,Transaction Remarks,"
        "Withdrawal Amount (INR ),Deposit Amount (INR ),Balance (INR )\n"
        f"1,26/11/2026,26/11/2026,401234567899,UPI/401234567899/{p['tr'].lower()}/ICIC,"
        '0.00,"23,999.00","1,02,23,999.00"\n',
        encoding="utf-8",
    )
    report = statements.import_statement(ctx, csv_file, preset="icici", actor="admin")
    assert [m["payment_ids"] for m in report["matched"]] == [[p["id"]]]
    assert upi.get_payment(ctx, p["id"])["amount_text"] == "₹23,999.00"
    assert upi.get_payment(ctx, p["id"])["status"] == "succeeded"


def test_a_line_that_fails_half_way_leaves_its_payment_untouched(ctx, customer, tmp_path):
    """The plan cannot be activated (its price was taken out of the catalog meanwhile):
    the line is reported, and the payment is not left 'succeeded' without a plan."""
    import dataclasses

    from backend.domain.catalog import Catalog

    p = _request(ctx, customer)
    ctx.catalog = Catalog(
        tuple(dataclasses.replace(t, prices={}) if t.id == "student" else t for t in ctx.catalog)
    )
    csv_file = tmp_path / "hdfc.csv"
    csv_file.write_text(
        HDFC_HEAD + f'26/11/26,"UPI-ASHA RAO-401234567890-{p["tr"]}",'
        '0000401234567890,26/11/26,,799.00,"1,00,799.00"\n',
        encoding="utf-8",
    )
    report = statements.import_statement(ctx, csv_file, preset="hdfc", actor="admin")
    assert _counts(report) == _counted(unmatched=1)
    assert "no monthly price" in report["unmatched"][0]["reason"]
    row = ctx.store.one("SELECT status, utr, receipt_no FROM payments WHERE id=?", (p["id"],))
    assert row == {"status": "pending", "utr": None, "receipt_no": None}
    assert ctx.store.scalar("SELECT count(*) FROM document_counters") == 0  # no number used
    kinds = ctx.store.query("SELECT kind FROM payment_events WHERE payment_id=?", (p["id"],))
    assert [k["kind"] for k in kinds] == ["created"]
    assert ctx.store.scalar("SELECT count(*) FROM statement_imports") == 1  # report kept


def test_old_mac_line_endings_are_read_and_a_broken_csv_is_a_message(ctx, customer, tmp_path):
    p = _request(ctx, customer)
    mac = tmp_path / "mac.csv"  # lines ended by a bare CR, as some exports still write
    mac.write_bytes(
        f"date,narration,reference,credit\r2026-11-26,UPI {p['tr']},401234567895,799.00\r".encode()
    )
    report = statements.import_statement(ctx, mac, actor="admin")
    assert _counts(report)["matched"] == 1
    huge = tmp_path / "huge.csv"  # an unclosed quote swallows the rest of the file
    huge.write_text(
        'date,narration,reference,credit\n2026-11-26,"UPI ' + "x" * 200_000 + "\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError, match="line 2"):
        statements.import_statement(ctx, huge, actor="admin")
    assert ctx.store.scalar("SELECT count(*) FROM statement_imports") == 1


@pytest.mark.parametrize("zero", ["0.0", "0.000", "00.00", "₹0"])
def test_a_zero_credit_is_a_debit_line_however_the_bank_writes_it(ctx, customer, tmp_path, zero):
    csv_file = tmp_path / "sbi.csv"
    csv_file.write_text(
        SBI_HEAD + f"26 Nov 2026,26 Nov 2026,ATM WDL 401234567893,,500.00,{zero},10299.00\n",
        encoding="utf-8",
    )
    report = statements.import_statement(ctx, csv_file, preset="sbi", actor="admin")
    assert _counts(report) == _counted()


def test_reimport_retries_lines_staff_fixed_and_never_applies_a_line_twice(ctx, customer, tmp_path):
    p = _request(ctx, customer)
    csv_file = tmp_path / "sbi.csv"
    csv_file.write_text(
        SBI_HEAD
        + f"26 Nov 2026,26 Nov 2026,UPI/CR/401234567894/ASHA/ICIC/a@ok/{p['tr']},,,799.00,1\n"
        + "26 Nov 2026,26 Nov 2026,UPI/CR/401234567895/ASHA/ICIC/a@ok/-,,,2399.00,2\n",
        encoding="utf-8",
    )
    first = statements.import_statement(ctx, csv_file, preset="sbi", actor="admin")
    assert _counts(first) == _counted(matched=1, unmatched=1)
    assert first["applied"] == 1
    paid = upi.get_payment(ctx, p["id"])
    assert (paid["status"], paid["utr"]) == ("succeeded", "401234567894")
    events = ctx.store.scalar("SELECT count(*) FROM payment_events")

    # staff find another customer had paid before a request was made: they make it now
    other = customers.add_customer(ctx, name="Ravi", email="ravi@example.in", actor="t")["id"]
    q = _request(ctx, other, "employee")
    again = statements.import_statement(ctx, csv_file, preset="sbi", actor="admin")
    assert _counts(again) == _counted(held=1, known=1)  # a UTR alone: held for staff
    assert again["retried"] == 1
    assert upi.get_payment(ctx, q["id"])["status"] == "pending"

    # once more, and in an overlapping export: nothing is applied or held again
    third = statements.import_statement(ctx, csv_file, preset="sbi", actor="admin")
    assert third["already_imported"] is True
    assert third["applied"] == 0
    overlap = tmp_path / "sbi-2.csv"
    overlap.write_text(csv_file.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    fourth = statements.import_statement(ctx, overlap, preset="sbi", actor="admin")
    assert _counts(fourth) == _counted(known=2)
    assert ctx.store.scalar("SELECT count(*) FROM payment_events") == events + 2  # q: made, held
    assert ctx.store.scalar("SELECT count(*) FROM payments WHERE receipt_no IS NOT NULL") == 1
    outcome = "SELECT outcome, payment_id FROM statement_lines WHERE amount=79900"
    assert ctx.store.one(outcome) == {"outcome": "matched", "payment_id": p["id"]}


def test_an_ambiguous_line_settled_by_staff_is_not_applied_again(ctx, customer, tmp_path):
    a, b = _request(ctx, customer), _request(ctx, customer)
    csv_file = tmp_path / "sbi.csv"
    csv_file.write_text(
        SBI_HEAD + "26 Nov 2026,26 Nov 2026,UPI/CR/401234567896/ASHA/ICIC/a@ok/-,,,799.00,1\n",
        encoding="utf-8",
    )
    assert (
        len(statements.import_statement(ctx, csv_file, preset="sbi", actor="a")["ambiguous"]) == 1
    )
    upi.confirm_with_utr(ctx, a["id"], "401234567896", actor="staff:1")  # staff settle it
    upi.cancel_request(ctx, b["id"], actor="staff:1")
    again = statements.import_statement(ctx, csv_file, preset="sbi", actor="a")
    assert _counts(again) == _counted(matched=1)
    assert again["matched"][0]["reason"] == "utr already recorded"
    assert again["applied"] == 0
    assert ctx.store.scalar("SELECT count(*) FROM payments WHERE receipt_no IS NOT NULL") == 1
    assert upi.get_payment(ctx, b["id"])["status"] == "canceled"


@pytest.mark.parametrize(
    ("narration", "vpa"),
    [
        ("UPI-ARJUN R-arjun.r@okicici-512345678902-UPI", "arjun.r@okicici"),
        ("UPI/P2A/612345670000/SOMEONE ELSE/friend@oksbi/dinner split", "friend@oksbi"),
        ("NEFT-RENT-N12345", None),
    ],
)
def test_the_payers_vpa_is_read_from_a_narration_as_banks_write_it(narration, vpa):
    assert statements._payer_vpa(narration) == vpa
