"""kill -9 the sync worker (a child process draining the outbox) at random points, again
and again: after a restart nothing is sent twice and nothing is lost."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta

from backend.services.billing import card_subscriptions
from backend.services.cards.stripe_catalog import push_catalog
from backend.services.cards.stripe_customers import ensure_in_stripe
from backend.sync import outbox
from tests.conftest import ROOT, child_env
from tests.integration.stripe.conftest import API_KEY, make_customer
from tests.integration.stripe.mirror_check import assert_mirror_equals_fake, assert_no_duplicates

KILLS = 22


def _worker(db_path, config_path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "backend.cli", "stripe", "drain", "--json"],
        cwd=ROOT,
        env=child_env(
            AUTOOS_CHECKOUT_DB=str(db_path),
            AUTOOS_CHECKOUT_CONFIG=str(config_path),
            STRIPE_SECRET_KEY=API_KEY,
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_kill_minus_nine_at_random_points(sctx, fake, clock, db_path, tmp_path):
    # the child uses the wall clock; rows queued here must already be due for it
    clock.set(datetime.now(UTC) - timedelta(hours=1))
    config = tmp_path / "settings.toml"
    config.write_text(
        f'[stripe]\napi_base = "{fake.url}"\nnetwork_retry_max_delay_ms = 0\ntimeout_ms = 2000\n'
    )
    push_catalog(sctx, actor="test")
    customers = [make_customer(sctx, n) for n in range(60)]
    for cid in customers:
        ensure_in_stripe(sctx, cid, actor="test")
    for cid in customers[:40]:
        card_subscriptions.subscribe(
            sctx,
            customer_id=cid,
            tier="student",
            interval="month",
            currency="INR",
            trial_days=30,
            actor="test",
        )
    queued = outbox.sync_state(sctx)["waiting"]
    assert queued >= 100

    rng = random.Random(9)
    killed_mid_run = 0
    for _ in range(KILLS):
        if outbox.sync_state(sctx)["waiting"] == 0:
            break
        before = len(fake.requests)
        child = _worker(db_path, config)
        target = before + rng.randint(1, 6)
        # wait for the chosen request to arrive, unless the worker finished first
        while not fake.wait_for_requests(target, timeout=0.05) and child.poll() is None:
            pass
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        killed_mid_run += child.returncode == -signal.SIGKILL
    assert killed_mid_run >= 20

    final = _worker(db_path, config)
    _out, err = final.communicate(timeout=120)
    assert final.returncode == 0, err
    state = outbox.sync_state(sctx)
    assert state["waiting"] == 0
    assert state["failed"] == 0, [(r["kind"], r["last_error"]) for r in outbox.failed_rows(sctx)]
    assert_no_duplicates(fake)
    counts = assert_mirror_equals_fake(sctx, fake)
    assert counts["customers"] == 60
    assert counts["subscriptions"] == 40
    # every write was stored with its key before it was sent: nothing reached Stripe
    # that the outbox does not know of
    assert len(fake.all("customer")) == 60
    assert len(fake.all("subscription")) == 40
