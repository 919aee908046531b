"""The payment state machine: every sequence of events keeps a payment in a known
status, money is taken in at most once, and the one writer is the only writer."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from backend.domain.payment_machine import (
    INITIAL,
    MONEY_IN,
    TRANSITIONS,
    Event,
    initial_status,
    next_status,
)
from backend.domain.payments import PAID, PaymentStatus
from backend.errors import StateError

ROOT = Path(__file__).resolve().parents[2]
STATUSES = set(PaymentStatus)


def test_the_table_speaks_only_of_known_statuses_and_events():
    for (status, event), after in TRANSITIONS.items():
        assert status in STATUSES
        assert after in STATUSES
        assert isinstance(event, Event)
    assert set(INITIAL.values()) <= STATUSES


def test_an_illegal_event_is_refused_in_words():
    with pytest.raises(StateError, match="already paid"):
        next_status(PaymentStatus.SUCCEEDED, Event.PAID)
    with pytest.raises(StateError, match="only a pending one can be cancelled"):
        next_status(PaymentStatus.SUCCEEDED, Event.CANCELED)
    with pytest.raises(StateError, match="cannot begin"):
        initial_status(Event.PAID)


def test_nothing_leaves_a_refund():
    for (status, _event), after in TRANSITIONS.items():
        if status == PaymentStatus.REFUNDED:
            assert after == PaymentStatus.REFUNDED


class PaymentLife(RuleBasedStateMachine):
    """A payment pushed by any event in any order: it is always in a known status, the
    machine's answer is the only way it moves, and it becomes paid at most once however
    often money is reported."""

    def __init__(self) -> None:
        super().__init__()
        self.status = initial_status(Event.CREATED)
        self.settled = 0
        self.history: list[tuple[str, Event, str]] = []

    @rule(event=st.sampled_from(list(Event)))
    def happen(self, event: Event) -> None:
        if event in INITIAL:
            return  # only a new payment begins this way
        try:
            after = next_status(self.status, event)
        except StateError:
            assert (self.status, event) not in TRANSITIONS
            return
        if after in PAID and self.status not in PAID:
            self.settled += 1  # the money came in (late money kept counts, once)
        self.history.append((self.status, event, after))
        self.status = after

    @invariant()
    def known_status(self) -> None:
        assert self.status in STATUSES

    @invariant()
    def settled_at_most_once(self) -> None:
        assert self.settled <= 1, self.history

    @invariant()
    def paid_money_is_never_lost(self) -> None:
        if any(event in MONEY_IN for _, event, _ in self.history):
            assert self.status in (*PAID, PaymentStatus.REFUNDED), self.history


TestPaymentLife = PaymentLife.TestCase


def test_no_module_but_the_one_writer_writes_a_payment_status():
    writer = ROOT / "backend" / "services" / "payments" / "payment_events.py"
    pattern = re.compile(r"UPDATE\s+payments\s+SET[^\"']*\bstatus\s*=", re.IGNORECASE)
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("backend", "app")
        for path in (ROOT / folder).rglob("*.py")
        if path != writer and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
    inserts = re.compile(r"INSERT\s+INTO\s+payments\s*\(", re.IGNORECASE)
    assert [
        str(path.relative_to(ROOT))
        for path in (ROOT / "backend").rglob("*.py")
        if path != writer and inserts.search(path.read_text(encoding="utf-8"))
    ] == []
