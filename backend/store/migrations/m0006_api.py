"""REST API bearer tokens: stored as a SHA-256 digest only, never the token itself."""

from backend.store.migrations import MIGRATIONS, run_script

API = """
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('kiosk', 'staff', 'admin', 'autoos')),
    token_sha256 TEXT NOT NULL UNIQUE,
    hint TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    revoked_at TEXT
);
"""


@MIGRATIONS(name="0006_api")
def api_tokens(store) -> None:
    run_script(store, API)
