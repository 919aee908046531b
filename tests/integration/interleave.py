"""Emulate another terminal winning a race: its change commits between our read and
our write transaction (``BEGIN IMMEDIATE``), deterministically, without threads."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from backend.store import Store


@contextmanager
def before_next_write(store: Store, other: Callable[[], object]) -> Iterator[None]:
    """Run ``other`` (committing its own transactions) just before the next outermost
    transaction of ``store`` begins; only once."""
    original = store.transaction

    @contextmanager
    def transaction():  # type: ignore[no-untyped-def]
        if not store.in_transaction:
            vars(store).pop("transaction", None)  # ``other`` and later writes run normally
            other()
        with original() as db:
            yield db

    store.transaction = transaction  # type: ignore[method-assign]
    try:
        yield
    finally:
        vars(store).pop("transaction", None)
