"""CSV exports: the rows of the range, progress, cancel without a half file, and the CLI."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta

import pytest

from backend.clock import to_iso
from backend.domain.periods import DateRange
from backend.errors import ValidationError
from backend.services.reports import exports

NOVEMBER = DateRange(date(2026, 11, 1), date(2026, 11, 30))


class Recorder:
    """A progress object that can cancel after a number of reports."""

    def __init__(self, cancel_after: int | None = None) -> None:
        self.calls: list[tuple[int, int]] = []
        self.cancel_after = cancel_after

    def set_progress(self, done: int, total: int) -> None:
        self.calls.append((done, total))

    def is_cancelled(self) -> bool:
        return self.cancel_after is not None and len(self.calls) > self.cancel_after


@pytest.fixture
def payments(rows):
    cid = rows.customer('=HYPERLINK("http://x")')
    for i in range(12):
        rows.payment(
            f"pay-{i:02d}", cid, amount=79900 + i, paid_at=f"2026-11-{i + 1:02d}T10:00:00Z"
        )
    rows.payment("pay-oct", cid, paid_at="2026-10-31T23:59:59Z")
    rows.payment("pay-dec", cid, paid_at="2026-12-01T00:00:00Z")
    return cid


def read(path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_payments_in_range_with_progress(ctx, payments, tmp_path, monkeypatch):
    monkeypatch.setattr(exports, "BATCH", 5)
    progress = Recorder()
    out = tmp_path / "payments.csv"
    result = exports.export_csv(ctx, "payments", NOVEMBER, out, progress)
    assert (result.rows, result.cancelled) == (12, False)
    rows = read(out)
    assert [r["id"] for r in rows] == [f"pay-{i:02d}" for i in range(12)]
    assert rows[0]["amount"] == "799.00"
    assert rows[11]["amount"] == "799.11"
    assert rows[11]["amount_minor"] == "79911"
    assert rows[0]["customer_name"] == '\'=HYPERLINK("http://x")'  # not a live formula
    assert progress.calls == [(0, 12), (5, 12), (10, 12), (12, 12)]


def test_cancel_leaves_no_file(ctx, payments, tmp_path, monkeypatch):
    monkeypatch.setattr(exports, "BATCH", 5)
    folder = tmp_path / "exports"
    folder.mkdir()
    result = exports.export_csv(
        ctx, "payments", NOVEMBER, folder / "payments.csv", Recorder(cancel_after=1)
    )
    assert result.cancelled
    assert result.rows == 5
    assert list(folder.iterdir()) == []


def test_customers_subscriptions_and_usage(ctx, rows, tmp_path):
    cid = rows.customer("Asha", at="2026-11-03T10:00:00Z")
    rows.customer("Old", at="2026-10-03T10:00:00Z")
    rows.trial(cid, "2026-11-03T10:00:00Z", "2026-12-03T10:00:00Z")
    rows.subscription(cid, created_at="2026-11-04T10:00:00Z", amount=2399900, interval="year")
    rows.usage(cid, "workflow", "2026-11-05T10:00:00Z")
    rows.usage(cid, "workflow", "2026-12-05T10:00:00Z")
    for kind in exports.KINDS:
        exports.export_csv(ctx, kind, NOVEMBER, tmp_path / f"{kind}.csv")
    (customer,) = read(tmp_path / "customers.csv")
    assert (customer["name"], customer["trial_status"]) == ("Asha", "active")
    (sub,) = read(tmp_path / "subscriptions.csv")
    assert (sub["amount"], sub["interval"], sub["customer_name"]) == ("23999.00", "year", "Asha")
    (event,) = read(tmp_path / "usage.csv")
    assert (event["kind"], event["at"]) == ("workflow", "2026-11-05T10:00:00Z")
    assert read(tmp_path / "payments.csv") == []


def test_bad_kind_and_range_are_refused(ctx, tmp_path):
    with pytest.raises(ValidationError, match="Export one of"):
        exports.export_csv(ctx, "staff", NOVEMBER, tmp_path / "x.csv")
    with pytest.raises(ValidationError, match="ends"):
        DateRange(date(2026, 11, 2), date(2026, 11, 1))


def test_cli_export_and_errors(cli, payments, tmp_path):
    out = tmp_path / "p.csv"
    done = cli("export", "payments", "--from", "2026-11-01", "--to", "2026-11-30",
               "--out", str(out), "--json")  # fmt: skip
    assert done.code == 0, done.stderr
    assert done.json["rows"] == 12
    assert len(read(out)) == 12
    bad = cli("export", "payments", "--from", "2026-13-01", "--to", "2026-11-30", "--out", "x")
    assert bad.code == 2
    assert bad.stderr.strip() == (
        "error: '2026-13-01' is not a date: write it as YYYY-MM-DD, e.g. 2026-11-01."
    )


def test_cli_reminders_send_once(cli, rows, smtp_server, settings, tmp_path):
    # the CLI runs on the real clock: the trial ends two days from now
    now = datetime.now(UTC)
    cid = rows.customer("Cli Person", email="cli@example.com")
    rows.trial(cid, to_iso(now - timedelta(days=28)), to_iso(now + timedelta(days=2)))
    config = tmp_path / "settings.toml"
    config.write_text(
        "[mail]\n"
        f'host = "127.0.0.1"\nport = {settings.mail.port}\n'
        'sender = "shop@autoos.example"\nstarttls = false\n'
    )
    env = {"AUTOOS_CHECKOUT_CONFIG": str(config)}
    first = cli("reminders", "--json", env=env)
    assert first.code == 0, first.stderr
    assert first.json["emailed"] == 1
    second = cli("reminders", "--json", env=env)
    assert second.json["emailed"] == 0
    assert [str(m["To"]) for m in smtp_server.messages] == ["cli@example.com"]
    listed = cli("reminders", "--list", "--json", env=env)
    assert [r["stage"] for r in listed.json["reminders"]] == ["3d"]
