"""Core schema: customers, staff, audit, trials, credits, usage, subscriptions, payments.

Ledgers (audit_log, credit_ledger, payment_events) are append-only: triggers refuse
UPDATE and DELETE. The credit ledger also refuses any entry that would take a bucket's
balance below zero, so no code path (or second process) can overdraw it.
"""

from backend.store.migrations import MIGRATIONS, run_script

CORE = """
CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL CHECK (length(trim(name)) > 0),
    name_key TEXT NOT NULL,
    email TEXT UNIQUE,
    phone TEXT UNIQUE,
    state TEXT,
    stripe_customer_id TEXT UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (email IS NOT NULL OR phone IS NOT NULL)
);
CREATE INDEX customers_name_key ON customers(name_key);

CREATE TABLE staff (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role TEXT NOT NULL CHECK (role IN ('staff', 'admin')),
    pin_hash BLOB NOT NULL,
    pin_salt BLOB NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_entity ON audit_log(entity, entity_id);

CREATE TABLE trials (
    customer_id INTEGER PRIMARY KEY REFERENCES customers(id),
    started_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    credits_granted INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'expired', 'converted')),
    closed_at TEXT
);
CREATE INDEX trials_ends_at ON trials(status, ends_at);

CREATE TABLE trial_identities (
    identity TEXT PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    created_at TEXT NOT NULL
);

CREATE TABLE credit_ledger (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    at TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('grant', 'debit', 'expire', 'adjust')),
    bucket TEXT NOT NULL CHECK (bucket IN ('granted', 'purchased')),
    amount INTEGER NOT NULL CHECK (amount != 0),
    reason TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    actor TEXT NOT NULL,
    CHECK (kind != 'grant' OR amount > 0),
    CHECK (kind NOT IN ('debit', 'expire') OR amount < 0)
);
CREATE INDEX credit_ledger_customer ON credit_ledger(customer_id, bucket, amount);

CREATE TABLE usage_events (
    event_id TEXT PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    kind TEXT NOT NULL CHECK (kind IN ('workflow', 'agent_start', 'agent_stop')),
    at TEXT NOT NULL,
    month TEXT NOT NULL,
    allowed INTEGER NOT NULL,
    reason TEXT,
    credits_left INTEGER
);
CREATE INDEX usage_events_month ON usage_events(customer_id, kind, month, allowed);
CREATE INDEX usage_events_at ON usage_events(at);

CREATE TABLE subscriptions (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    tier TEXT NOT NULL,
    interval TEXT NOT NULL CHECK (interval IN ('month', 'year')),
    currency TEXT NOT NULL,
    amount INTEGER NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('upi', 'card')),
    status TEXT NOT NULL
        CHECK (status IN ('trialing', 'active', 'past_due', 'canceled', 'incomplete')),
    current_period_start TEXT,
    current_period_end TEXT,
    cancel_at_period_end INTEGER NOT NULL DEFAULT 0,
    pending_tier TEXT,
    pending_interval TEXT,
    stripe_subscription_id TEXT UNIQUE,
    canceled_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX subscriptions_customer ON subscriptions(customer_id, status);

CREATE TABLE payments (
    id TEXT PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    method TEXT NOT NULL
        CHECK (method IN ('upi_qr', 'stripe_checkout', 'stripe_terminal', 'card_on_file')),
    status TEXT NOT NULL CHECK (status IN
        ('pending', 'succeeded', 'failed', 'expired', 'canceled', 'refunded', 'late')),
    amount INTEGER NOT NULL CHECK (amount > 0),
    currency TEXT NOT NULL,
    tier TEXT,
    interval TEXT,
    purpose TEXT NOT NULL DEFAULT 'new',
    subscription_id INTEGER REFERENCES subscriptions(id),
    created_at TEXT NOT NULL,
    expires_at TEXT,
    paid_at TEXT,
    updated_at TEXT NOT NULL,
    confirmed_by TEXT,
    evidence TEXT NOT NULL DEFAULT '{}',
    receipt_no TEXT UNIQUE,
    refunded_amount INTEGER NOT NULL DEFAULT 0,
    upi_tr TEXT UNIQUE,
    utr TEXT UNIQUE,
    psp TEXT,
    psp_ref TEXT,
    stripe_session_id TEXT UNIQUE,
    stripe_payment_intent_id TEXT,
    stripe_invoice_id TEXT,
    created_by TEXT
);
CREATE INDEX payments_status ON payments(status, created_at);
CREATE INDEX payments_customer ON payments(customer_id, created_at);
CREATE INDEX payments_paid_at ON payments(paid_at);

CREATE TABLE payment_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    payment_id TEXT NOT NULL REFERENCES payments(id),
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX payment_events_payment ON payment_events(payment_id);

CREATE TABLE document_counters (
    series TEXT PRIMARY KEY,
    last INTEGER NOT NULL
);

CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT
);
"""

APPEND_ONLY = ("audit_log", "credit_ledger", "payment_events")

GUARDS = (
    "".join(
        f"""
CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;
CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;
"""
        for table in APPEND_ONLY
    )
    + """
CREATE TRIGGER credit_ledger_never_negative BEFORE INSERT ON credit_ledger
WHEN NEW.amount < 0 AND (
    SELECT COALESCE(SUM(amount), 0) FROM credit_ledger
    WHERE customer_id = NEW.customer_id AND bucket = NEW.bucket
) + NEW.amount < 0
BEGIN SELECT RAISE(ABORT, 'credit balance would go below zero'); END;
"""
)


@MIGRATIONS(name="0001_core")
def core(store) -> None:
    run_script(store, CORE)
    run_script(store, GUARDS)
