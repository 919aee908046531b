"""``autoos-checkout upi …`` as an admin runs it: a child process, JSON out, exit 2 on errors."""

from __future__ import annotations

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
    assert [e["action"] for e in listed].count("payment.create") == 1
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
