"""The CLI's dashboard and invoice commands, run as a separate process."""

from __future__ import annotations

from pypdf import PdfReader


def test_cli_dashboard_figures(cli, rows):
    cid = rows.customer()
    rows.payment("p1", cid, amount=79900, paid_at="2026-11-02T09:00:00Z")
    rows.payment("p2", cid, amount=999, currency="USD", paid_at="2026-11-03T09:00:00Z")
    result = cli("dashboard", "--from", "2026-11-01", "--to", "2026-11-05", "--json")
    assert result.code == 0, result.stderr
    assert result.json["revenue_range"] == 79900
    assert result.json["revenue_per_day"][1] == ["2026-11-02", 79900]
    usd = cli("dashboard", "--from", "2026-11-01", "--to", "2026-11-05", "--currency", "usd",
              "--json")  # fmt: skip
    assert usd.json["revenue_range"] == 999


def test_cli_invoice_pdf_and_missing_payment(cli, rows, tmp_path):
    cid = rows.customer("Dana Lee")
    rows.payment("p3", cid, amount=2999, currency="USD", paid_at="2026-11-26T09:00:00Z")
    out = tmp_path / "receipt.pdf"
    result = cli("invoice", "p3", "--out", str(out), "--json")
    assert result.code == 0, result.stderr
    assert result.json["number"] == "AC/2627/000001"
    assert "Dana Lee" in PdfReader(out).pages[0].extract_text()
    missing = cli("invoice", "nope")
    assert (missing.code, missing.stderr.strip()) == (2, "error: There is no payment nope.")
    unwritable = cli("invoice", "p3", "--out", str(tmp_path / "no-such-folder" / "r.pdf"))
    assert unwritable.code == 2
    assert unwritable.stderr.startswith("error: Cannot write")
    assert "Traceback" not in unwritable.stderr
