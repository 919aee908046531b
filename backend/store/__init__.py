"""The local SQLite store: one file, opened through sqlite-utils, migrated on open."""

from backend.store.db import Store, open_store

__all__ = ["Store", "open_store"]
