"""UPI AutoPay: plans that renew themselves through a UPI mandate.

- ``payments.method`` and ``subscriptions.method`` accept ``upi_autopay``. SQLite cannot
  change a CHECK constraint in place, so both tables are rebuilt inside the migration's
  transaction: foreign keys are *deferred* (``PRAGMA defer_foreign_keys``, which ends
  with the transaction), the rows are copied aside, the table is dropped and created
  again with the wider CHECK (its own stored SQL, so every column added by earlier
  migrations is kept in its place), the rows go back (which settles the deferred
  references) and its indexes are created again. Nothing else changes.
- a subscription remembers its mandate: provider, id, status and terms (amount,
  fixed/maximum, end date), the Stripe payment method it debits, Razorpay's
  subscription id, and since when it is past due (the grace period counts from there);
- ``dunning_notices``: one per failed renewal (unique per provider and invoice), with
  its at-most-once email and how it was settled;
- ``psp_plans``: the Razorpay plan made for each price; ``psp_events``: each Razorpay
  subscription webhook applied once.
"""

from backend.store.migrations import MIGRATIONS, run_script

WIDER_CHECKS = {
    "payments": (
        "CHECK (method IN ('upi_qr', 'stripe_checkout', 'stripe_terminal', 'card_on_file'))",
        "CHECK (method IN ('upi_qr', 'upi_autopay', 'stripe_checkout', 'stripe_terminal', "
        "'card_on_file'))",
    ),
    "subscriptions": (
        "CHECK (method IN ('upi', 'card'))",
        "CHECK (method IN ('upi', 'card', 'upi_autopay'))",
    ),
}

AUTOPAY = """
ALTER TABLE subscriptions ADD COLUMN autopay_provider TEXT;
ALTER TABLE subscriptions ADD COLUMN mandate_id TEXT;
ALTER TABLE subscriptions ADD COLUMN mandate_status TEXT;
ALTER TABLE subscriptions ADD COLUMN mandate_amount INTEGER;
ALTER TABLE subscriptions ADD COLUMN mandate_amount_type TEXT;
ALTER TABLE subscriptions ADD COLUMN mandate_end TEXT;
ALTER TABLE subscriptions ADD COLUMN mandate_payment_method TEXT;
ALTER TABLE subscriptions ADD COLUMN psp_subscription_id TEXT;
ALTER TABLE subscriptions ADD COLUMN past_due_since TEXT;
CREATE UNIQUE INDEX subscriptions_psp ON subscriptions(autopay_provider, psp_subscription_id)
    WHERE psp_subscription_id IS NOT NULL;
CREATE INDEX subscriptions_mandate ON subscriptions(mandate_id);
CREATE INDEX subscriptions_mandate_pm ON subscriptions(mandate_payment_method);

CREATE TABLE dunning_notices (
    id INTEGER PRIMARY KEY,
    subscription_id INTEGER NOT NULL REFERENCES subscriptions(id),
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    provider TEXT NOT NULL,
    invoice_ref TEXT NOT NULL,
    failed_payment_id TEXT REFERENCES payments(id),
    amount INTEGER NOT NULL CHECK (amount > 0),
    currency TEXT NOT NULL,
    reason TEXT NOT NULL,
    hosted_url TEXT,
    created_at TEXT NOT NULL,
    grace_until TEXT NOT NULL,
    status TEXT NOT NULL
        CHECK (status IN ('open', 'paid', 'collected', 'new_mandate', 'canceled')),
    resolved_at TEXT,
    resolved_by TEXT,
    resolution_payment_id TEXT REFERENCES payments(id),
    qr_payment_id TEXT REFERENCES payments(id),
    out_of_band TEXT CHECK (out_of_band IN ('queued', 'done', 'refused')),
    out_of_band_error TEXT,
    email_status TEXT NOT NULL
        CHECK (email_status IN ('pending', 'sending', 'sent', 'failed', 'skipped', 'unknown')),
    email_to TEXT,
    email_attempts INTEGER NOT NULL DEFAULT 0,
    email_claimed_at TEXT,
    email_sent_at TEXT,
    email_error TEXT,
    UNIQUE (provider, invoice_ref)
);
CREATE INDEX dunning_open ON dunning_notices(status, created_at);
CREATE INDEX dunning_subscription ON dunning_notices(subscription_id, status);
CREATE INDEX dunning_email ON dunning_notices(email_status);

CREATE TABLE psp_plans (
    psp TEXT NOT NULL,
    tier TEXT NOT NULL,
    interval TEXT NOT NULL,
    amount INTEGER NOT NULL,
    plan_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (psp, tier, interval, amount)
);

CREATE TABLE psp_events (
    psp TEXT NOT NULL,
    event_key TEXT NOT NULL,
    type TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    PRIMARY KEY (psp, event_key)
);
"""


def widen_check(store, table: str, old: str, new: str) -> None:
    """Rebuild ``table`` with one CHECK constraint replaced (inside the transaction):
    SQLite cannot alter a constraint; PostgreSQL replaces it in place."""
    if store.engine == "postgresql":
        from backend.store.migrations.postgres_ddl import replace_check

        replace_check(store, table, new)
        return
    conn = store.conn
    sql = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type='table' AND name=?", (table,)
    ).fetchone()[0]
    if old not in sql:
        raise RuntimeError(f"{table}: the constraint to widen is not in its schema")
    others = [
        row[0]
        for row in conn.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name=? AND type IN ('index', 'trigger') "
            "AND sql IS NOT NULL ORDER BY rowid",
            (table,),
        )
    ]
    copy = f"_m0009_{table}"
    conn.execute("PRAGMA defer_foreign_keys=ON")  # until this transaction commits
    conn.execute(f"CREATE TEMP TABLE {copy} AS SELECT * FROM main.{table}")
    conn.execute(f"DROP TABLE main.{table}")
    conn.execute(sql.replace(old, new))
    conn.execute(f"INSERT INTO main.{table} SELECT * FROM temp.{copy}")
    conn.execute(f"DROP TABLE temp.{copy}")
    for statement in others:
        conn.execute(statement)


@MIGRATIONS(name="0009_autopay")
def autopay(store) -> None:
    for table, (old, new) in WIDER_CHECKS.items():
        widen_check(store, table, old, new)
    run_script(store, AUTOPAY)
