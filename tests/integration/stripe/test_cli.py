"""The admin CLI for Stripe, run as a separate process against the fake Stripe."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.integration.stripe.conftest import API_KEY


def test_status_checkout_sync_refund_and_errors(cli, fake, clock, db_path):
    clock.set(datetime.now(UTC).replace(microsecond=0))  # the CLI child runs on the wall clock
    env = {"STRIPE_SECRET_KEY": API_KEY, "STRIPE_API_BASE": fake.url}
    added = cli("customer", "add", "--name", "Ravi", "--email", "ravi@example.com", "--json")
    assert added.code == 0, added.stderr
    cid = str(added.json["id"])

    status = cli("stripe", "status", "--json", env=env)
    assert status.code == 0, status.stderr
    assert status.json["configured"] is True
    assert status.json["reachable"] is True

    started = cli(
        "card",
        "checkout",
        "--customer",
        cid,
        "--tier",
        "student",
        "--interval",
        "month",
        "--currency",
        "INR",
        "--json",
        env=env,
    )
    assert started.code == 0, started.stderr
    assert set(started.json) == {"id", "url", "status", "expires_at"}
    assert started.json["status"] == "pending"
    [session] = fake.all("checkout.session")
    assert started.json["url"] == session["url"]

    fake.complete_session(session["id"])
    synced = cli("sync", "--json", env=env)  # the top-level spelling of `stripe sync`
    assert synced.code == 0, synced.stderr
    assert synced.json["events"]["applied"] >= 5
    assert synced.json["state"]["waiting"] == 0

    refunded = cli("refund", started.json["id"], "--amount", "100.00", "--json", env=env)
    assert refunded.code == 0, refunded.stderr
    assert refunded.json["status"] == "succeeded"
    assert refunded.json["amount"] == 10000
    assert [r["amount"] for r in fake.all("refund")] == [10000]

    typo = cli("refund", started.json["id"], "--amount", "1O0", "--json", env=env)
    assert typo.code == 2
    assert typo.stderr.startswith("error: ")
    assert len(typo.stderr.strip().splitlines()) == 1

    shown = cli("subscription", "show", "1", "--json", env=env)
    assert shown.code == 0, shown.stderr
    assert shown.json["tier"] == "student"
    assert shown.json["status"] == "active"

    upgraded = cli("subscription", "upgrade", "1", "--tier", "employee", "--json", env=env)
    assert upgraded.code == 0, upgraded.stderr
    assert 0 < upgraded.json["preview"]["amount_due"] <= 239900 - 79900
    assert upgraded.json["subscription"]["tier"] == "employee"
    charged = [
        i["total"] for i in fake.all("invoice") if i["billing_reason"] == "subscription_update"
    ]
    assert charged == [upgraded.json["preview"]["amount_due"]]

    downgraded = cli("subscription", "downgrade", "1", "--tier", "student", "--json", env=env)
    assert downgraded.code == 0, downgraded.stderr
    assert downgraded.json["pending_tier"] == "student"
    assert downgraded.json["queued"] == []

    cancelled = cli("subscription", "cancel", "1", "--at-period-end", "--json", env=env)
    assert cancelled.code == 0, cancelled.stderr
    assert cancelled.json["cancel_at_period_end"] == 1
    assert cancelled.json["pending_tier"] is None
    [remote] = fake.all("subscription")
    assert remote["cancel_at_period_end"] is True
    assert remote["schedule"] is None


def test_without_a_key_card_is_not_configured(cli):
    added = cli("customer", "add", "--name", "Ravi", "--email", "ravi@example.com", "--json")
    status = cli("stripe", "status", "--json")
    assert status.json["configured"] is False
    assert "not configured" in status.json["reason"]
    refused = cli(
        "card",
        "checkout",
        "--customer",
        str(added.json["id"]),
        "--tier",
        "student",
        "--interval",
        "month",
        "--json",
    )
    assert refused.code == 2
    assert "not configured" in refused.stderr


def test_status_with_a_refused_key_reports_instead_of_failing(cli, fake):
    env = {"STRIPE_SECRET_KEY": "sk_test_revoked", "STRIPE_API_BASE": fake.url}
    status = cli("stripe", "status", "--json", env=env)
    assert status.code == 0, status.stderr
    assert (status.json["configured"], status.json["reachable"]) == (True, False)
    assert "STRIPE_SECRET_KEY" in status.json["reason"]
    assert "sk_test_revoked" not in status.stdout + status.stderr
