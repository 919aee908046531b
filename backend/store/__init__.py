"""The store: a local SQLite file by default, or a PostgreSQL server for a chain of shops
(``--db postgresql://…``); migrated on open, one SQL text for both engines."""

from backend.store.base import Store
from backend.store.db import open_store

__all__ = ["Store", "open_store"]
