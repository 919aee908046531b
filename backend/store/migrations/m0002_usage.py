"""Usage metering: who sent each usage event, its effect on running agents, and the
running-agent counter that makes the concurrency check one indexed read.

``usage_events`` becomes append-only like the other ledgers: an answered event is
history (its replay must return the first answer), so nothing may rewrite it.
``usage_agents.running`` is derived from the events (allowed starts minus effective
stops, i.e. ``SUM(agents_delta)``) and kept in the same transaction as the event.
"""

from backend.store.migrations import MIGRATIONS, run_script

USAGE = """
ALTER TABLE usage_events ADD COLUMN actor TEXT NOT NULL DEFAULT 'system';
ALTER TABLE usage_events ADD COLUMN agents_delta INTEGER NOT NULL DEFAULT 0
    CHECK (agents_delta IN (-1, 0, 1));

CREATE TABLE usage_agents (
    customer_id INTEGER PRIMARY KEY REFERENCES customers(id),
    running INTEGER NOT NULL DEFAULT 0 CHECK (running >= 0)
);

CREATE TRIGGER usage_events_no_update BEFORE UPDATE ON usage_events
BEGIN SELECT RAISE(ABORT, 'usage_events is append-only'); END;
CREATE TRIGGER usage_events_no_delete BEFORE DELETE ON usage_events
BEGIN SELECT RAISE(ABORT, 'usage_events is append-only'); END;
"""


@MIGRATIONS(name="0002_usage")
def usage(store) -> None:
    run_script(store, USAGE)
