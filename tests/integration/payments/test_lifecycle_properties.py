"""UPI payments driven through the real services in any order — requests, the clock,
cancels, typed UTRs (new and reused), statement lines (naming the request, or only a
UTR and the amount), reviews accepted or rejected, late money accepted — never reach a
state the machine does not allow, never pay a payment twice, never use a UTR twice, and
never lose a credit: every status change has its event row."""

from __future__ import annotations

import itertools
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from backend.clock import ManualClock
from backend.config import Secrets, Settings
from backend.context import Context
from backend.domain.catalog import load_catalog
from backend.domain.payment_machine import INITIAL, Event, next_status
from backend.domain.payments import PAID
from backend.errors import CheckoutError
from backend.services.shop import customers
from backend.services.upi import statements
from backend.services.upi import upi_requests as upi
from backend.store import open_store

STATUS_EVENTS = {e.value: e for e in Event}
HEADER = "date,narration,reference,credit\n"


class UpiPayments(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="autoos-life-"))
        self.clock = ManualClock("2026-11-26T10:00:00Z")
        shop = Settings()
        shop.upi.vpa, shop.upi.payee_name, shop.upi.mcc = "shop@okaxis", "Shop", "5734"
        self.ctx = Context(
            store=open_store(self.folder / "c.db"),
            clock=self.clock,
            catalog=load_catalog(),
            settings=shop,
            secrets=Secrets(env={}, use_keyring=False),
        )
        self.buyers = [
            customers.add_customer(self.ctx, name=f"Buyer {n}", email=f"b{n}@x.in", actor="t")["id"]
            for n in range(3)
        ]
        self.payments: list[str] = []
        self.utrs = (f"4{n:011d}" for n in itertools.count(1))
        self.used_utrs: list[str] = []
        self.lines = itertools.count(1)

    def teardown(self) -> None:
        self.ctx.store.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    # what people and banks do ------------------------------------------------------
    @rule(buyer=st.integers(0, 2), tier=st.sampled_from(["student", "employee"]))
    def request(self, buyer: int, tier: str) -> None:
        try:
            made = upi.create_request(
                self.ctx, customer_id=self.buyers[buyer], tier=tier, interval="month", actor="t"
            )
        except CheckoutError:
            return  # e.g. already on that plan
        self.payments.append(made["id"])

    @rule(minutes=st.sampled_from([1, 10, 20, 60 * 24]))
    def time_passes(self, minutes: int) -> None:
        self.clock.advance(minutes=minutes)

    @rule(pick=st.integers(0, 50))
    def cancel(self, pick: int) -> None:
        if self.payments:
            self._tolerate(upi.cancel_request, self.ctx, self._payment(pick), actor="staff:1")

    @rule(pick=st.integers(0, 50), reuse=st.booleans())
    def utr_typed(self, pick: int, reuse: bool) -> None:
        if not self.payments:
            return
        utr = self.used_utrs[pick % len(self.used_utrs)] if reuse and self.used_utrs else None
        utr = utr or next(self.utrs)
        confirm = upi.confirm_with_utr
        if self._tolerate(confirm, self.ctx, self._payment(pick), utr, actor="staff:1"):
            self.used_utrs.append(utr)

    @rule(pick=st.integers(0, 50), with_tr=st.booleans())
    def statement_line(self, pick: int, with_tr: bool) -> None:
        if not self.payments:
            return
        payment = upi.get_payment(self.ctx, self._payment(pick))
        utr = next(self.utrs)
        tr = payment["tr"] if with_tr else "-"
        day = self.clock.now().date().isoformat()
        amount = f"{payment['amount'] / 100:.2f}"
        text = HEADER + f"{day},UPI/{utr}/{tr}/line {next(self.lines)},{utr},{amount}\n"
        self._tolerate(statements.import_statement_text, self.ctx, text, actor="staff:1")

    @rule(pick=st.integers(0, 50), accept=st.booleans())
    def review(self, pick: int, accept: bool) -> None:
        open_ = upi.reviews(self.ctx)
        if open_:
            review = open_[pick % len(open_)]
            decide = upi.accept_review if accept else upi.reject_review
            self._tolerate(decide, self.ctx, review["id"], actor="staff:1")

    @rule(pick=st.integers(0, 50))
    def accept_late(self, pick: int) -> None:
        if self.payments:
            self._tolerate(upi.accept_late, self.ctx, self._payment(pick), actor="staff:1")

    # what must always hold -----------------------------------------------------------
    @invariant()
    def every_status_is_its_events_replayed(self) -> None:
        for payment_id in self.payments:
            status = self.ctx.store.scalar("SELECT status FROM payments WHERE id=?", (payment_id,))
            kinds = [
                row["kind"]
                for row in self.ctx.store.query(
                    "SELECT kind FROM payment_events WHERE payment_id=? ORDER BY id", (payment_id,)
                )
            ]
            replayed, became_paid = INITIAL[Event(kinds[0])], 0
            for kind in kinds[1:]:
                event = STATUS_EVENTS.get(kind)
                if event is None:
                    continue  # a note: nothing moved
                after = next_status(replayed, event)  # raises if the ledger went astray
                became_paid += after in PAID and replayed not in PAID
                replayed = after
            assert replayed == status, (payment_id, kinds)
            assert became_paid <= 1, (payment_id, kinds)

    @invariant()
    def a_utr_pays_one_payment_and_receipts_are_unique(self) -> None:
        store = self.ctx.store
        assert (
            store.scalar(
                "SELECT count(*) FROM (SELECT utr FROM payments WHERE utr IS NOT NULL "
                "GROUP BY utr HAVING count(*) > 1)"
            )
            == 0
        )
        assert (
            store.scalar(
                "SELECT count(*) FROM payments WHERE status='succeeded' AND receipt_no IS NULL"
            )
            == 0
        )
        assert (
            store.scalar(
                "SELECT count(*) FROM (SELECT receipt_no FROM payments "
                "WHERE receipt_no IS NOT NULL GROUP BY receipt_no HAVING count(*) > 1)"
            )
            == 0
        )

    @invariant()
    def no_credit_is_lost(self) -> None:
        """Every statement credit ended somewhere a person can see it."""
        outcomes = {
            row["outcome"]
            for row in self.ctx.store.query("SELECT DISTINCT outcome FROM statement_lines")
        }
        assert outcomes <= {"matched", "held", "unmatched", "ambiguous", "known"}
        held = self.ctx.store.scalar(
            "SELECT count(*) FROM statement_lines l WHERE outcome='held' AND NOT EXISTS "
            "(SELECT 1 FROM payment_reviews r WHERE r.line_key = l.line_key)"
        )
        assert held == 0

    # helpers -------------------------------------------------------------------------
    def _payment(self, pick: int) -> str:
        return self.payments[pick % len(self.payments)]

    @staticmethod
    def _tolerate(action, *args, **kwargs) -> bool:
        """Refusals in words are part of the game; anything else is a bug."""
        try:
            action(*args, **kwargs)
        except CheckoutError:
            return False
        return True


UpiPayments.TestCase.settings = settings(
    max_examples=80,
    stateful_step_count=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
TestUpiPayments = UpiPayments.TestCase
