"""Payments with one owner: the terminal each payment was taken on, evidence held for a
person (a statement credit that names no request), and statement lines that were held.
"""

from backend.store.migrations import MIGRATIONS, run_script

PAYMENT_OWNER = """
ALTER TABLE payments ADD COLUMN terminal TEXT;
CREATE INDEX payments_terminal ON payments(terminal, created_at);

CREATE TABLE payment_reviews (
    id INTEGER PRIMARY KEY,
    payment_id TEXT NOT NULL REFERENCES payments(id),
    source TEXT NOT NULL,
    line_key TEXT,
    utr TEXT,
    amount INTEGER NOT NULL,
    evidence TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('held', 'accepted', 'rejected')),
    created_at TEXT NOT NULL,
    decided_at TEXT,
    decided_by TEXT
);
CREATE INDEX payment_reviews_open ON payment_reviews(status, payment_id);
CREATE UNIQUE INDEX payment_reviews_line ON payment_reviews(line_key, payment_id)
    WHERE line_key IS NOT NULL;

CREATE TABLE statement_lines_v2 (
    line_key TEXT PRIMARY KEY,
    import_id INTEGER NOT NULL REFERENCES statement_imports(id),
    line_no INTEGER NOT NULL,
    txn_date TEXT NOT NULL,
    narration TEXT NOT NULL,
    reference TEXT NOT NULL,
    amount INTEGER NOT NULL,
    outcome TEXT NOT NULL
        CHECK (outcome IN ('matched', 'unmatched', 'ambiguous', 'known', 'held')),
    payment_id TEXT REFERENCES payments(id)
);
INSERT INTO statement_lines_v2 SELECT * FROM statement_lines;
DROP TABLE statement_lines;
ALTER TABLE statement_lines_v2 RENAME TO statement_lines;
"""


@MIGRATIONS(name="0008_payment_owner")
def payment_owner(store) -> None:
    run_script(store, PAYMENT_OWNER)
