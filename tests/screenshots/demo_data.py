"""A small, deterministic shop made through the real services (for screenshots and demos).

Every row comes from the same service functions the tills use — staff, customers,
trials, usage, UPI requests confirmed by UTR, an expired and a pending request — under
a :class:`~backend.clock.ManualClock`, so two runs give the same database.
"""

from __future__ import annotations

from typing import Any

from backend.clock import ManualClock
from backend.context import Context
from backend.services.shop import customers, staff
from backend.services.trials import trials, usage_events
from backend.services.upi import upi_requests

START = "2026-11-20T04:30:00Z"  # 10:00 in India
ADMIN = ("Asha Iyer", "4821")
CASHIER = ("Ravi Kumar", "1357")

PEOPLE = (
    ("Kavya Rao", "kavya.rao@example.com", "9876543210", "Karnataka"),
    ("Arjun Mehta", "arjun.mehta@example.com", "9812345670", "Maharashtra"),
    ("Priya Nair", "priya.nair@example.com", "9447012345", "Kerala"),
    ("Rahul Verma", "rahul.verma@example.com", "9910011223", "Delhi"),
    ("Neha Gupta", "neha.gupta@example.com", "9830098765", "West Bengal"),
    ("Vikram Singh", None, "9829012345", "Rajasthan"),
)


def build_demo(ctx: Context, clock: ManualClock) -> dict[str, Any]:
    """Fill an empty store; returns the people and payments made, by name."""
    clock.set(START)
    admin = staff.add_staff(ctx, name=ADMIN[0], role="admin", pin=ADMIN[1], actor="demo")
    cashier = staff.add_staff(ctx, name=CASHIER[0], role="staff", pin=CASHIER[1], actor="demo")
    actor = f"staff:{cashier['id']}"
    made: dict[str, Any] = {"admin": admin, "cashier": cashier, "customers": {}, "payments": {}}
    for name, email, phone, state in PEOPLE:
        made["customers"][name] = customers.add_customer(
            ctx, name=name, email=email, phone=phone, state=state, actor=actor
        )
        clock.advance(minutes=7)
    ids = {name: row["id"] for name, row in made["customers"].items()}

    trials.start_trial(ctx, ids["Kavya Rao"], actor=actor)
    trials.start_trial(ctx, ids["Vikram Singh"], actor=actor)
    for n in range(4):
        clock.advance(hours=5)
        usage_events.record_usage(
            ctx, customer_id=ids["Kavya Rao"], kind="workflow", event_id=f"demo-k{n}", actor="demo"
        )

    def paid(name: str, tier: str, interval: str, utr: str) -> None:
        request = upi_requests.create_request(
            ctx, customer_id=ids[name], tier=tier, interval=interval, actor=actor
        )
        clock.advance(minutes=2)
        made["payments"][name] = upi_requests.confirm_with_utr(ctx, request["id"], utr, actor=actor)

    clock.advance(days=1)
    paid("Arjun Mehta", "employee", "month", "633012345678")
    clock.advance(hours=3)
    paid("Priya Nair", "student", "year", "633098765432")
    for n in range(37):
        usage_events.record_usage(
            ctx,
            customer_id=ids["Arjun Mehta"],
            kind="workflow",
            event_id=f"demo-a{n}",
            actor="demo",
        )
    usage_events.record_usage(
        ctx, customer_id=ids["Arjun Mehta"], kind="agent_start", event_id="demo-a-ag", actor="demo"
    )
    clock.advance(days=2)
    expired = upi_requests.create_request(
        ctx, customer_id=ids["Neha Gupta"], tier="professional", interval="month", actor=actor
    )
    clock.advance(minutes=20)
    made["payments"]["Neha Gupta"] = upi_requests.get_payment(ctx, expired["id"])
    clock.advance(days=1)
    paid("Vikram Singh", "student", "month", "633055554444")
    clock.advance(hours=2)
    made["payments"]["Rahul Verma"] = upi_requests.create_request(
        ctx, customer_id=ids["Rahul Verma"], tier="employee", interval="month", actor=actor
    )
    clock.advance(minutes=3)
    return made
