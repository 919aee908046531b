"""Invoices: GST lines on the PDF, deterministic bytes, gapless numbers across processes."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from pypdf import PdfReader

from app.till.printing import save_page_png
from backend.errors import NotConfigured, StateError
from backend.services.billing import invoices, numbering
from tests.conftest import ROOT, child_env

GSTIN = "29AABCA1234F1Z5"


@pytest.fixture
def shop(settings):
    settings.shop.name = "AUTOOS Technologies Pvt Ltd"
    settings.shop.address = "12 MG Road\nBengaluru 560001"
    settings.shop.state = "Karnataka"
    settings.shop.gstin = GSTIN
    return settings.shop


def pdf_text(data: bytes) -> str:
    import io

    return " ".join(PdfReader(io.BytesIO(data)).pages[0].extract_text().split())


def test_same_state_invoice_shows_gstin_cgst_sgst_and_totals(ctx, rows, shop):
    cid = rows.customer("Asha Rao", state="Karnataka")
    rows.payment("pay-1", cid, amount=79900, paid_at="2026-11-26T09:00:00Z")
    doc = invoices.invoice_for_payment(ctx, "pay-1")
    assert doc["number"] == "AC/2627/000001"
    assert doc["taxable"] + sum(t["amount"] for t in doc["taxes"]) == 79900
    text = pdf_text(invoices.invoice_pdf(ctx, "pay-1"))
    assert f"GSTIN: {GSTIN}" in text
    assert "TAX INVOICE" in text
    assert "AC/2627/000001" in text
    assert "998314" in text
    assert "Asha Rao" in text
    assert "State: Karnataka" in text
    assert "Taxable value ₹677.12" in text
    assert "CGST @ 9% ₹60.94" in text
    assert "SGST @ 9% ₹60.94" in text
    assert "Total ₹799.00" in text
    assert "Paid by: UPI QR" in text  # the till's words for the method
    assert "IGST" not in text


def test_other_state_gets_igst_and_page_one_renders(ctx, rows, shop, tmp_path):
    cid = rows.customer("Vikram Singh", state="Maharashtra", email="vikram@example.com")
    rows.payment(
        "pay-2", cid, amount=2399900, tier="employee", interval="year",
        refunded_amount=100000, paid_at="2026-11-20T09:00:00Z", utr="123456789012",
    )  # fmt: skip
    data = invoices.invoice_pdf(ctx, "pay-2")
    text = pdf_text(data)
    assert "IGST @ 18% ₹3,660.86" in text  # 23,999.00 - 20,338.14
    assert "Taxable value ₹20,338.14" in text
    assert "Total ₹23,999.00" in text
    assert "Refunded -₹1,000.00" in text
    assert "Net paid ₹22,999.00" in text
    assert "CGST" not in text
    out = tmp_path / "invoice-page1.png"
    save_page_png(data, out)
    assert out.stat().st_size > 10_000


def test_usd_receipt_has_no_gst_and_reprints_identically(ctx, rows, shop):
    cid = rows.customer("Dana Lee", state=None)
    rows.payment(
        "pay-3", cid, amount=2999, currency="USD", method="stripe_checkout",
        paid_at="2026-11-26T09:00:00Z",
    )  # fmt: skip
    first = invoices.invoice_pdf(ctx, "pay-3")
    second = invoices.invoice_pdf(ctx, "pay-3")
    assert first == second
    text = pdf_text(first)
    assert "RECEIPT" in text
    assert "Total $29.99" in text
    assert "Paid by: Card (Stripe)" in text
    assert "GST" not in text
    assert b"D:20261126090000" in first  # creation date is the payment's, not the clock's


def test_unpaid_payment_has_no_invoice_and_gstin_is_required(ctx, rows, settings):
    cid = rows.customer()
    rows.payment("pay-4", cid, status="pending")
    with pytest.raises(StateError, match="only a completed payment"):
        invoices.invoice_for_payment(ctx, "pay-4")
    rows.payment("pay-5", cid, paid_at="2026-11-26T09:00:00Z")
    with pytest.raises(NotConfigured, match="GSTIN"):
        invoices.invoice_for_payment(ctx, "pay-5")
    # without the shop's state every buyer with a state would be charged IGST
    settings.shop.gstin = "29ABCDE1234F1ZW"
    with pytest.raises(NotConfigured, match="state"):
        invoices.invoice_for_payment(ctx, "pay-5")
    assert ctx.store.scalar("SELECT receipt_no FROM payments WHERE id='pay-5'") is None


CHILD = textwrap.dedent(
    """
    import sys
    from backend.clock import ManualClock
    from backend.config import Secrets, Settings
    from backend.domain.catalog import load_catalog
    from backend.services.billing import invoices, numbering
    from backend.context import Context
    from backend.store import open_store

    ctx = Context(store=open_store(sys.argv[1]), clock=ManualClock("2026-11-26T10:00:00Z"),
                  catalog=load_catalog(), settings=Settings(), secrets=Secrets(env={}))
    start, stop = int(sys.argv[2]), int(sys.argv[3])
    print("ready", flush=True)
    sys.stdin.readline()
    for i in range(start, stop):
        invoices.issue_number(ctx, f"pay-{i}", actor=f"terminal-{start}")
    """
)


def test_two_processes_issue_gapless_unique_numbers(ctx, rows, db_path):
    cid = rows.customer()
    per_child = 60
    for i in range(2 * per_child):
        rows.payment(f"pay-{i}", cid, paid_at="2026-11-26T09:00:00Z")
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(db_path), str(lo), str(lo + per_child)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=child_env(),
            cwd=ROOT,
            text=True,
        )
        for lo in (0, per_child)
    ]
    for child in children:
        assert child.stdout.readline().strip() == "ready"
    for child in children:  # release both at once
        child.stdin.write("go\n")
        child.stdin.flush()
    for child in children:
        _, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
    numbers = [r["receipt_no"] for r in ctx.store.query("SELECT receipt_no FROM payments")]
    assert len(numbers) == len(set(numbers)) == 2 * per_child
    assert sorted(numbers) == [f"AC/2627/{n:06d}" for n in range(1, 2 * per_child + 1)]
    assert all(len(n) <= 16 for n in numbers)
    # both terminals really interleaved: each holds numbers from both halves of the series
    by_actor: dict[str, list[int]] = {}
    for actor, detail in ctx.store.fetchall(
        "SELECT actor, detail FROM audit_log WHERE action='invoice.number'"
    ):
        by_actor.setdefault(actor, []).append(json.loads(detail)["number"])
    assert len(by_actor) == 2


def test_invoice_is_emailed_as_a_pdf_attachment(mail_ctx, smtp_server, rows, shop):
    cid = rows.customer("Asha Rao", email="asha@example.com")
    rows.payment("pay-9", cid, amount=79900, paid_at="2026-11-26T09:00:00Z")
    sent = invoices.email_invoice(mail_ctx, "pay-9", actor="staff:1")
    assert sent["to"] == "asha@example.com"
    (msg,) = smtp_server.messages
    assert str(msg["Subject"]) == "AUTOOS Technologies Pvt Ltd tax invoice AC/2627/000001"
    (attachment,) = list(msg.iter_attachments())
    assert attachment.get_filename() == "Tax-Invoice-AC-2627-000001.pdf"
    assert attachment.get_content() == invoices.invoice_pdf(mail_ctx, "pay-9")
    logged = mail_ctx.store.one("SELECT * FROM audit_log WHERE action='invoice.email'")
    assert logged["actor"] == "staff:1"


def test_email_without_mail_settings_says_what_to_set(ctx, rows, shop):
    cid = rows.customer()
    rows.payment("pay-10", cid, paid_at="2026-11-26T09:00:00Z")
    with pytest.raises(NotConfigured, match=r"\[mail\]"):
        invoices.email_invoice(ctx, "pay-10", actor="staff:1")


def test_invoice_date_and_financial_year_follow_the_indian_calendar(ctx, rows, shop, clock):
    """Paid at 00:30 IST on 1 April 2027 (still 31 March in UTC): a GST invoice of
    1 April, numbered in the 2027-28 series."""
    cid = rows.customer("Asha Rao", state="Karnataka")
    clock.set("2027-03-31T19:00:00Z")
    rows.payment("pay-fy", cid, amount=79900, paid_at="2027-03-31T19:00:00Z")
    doc = invoices.invoice_for_payment(ctx, "pay-fy")
    assert (doc["date"], doc["number"]) == ("2027-04-01", "AC/2728/000001")
    assert numbering.financial_year(clock.now()) == "2027-28"
