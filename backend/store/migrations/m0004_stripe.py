"""Stripe sync: the outbox of writes, the events cursor, and local mirrors of Stripe state.

The outbox row (with its idempotency key) is committed before the request is sent, so a
crash or lost connection is repaired by sending the same row again: Stripe replays the
first answer instead of doing the work twice. ``stripe_events`` records each applied
event id, so an event is applied once whether it came by polling or by webhook.
"""

from backend.store.migrations import MIGRATIONS, run_script

STRIPE = """
CREATE TABLE stripe_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    lane TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT '{}',
    request TEXT,
    status TEXT NOT NULL CHECK (status IN ('waiting', 'done', 'failed', 'dropped')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT,
    result_id TEXT,
    actor TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX stripe_outbox_status ON stripe_outbox(status, id);
CREATE INDEX stripe_outbox_entity ON stripe_outbox(entity, entity_id, kind);
CREATE INDEX stripe_outbox_lane ON stripe_outbox(lane, status, id);

CREATE TABLE stripe_products (
    tier TEXT PRIMARY KEY,
    product_id TEXT NOT NULL UNIQUE
);

CREATE TABLE stripe_prices (
    price_id TEXT PRIMARY KEY,
    lookup_key TEXT NOT NULL,
    tier TEXT NOT NULL,
    currency TEXT NOT NULL,
    interval TEXT NOT NULL,
    amount INTEGER NOT NULL,
    active INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX stripe_prices_lookup ON stripe_prices(lookup_key, active);

CREATE TABLE stripe_customer_pushes (
    customer_id INTEGER PRIMARY KEY REFERENCES customers(id),
    dirty INTEGER NOT NULL DEFAULT 0
);
CREATE TRIGGER customers_stripe_dirty AFTER UPDATE OF name, email, phone ON customers
BEGIN
    UPDATE stripe_customer_pushes SET dirty = 1 WHERE customer_id = NEW.id;
END;

CREATE TABLE stripe_events (
    event_id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    created INTEGER NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('poll', 'webhook')),
    applied_at TEXT NOT NULL
);

CREATE TABLE refunds (
    id INTEGER PRIMARY KEY,
    payment_id TEXT NOT NULL REFERENCES payments(id),
    amount INTEGER NOT NULL CHECK (amount > 0),
    currency TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    reason TEXT,
    stripe_refund_id TEXT UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    actor TEXT NOT NULL
);
CREATE INDEX refunds_payment ON refunds(payment_id, status);

CREATE TABLE stripe_payment_methods (
    payment_method_id TEXT PRIMARY KEY,
    stripe_customer_id TEXT,
    brand TEXT,
    last4 TEXT,
    exp_month INTEGER,
    exp_year INTEGER,
    updated_at TEXT NOT NULL
);

CREATE TABLE stripe_invoices (
    invoice_id TEXT PRIMARY KEY,
    stripe_customer_id TEXT,
    stripe_subscription_id TEXT,
    number TEXT,
    total INTEGER NOT NULL,
    currency TEXT NOT NULL,
    status TEXT,
    hosted_invoice_url TEXT,
    invoice_pdf TEXT,
    created TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX stripe_invoices_customer ON stripe_invoices(stripe_customer_id, created);

ALTER TABLE subscriptions ADD COLUMN stripe_item_id TEXT;
ALTER TABLE subscriptions ADD COLUMN stripe_schedule_id TEXT;
ALTER TABLE payments ADD COLUMN stripe_url TEXT;
"""


@MIGRATIONS(name="0004_stripe")
def stripe(store) -> None:
    run_script(store, STRIPE)
