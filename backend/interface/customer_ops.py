"""Operations on customers, their free trial, credits and usage (what AUTOOS asks)."""

from __future__ import annotations

from typing import Any

from backend.domain.records import Customer, Trial, UsageAnswer, UsageResult, UsageSummary
from backend.interface.bound import Bound
from backend.interface.declare import (
    ADMIN_ONLY,
    ALL_ROLES,
    AUTOOS,
    COUNTER,
    KIOSK,
    READERS,
    STAFF_ONLY,
    operation,
)
from backend.interface.types import (
    CustomerId,
    Email,
    EventId,
    Limit,
    Name,
    Phone,
    Query,
    Reason,
    State,
    UsageEvents,
    UsageKind,
)

#: roles that may find a customer only by their exact email or phone: a self-service
#: screen or an outside program must not list other people
EXACT_ONLY = frozenset({KIOSK, AUTOOS})


class CustomerOps(Bound):
    @operation(
        "POST",
        "/payments/create-customer",
        roles=ALL_ROLES,
        summary="Create a customer (email or phone required; both unique)",
        status=201,
        errors=(409,),
        tag="customers",
    )
    def add_customer(
        self,
        name: Name,
        email: Email | None = None,
        phone: Phone | None = None,
        state: State | None = None,
    ) -> Customer:
        from backend.services.shop import customers

        return customers.add_customer(  # type: ignore[return-value]
            self.ctx, name=name, email=email, phone=phone, state=state, actor=self.actor
        )

    @operation(
        "GET",
        "/payments/customers",
        roles=ALL_ROLES,
        summary="Find customers by exact email or phone, number, or name prefix",
        description="Kiosk and AUTOOS tokens get exact email or phone matches only: a "
        "self-service screen or an outside program must not list other people.",
        wrap="customers",
        tag="customers",
    )
    def find_customers(self, q: Query = "", limit: Limit = 20) -> list[Customer]:
        from backend.services.shop import customers

        found = customers.find_customers(self.ctx, q, limit)
        if self.caller.role in EXACT_ONLY:
            found = [c for c in found if customers.is_exact_contact(q, c)]
        return found  # type: ignore[return-value]

    @operation(
        "GET",
        "/payments/customers/{customer_id}",
        roles=ALL_ROLES,
        summary="One customer",
        errors=(404,),
        tag="customers",
    )
    def get_customer(self, customer_id: CustomerId) -> Customer:
        from backend.services.shop import customers

        return customers.get_customer(self.ctx, customer_id)  # type: ignore[return-value]

    @operation(
        "POST",
        "/payments/customers/{customer_id}",
        roles=STAFF_ONLY,
        summary="Correct a customer's name, email or phone (audited with old and new values)",
        description="Give only what changes; an empty email or phone clears it (one must "
        "stay). Every wrong field is named at once. An email or phone another customer's "
        "free trial used cannot be moved here (409).",
        errors=(404, 409),
        tag="customers",
    )
    def update_customer(
        self,
        customer_id: CustomerId,
        name: Name | None = None,
        email: Email | None = None,
        phone: Phone | None = None,
        state: State | None = None,
    ) -> Customer:
        from backend.services.shop import customers

        return customers.update_customer(  # type: ignore[return-value]
            self.ctx,
            customer_id,
            name=name,
            email=email,
            phone=phone,
            state=state,
            actor=self.actor,
        )

    @operation(
        "POST",
        "/payments/find-or-add-customer",
        roles=COUNTER,
        summary="The customer with this email (or else phone), or a new one (self-service)",
        errors=(409,),
        tag="customers",
    )
    def find_or_add_customer(
        self, name: Name, email: Email | None = None, phone: Phone | None = None
    ) -> Customer:
        from backend.services.shop import customers

        return customers.find_or_add_customer(  # type: ignore[return-value]
            self.ctx, name=name, email=email, phone=phone, actor=self.actor
        )

    # trials -------------------------------------------------------------------------
    @operation(
        "POST",
        "/payments/start-trial",
        roles=ALL_ROLES,
        summary="Start the customer's free trial (one per person) and grant its credits",
        status=201,
        errors=(404, 409, 503),
        tag="trials and usage",
    )
    def start_trial(self, customer_id: CustomerId) -> Trial:
        from backend.services.trials import trials

        return trials.start_trial(self.ctx, customer_id, actor=self.actor)  # type: ignore[return-value]

    @operation(
        "GET",
        "/payments/trial-status",
        roles=ALL_ROLES,
        summary="The customer's trial as of now (status computed from the clock)",
        errors=(404,),
        wrap="trial",
        echo=("customer_id",),
        tag="trials and usage",
    )
    def trial_status(self, customer_id: CustomerId) -> Trial | None:
        from backend.services.shop import customers
        from backend.services.trials import trials

        customers.get_customer(self.ctx, customer_id)
        return trials.trial_status(self.ctx, customer_id)  # type: ignore[return-value]

    @operation(
        "POST",
        "/payments/expire-trials",
        roles=ADMIN_ONLY,
        summary="Expire every trial past its end now (the till also does this as it runs)",
        wrap="expired",
        tag="trials and usage",
    )
    def expire_trials(self) -> int:
        from backend.services.trials import trials

        return trials.expire_due_trials(self.ctx, actor=self.actor)

    # credits and usage ----------------------------------------------------------------
    @operation(
        "GET",
        "/payments/usage",
        roles=READERS,
        summary="Plan, workflows this month, agents running and credits, against the limits",
        errors=(404,),
        tag="trials and usage",
    )
    def usage_summary(self, customer_id: CustomerId) -> UsageSummary:
        from backend.services.shop import customers
        from backend.services.trials import usage

        customers.get_customer(self.ctx, customer_id)
        return usage.usage_summary(self.ctx, customer_id)  # type: ignore[return-value]

    @operation(
        "POST",
        "/payments/usage",
        roles=frozenset({AUTOOS}),
        summary="Report a workflow or agent start/stop; answered allowed or denied with why",
        description="The check and its credit debit are one transaction. A refusal is a "
        "normal answer (200, `allowed: false`, `reason`). Re-sending an `event_id` returns "
        "the first answer and counts nothing again; reusing it for another customer or kind "
        "is 409.",
        errors=(404, 409),
        tag="trials and usage",
    )
    def report_usage(
        self, customer_id: CustomerId, kind: UsageKind, event_id: EventId
    ) -> UsageAnswer:
        from backend.services.trials import usage_events

        answer = usage_events.record_usage(
            self.ctx, customer_id=customer_id, kind=kind, event_id=event_id, actor=self.actor
        )
        return {**answer, "event_id": event_id}  # type: ignore[typeddict-item]

    @operation(
        "POST",
        "/usage/events",
        roles=frozenset({AUTOOS}),
        summary="Report up to 1,000 usage events at once; each answered in order",
        description='Body `{"events": [{customer_id, kind, event_id}, …]}`; answer '
        '`{"results": […]}`, one per event in the order sent. Each event follows the '
        "rules of `POST /payments/usage`, in order, in one transaction: an event sees the "
        "credits and agents the events before it used. A re-sent `event_id` (earlier, or "
        "twice in this batch) gets the first answer and counts nothing again. An event "
        "that is malformed, names no such customer, or reuses an id for another customer "
        'or kind is answered `{"event_id", "error": {code, message, field}}` and '
        "the others are recorded. More than 1,000 events, or `events` not a list, is "
        "422 and records nothing.",
        errors=(422, 503),
        wrap="results",
        tag="trials and usage",
    )
    def report_usage_batch(self, events: UsageEvents) -> list[UsageResult]:
        from backend.services.trials import usage_events

        return usage_events.record_batch(self.ctx, events, actor=self.actor)  # type: ignore[return-value]

    @operation(
        "GET",
        "/payments/credits",
        roles=READERS,
        summary="The customer's credit balance (granted and purchased) and its ledger",
        errors=(404,),
        tag="trials and usage",
    )
    def credit_balance(self, customer_id: CustomerId) -> dict[str, Any]:
        from backend.services.shop import customers
        from backend.services.trials import credits

        customers.get_customer(self.ctx, customer_id)
        have = credits.balances(self.ctx, customer_id)
        return {
            "customer": customer_id,
            "balance": have["total"],
            "granted": have["granted"],
            "purchased": have["purchased"],
            "entries": credits.entries(self.ctx, customer_id),
        }

    @operation(
        "POST",
        "/payments/credits/adjust",
        roles=ADMIN_ONLY,
        summary="Add or remove credits by hand, with a reason (once per idempotency key)",
        errors=(404, 409),
        tag="trials and usage",
    )
    def adjust_credits(
        self, customer_id: CustomerId, amount: str, reason: Reason, key: EventId | None = None
    ) -> dict[str, Any]:
        import uuid

        from backend.services.trials import credits

        result = credits.adjust(
            self.ctx,
            customer_id,
            credits.parse_credit_amount(amount),
            reason,
            idempotency_key=key or f"adjust:{uuid.uuid4()}",
            actor=self.actor,
        )
        return {
            "customer": customer_id,
            "entry": result["entry"],
            "balance": result["balance"]["total"],
            "granted": result["balance"]["granted"],
            "purchased": result["balance"]["purchased"],
        }
