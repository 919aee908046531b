"""``autoos-checkout upi …`` as an admin runs it: a child process, JSON out, exit 2 on errors."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from PIL import Image

from tests.qr_reading import read_qr

UPI_ENV = {"UPI_DEFAULT_VPA": "autoos.shop@okaxis", "UPI_PAYEE_NAME": "AUTOOS Shop"}


def test_request_confirm_and_errors(cli, tmp_path):
    added = cli("customer", "add", "--name", "Asha Rao", "--email", "asha@example.in", "--json")
    assert added.code == 0, added.stderr
    png = tmp_path / "qr.png"
    made = cli(
        "upi",
        "request",
        "--customer",
        str(added.json["id"]),
        "--tier",
        "student",
        "--interval",
        "month",
        "--png",
        str(png),
        "--json",
        env=UPI_ENV,
    )
    assert made.code == 0, made.stderr
    request = made.json
    nowhere = str(tmp_path / "no-such-folder" / "qr.svg")
    refused = cli("upi", "request", "--customer", str(added.json["id"]), "--tier", "student",
                  "--interval", "month", "--svg", nowhere, "--json", env=UPI_ENV)  # fmt: skip
    assert (refused.code, refused.stderr.startswith("error: Cannot write")) == (2, True)
    listed = cli("audit", "--json").json["entries"]  # exit 2 left the database unchanged
    assert [e["action"] for e in listed].count("payment.created") == 1
    assert set(request) == {"id", "uri", "amount", "currency", "tr", "status", "expires_at"}
    assert (request["amount"], request["currency"], request["status"]) == (79900, "INR", "pending")
    assert read_qr(Image.open(png)) == [request["uri"]]

    bad = cli("upi", "confirm", request["id"], "--utr", "12ab", "--json", env=UPI_ENV)
    assert bad.code == 2
    assert "12-digit" in bad.stderr
    ok = cli("upi", "confirm", request["id"], "--utr", "401234567890", "--json", env=UPI_ENV)
    assert ok.code == 0, ok.stderr
    assert (ok.json["status"], ok.json["receipt_no"]) == ("succeeded", "AC/2627/000001")
    status = cli("upi", "status", request["id"], "--json", env=UPI_ENV)
    assert (status.json["utr"], status.json["confirmed_by"]) == ("401234567890", "cli")
    missing = cli("upi", "cancel", "upi_nope", "--json", env=UPI_ENV)
    assert missing.code == 2
    assert "no UPI payment" in missing.stderr

    statement = tmp_path / "s.csv"
    statement.write_text(
        "date,narration,reference,credit\n2026-11-26,UPI x,1,5.00\n", encoding="utf-8"
    )
    report = cli("upi", "reconcile", str(statement), "--preset", "generic", "--json", env=UPI_ENV)
    assert report.code == 0, report.stderr
    assert len(report.json["unmatched"]) == 1


def test_not_configured_exits_2(cli):
    cli("customer", "add", "--name", "B", "--phone", "9876543210", "--json")
    result = cli(
        "upi",
        "request",
        "--customer",
        "1",
        "--tier",
        "student",
        "--interval",
        "month",
        "--json",
        env={"UPI_DEFAULT_VPA": ""},
    )
    assert result.code == 2
    assert "UPI payments are not set up" in result.stderr


def _today_in_india() -> date:
    return datetime.now(ZoneInfo("Asia/Kolkata")).date()


def test_reconcile_recognises_an_axis_statement_without_a_preset(cli, tmp_path):
    day = _today_in_india()  # before the request: the line is never after its expiry
    customer = cli("customer", "add", "--name", "Asha Rao", "--email", "asha@example.in", "--json")
    request = cli("upi", "request", "--customer", str(customer.json["id"]), "--tier", "student",
                  "--interval", "month", "--json", env=UPI_ENV).json  # fmt: skip
    axis = tmp_path / "axis.csv"
    axis.write_text(
        "Name :- ASHA RAO,,,,,,\n"
        "Statement of Account No - 912010012345678,,,,,,\n"
        "Tran Date,CHQNO,PARTICULARS,DR,CR,BAL,SOL\n"
        ",,OPENING BALANCE,,,10000.00,\n"
        f"{day:%d-%m-%Y},,UPI/P2M/401234567892/ASHA RAO/{request['tr']}/ICICI Bank,,799.00,"
        "10799.00,1234\n"
        f"{day:%d-%m-%Y},,ATM-CASH/MUMBAI,500.00,,10299.00,1234\n"
        ",,TRANSACTION TOTAL,500.00,799.00,,\n",
        encoding="utf-8",
    )
    report = cli("upi", "reconcile", str(axis), "--json", env=UPI_ENV)
    assert report.code == 0, report.stderr
    assert report.json["preset"] == "generic"
    assert [m["line"] for m in report.json["matched"]] == [5]
    assert report.json["applied"] == 1
    status = cli("upi", "status", request["id"], "--json", env=UPI_ENV).json
    assert (status["status"], status["utr"]) == ("succeeded", "401234567892")

    # Excel's "Unicode text": UTF-16 with a BOM, tab-separated
    sbi = tmp_path / "sbi.txt"
    sbi.write_bytes(
        (
            "Account Name\t:\tMr. ASHA RAO\n"
            "Txn Date\tValue Date\tDescription\tRef No./Cheque No.\tDebit\tCredit\tBalance\n"
            f"{day:%d %b %Y}\t{day:%d %b %Y}\tBY TRANSFER-UPI/CR/401234567899/X\t\t\t5.00\t1\n"
        ).encode("utf-16")
    )
    report = cli("upi", "reconcile", str(sbi), "--json", env=UPI_ENV)
    assert report.code == 0, report.stderr
    assert [u["line"] for u in report.json["unmatched"]] == [3]


def test_reconcile_with_columns_for_a_layout_nobody_recognises(cli, tmp_path):
    statement = tmp_path / "coop-bank.csv"
    statement.write_text(
        "Posted On;Info;Money Received;UPI Ref\n"
        "26.11.2026;UPI from ASHA;5.00;401234567890\n"
        "27.11.2026;Cash;;\n",
        encoding="utf-8",
    )
    refused = cli("upi", "reconcile", str(statement), "--json", env=UPI_ENV)
    assert refused.code == 2
    assert refused.stderr.startswith(
        "error: This statement's columns are: Posted On, Info, Money Received, UPI Ref — "
    )
    assert "--columns" in refused.stderr
    assert refused.stderr.strip().count("\n") == 0
    columns = "date=Posted On,narration=Info,credit=Money Received,reference=UPI Ref"
    report = cli("upi", "reconcile", str(statement), "--columns", columns, "--json", env=UPI_ENV)
    assert report.code == 0, report.stderr
    assert report.json["preset"] == "custom"
    assert [(u["line"], u["amount"], u["date"]) for u in report.json["unmatched"]] == [
        (2, 500, "2026-11-26")
    ]


def test_a_bad_columns_string_is_one_line_and_changes_nothing(cli, tmp_path):
    statement = tmp_path / "s.csv"
    statement.write_text(
        "date,narration,reference,credit\n2026-11-26,UPI x,1,5.00\n", encoding="utf-8"
    )
    for args, message in [
        (("--columns", "Tran Date"), "error: The column mapping 'Tran Date' cannot be read"),
        (("--columns", "date=date,narration"), "does not name the narration column"),
        (("--columns", "date=date,narration=narration"), "does not name the credit amount"),
        (("--columns", "date=date,narration=narration,credit=credit", "--preset", "hdfc"),
         "not both"),
        (("--preset", "axis"), "Unknown statement preset 'axis'"),
    ]:  # fmt: skip
        result = cli("upi", "reconcile", str(statement), *args, "--json", env=UPI_ENV)
        assert result.code == 2, args
        assert message in result.stderr
        assert result.stderr.strip().count("\n") == 0
        assert result.stdout == ""
    entries = cli("audit", "--json").json["entries"]
    assert "statement.import" not in [e["action"] for e in entries]
