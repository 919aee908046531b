"""Trial reminders against a local SMTP server: one email per reminder, never twice."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backend.clock import to_iso
from backend.services.reports import reminders


def ends_in(clock, **delta) -> tuple[str, str]:
    ends = clock.now() + timedelta(**delta)
    return to_iso(ends - timedelta(days=30)), to_iso(ends)


@pytest.fixture
def trials(rows, clock):
    people = {}
    for key, delta, status in (
        ("a", {"days": 7, "hours": -1}, "active"),  # 7-day reminder due
        ("b", {"days": 2, "hours": 12}, "active"),  # 3-day due (7-day superseded)
        ("c", {"hours": 12}, "active"),  # 1-day due
        ("d", {"hours": -1}, "active"),  # just ended: expiry notice
        ("e", {"days": 2}, "converted"),  # bought a plan: nothing
        ("f", {"days": 20}, "active"),  # not yet
    ):
        cid = rows.customer(f"Person {key.upper()}", email=f"{key}@example.com")
        rows.trial(cid, *ends_in(clock, **delta), status=status)
        people[key] = cid
    # no email address: in-app only
    with rows.ctx.store.transaction():
        rows.ctx.store.execute(
            "INSERT INTO customers (id, name, name_key, phone, created_at, updated_at) "
            "VALUES (100, 'Phone Only', 'phone only', '+919876543210', ?, ?)",
            (rows.ctx.now_iso(), rows.ctx.now_iso()),
        )
    rows.trial(100, *ends_in(clock, hours=20))
    people["g"] = 100
    return people


def recipients(inbox) -> list[str]:
    return sorted(str(m["To"]) for m in inbox.messages)


def test_each_reminder_is_emailed_once_and_listed_in_app(mail_ctx, smtp_server, trials, clock):
    first = reminders.send_due(mail_ctx, actor="cron")
    assert first["emailed"] == 4
    assert recipients(smtp_server) == [
        "a@example.com",
        "b@example.com",
        "c@example.com",
        "d@example.com",
    ]
    subjects = {str(m["To"]): str(m["Subject"]) for m in smtp_server.messages}
    assert subjects["a@example.com"] == "7 days left in your AUTOOS free trial"
    assert subjects["b@example.com"] == "3 days left in your AUTOOS free trial"
    assert subjects["c@example.com"] == "1 day left in your AUTOOS free trial"
    assert subjects["d@example.com"] == "Your AUTOOS free trial has ended"

    again = reminders.send_due(mail_ctx, actor="cron")
    assert (again["created"], again["emailed"]) == (0, 0)
    assert len(smtp_server.messages) == 4

    listed = {r["name"]: r for r in reminders.in_app_reminders(mail_ctx)}
    assert set(listed) == {"Person A", "Person B", "Person C", "Person D", "Phone Only"}
    assert listed["Phone Only"]["email_status"] == "skipped"
    assert listed["Person A"]["days_left"] == 7
    assert listed["Person B"]["stage"] == "3d"

    # four days on: A is 3 days out, B and C have expired; each gets its next notice once
    clock.advance(days=4)
    later = reminders.send_due(mail_ctx, actor="cron")
    assert later["emailed"] == 3
    new = sorted((str(m["To"]), str(m["Subject"])) for m in smtp_server.messages[4:])
    assert new == [
        ("a@example.com", "3 days left in your AUTOOS free trial"),
        ("b@example.com", "Your AUTOOS free trial has ended"),
        ("c@example.com", "Your AUTOOS free trial has ended"),
    ]
    assert reminders.send_due(mail_ctx, actor="cron")["emailed"] == 0
    assert len(smtp_server.messages) == 7
    # B's skipped 1-day stage is recorded as superseded, never sent
    stage_b = mail_ctx.store.query(
        "SELECT stage, email_status, done_action FROM trial_reminders WHERE customer_id=? "
        "ORDER BY id",
        (trials["b"],),
    )
    assert [(r["stage"], r["email_status"]) for r in stage_b] == [
        ("7d", "skipped"),
        ("3d", "sent"),
        ("1d", "skipped"),
        ("expired", "sent"),
    ]


class CrashAfterSending:
    """The process dies after the SMTP server accepted the mail, before it is recorded."""

    def __init__(self, real) -> None:
        self.real = real

    def send(self, **kwargs):
        self.real.send(**kwargs)
        raise KeyboardInterrupt


def test_a_crash_after_sending_never_sends_twice(mail_ctx, smtp_server, rows, clock):
    cid = rows.customer("Crash Test", email="crash@example.com")
    rows.trial(cid, *ends_in(clock, hours=10))
    real = mail_ctx.adapters["mail"]
    mail_ctx.adapters["mail"] = CrashAfterSending(real)
    with pytest.raises(KeyboardInterrupt):
        reminders.send_due(mail_ctx, actor="cron")
    assert len(smtp_server.messages) == 1
    mail_ctx.adapters["mail"] = real
    assert reminders.send_due(mail_ctx, actor="cron")["emailed"] == 0  # claim still fresh
    clock.advance(minutes=20)
    result = reminders.send_due(mail_ctx, actor="cron")
    assert (result["emailed"], result["unknown"]) == (0, 1)
    assert len(smtp_server.messages) == 1
    (item,) = reminders.in_app_reminders(mail_ctx)
    assert item["email_status"] == "unknown"
    assert "may or may not" in item["email_error"]


def test_unreachable_server_is_retried_next_run(mail_ctx, smtp_server, rows, clock, settings):
    cid = rows.customer("Retry", email="retry@example.com")
    rows.trial(cid, *ends_in(clock, days=3))
    good_port = settings.mail.port
    settings.mail.port = 9  # nothing listens on discard
    result = reminders.send_due(mail_ctx, actor="cron")
    assert (result["emailed"], result["retry"]) == (0, 1)
    settings.mail.port = good_port
    assert reminders.send_due(mail_ctx, actor="cron")["emailed"] == 1
    assert recipients(smtp_server) == ["retry@example.com"]


def test_staff_mark_done_and_feature_flag(ctx, rows, clock, settings):
    cid = rows.customer("Flagged", email="flag@example.com")
    rows.trial(cid, *ends_in(clock, days=1))
    settings.features.trial_reminders = False
    assert reminders.send_due(ctx, actor="cron")["enabled"] is False
    assert reminders.in_app_reminders(ctx) == []
    settings.features.trial_reminders = True
    assert reminders.send_due(ctx, actor="cron")["created"] == 1  # no mail set up: in-app
    (item,) = reminders.in_app_reminders(ctx)
    assert item["email_status"] == "skipped"
    reminders.mark_done(ctx, item["id"], action="called", actor="staff:1")
    assert reminders.in_app_reminders(ctx) == []
    actions = [e["action"] for e in ctx.store.query("SELECT action FROM audit_log")]
    assert actions == ["reminder.create", "reminder.done"]


def test_two_runners_at_once_send_each_email_once(mail_ctx, smtp_server, rows, clock, db_path):
    """Two cron runs (separate connections, as two processes would have) race."""
    import threading
    from dataclasses import replace

    from backend.store import open_store

    for i in range(20):
        cid = rows.customer(f"Racer {i}", email=f"racer{i}@example.com")
        rows.trial(cid, *ends_in(clock, days=1, hours=-i))
    contexts = [replace(mail_ctx, store=open_store(db_path)) for _ in range(2)]
    barrier = threading.Barrier(2)
    results = []

    def run(ctx):
        barrier.wait()
        results.append(reminders.send_due(ctx, actor="cron"))

    threads = [threading.Thread(target=run, args=(c,)) for c in contexts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for ctx in contexts:
        ctx.store.close()
    assert sum(r["emailed"] for r in results) == 20
    assert sorted(recipients(smtp_server)) == sorted(f"racer{i}@example.com" for i in range(20))
    assert (
        mail_ctx.store.scalar("SELECT COUNT(*) FROM trial_reminders WHERE email_status='sent'")
        == 20
    )


def test_emails_are_dated_by_the_injected_clock(mail_ctx, smtp_server, trials, clock):
    from email.utils import parsedate_to_datetime

    clock.set("2026-11-26T10:00:00Z")
    reminders.send_due(mail_ctx, actor="cron")
    assert smtp_server.messages
    assert {parsedate_to_datetime(str(m["Date"])) for m in smtp_server.messages} == {clock.now()}


def test_mail_set_up_wrongly_stops_the_run_and_keeps_the_reminders(
    mail_ctx, smtp_server, trials, settings
):
    """A missing SMTP password is the shop's problem: the run stops with the reason and
    every reminder is still sent once it is fixed, none is given up as 'failed'."""
    from backend.errors import NotConfigured

    settings.mail.username = "shop"  # a login is needed, SMTP_PASSWORD is not set
    with pytest.raises(NotConfigured, match="SMTP_PASSWORD"):
        reminders.send_due(mail_ctx, actor="cron")
    statuses = mail_ctx.store.query(
        "SELECT email_status, email_attempts FROM trial_reminders WHERE email_to IS NOT NULL"
    )
    assert {(r["email_status"], r["email_attempts"]) for r in statuses} == {("pending", 0)}
    settings.mail.username = ""  # fixed
    assert reminders.send_due(mail_ctx, actor="cron")["emailed"] == 4
    assert len(smtp_server.messages) == 4


def test_a_refused_mail_login_stops_the_run_and_keeps_the_reminders(rows, clock, ctx, settings):
    """A wrong SMTP password is fixed in the settings, not per message: nothing is given
    up as 'failed', the run ends with the reason."""
    import socket

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    from backend.adapters.mail import Mailer
    from backend.config import Secrets
    from backend.errors import ConfigError

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    class Inbox:
        async def handle_DATA(self, server, session, envelope):
            return "250 OK"

    def authenticator(server, session, envelope, mechanism, auth_data):
        return AuthResult(success=auth_data.password == b"right", handled=False)

    controller = Controller(
        Inbox(), hostname="127.0.0.1", port=port, authenticator=authenticator,
        auth_require_tls=False,
    )  # fmt: skip
    controller.start()
    try:
        settings.mail.host, settings.mail.port, settings.mail.starttls = "127.0.0.1", port, False
        settings.mail.sender, settings.mail.username = "shop@autoos.example", "shop"
        cid = rows.customer("Login Test", email="login@example.com")
        rows.trial(cid, *ends_in(clock, days=3))
        ctx.adapters["mail"] = Mailer(settings.mail, Secrets(env={"SMTP_PASSWORD": "wrong"}))
        with pytest.raises(ConfigError, match="refused the login"):
            reminders.send_due(ctx, actor="cron")
        status = ctx.store.one(
            "SELECT email_status, email_attempts FROM trial_reminders WHERE done_at IS NULL"
        )
        assert status == {"email_status": "pending", "email_attempts": 0}
        ctx.adapters["mail"] = Mailer(settings.mail, Secrets(env={"SMTP_PASSWORD": "right"}))
        assert reminders.send_due(ctx, actor="cron")["emailed"] == 1
    finally:
        controller.stop()
