"""UPI payments: checkout grouping, the shown URI, the late flag, bank statement imports,
and a UPI subscription's next period paid in advance (``prepaid_until``).

A statement line is remembered by a key of its content, so importing a file twice (or
an overlapping export) applies nothing the second time.
"""

from backend.store.migrations import MIGRATIONS, run_script

UPI = """
ALTER TABLE payments ADD COLUMN checkout_id TEXT;
ALTER TABLE payments ADD COLUMN upi_uri TEXT;
ALTER TABLE payments ADD COLUMN late INTEGER NOT NULL DEFAULT 0;
CREATE INDEX payments_checkout ON payments(checkout_id, status);
CREATE INDEX payments_psp_ref ON payments(psp, psp_ref);
ALTER TABLE subscriptions ADD COLUMN prepaid_until TEXT;

CREATE TABLE statement_imports (
    id INTEGER PRIMARY KEY,
    file_sha256 TEXT NOT NULL UNIQUE,
    filename TEXT NOT NULL,
    preset TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    actor TEXT NOT NULL,
    report TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE statement_lines (
    line_key TEXT PRIMARY KEY,
    import_id INTEGER NOT NULL REFERENCES statement_imports(id),
    line_no INTEGER NOT NULL,
    txn_date TEXT NOT NULL,
    narration TEXT NOT NULL,
    reference TEXT NOT NULL,
    amount INTEGER NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('matched', 'unmatched', 'ambiguous', 'known')),
    payment_id TEXT REFERENCES payments(id)
);
"""


@MIGRATIONS(name="0003_upi")
def upi(store) -> None:
    run_script(store, UPI)
