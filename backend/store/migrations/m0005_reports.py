"""Reports: indexes the dashboard and exports need at a million payments, and the
trial reminder rows that make each reminder go out once.

Covering indexes let the dashboard sum a month of revenue from the index alone; the
reminder table is keyed by (customer, stage) so a second run cannot create a second row.
"""

from backend.store.migrations import MIGRATIONS, run_script

REPORTS = """
CREATE INDEX payments_revenue
    ON payments(currency, paid_at, status, amount, refunded_amount);
CREATE INDEX payments_created ON payments(created_at);
CREATE INDEX payments_attention ON payments(status, created_at, method, expires_at);
CREATE INDEX subscriptions_created ON subscriptions(created_at);
CREATE INDEX subscriptions_status_tier
    ON subscriptions(status, currency, tier, interval, amount);
CREATE INDEX customers_created ON customers(created_at);
CREATE INDEX trials_started ON trials(started_at, status, ends_at);
CREATE INDEX credit_ledger_at ON credit_ledger(at, kind, amount);
CREATE INDEX usage_events_day ON usage_events(at, kind, allowed);

CREATE TABLE trial_reminders (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    stage TEXT NOT NULL CHECK (stage IN ('7d', '3d', '1d', 'expired')),
    trial_ends_at TEXT NOT NULL,
    due_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    email_status TEXT NOT NULL CHECK (email_status IN
        ('pending', 'sending', 'sent', 'failed', 'skipped', 'unknown')),
    email_to TEXT,
    email_claimed_at TEXT,
    email_sent_at TEXT,
    email_attempts INTEGER NOT NULL DEFAULT 0,
    email_error TEXT,
    done_at TEXT,
    done_by TEXT,
    done_action TEXT CHECK (done_action IN ('called', 'upgraded', 'dismissed', 'superseded')),
    UNIQUE (customer_id, stage)
);
CREATE INDEX trial_reminders_open ON trial_reminders(done_at, due_at);
CREATE INDEX trial_reminders_email ON trial_reminders(email_status);
"""


@MIGRATIONS(name="0005_reports")
def reports(store) -> None:
    run_script(store, REPORTS)
