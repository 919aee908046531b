"""Rows inserted straight into the schema on main, to build report datasets by hand."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from backend.context import Context


class Rows:
    """Insert customers, payments, subscriptions, trials, credits and usage directly."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._ids = itertools.count(1)

    def _insert(self, table: str, values: dict[str, Any]) -> None:
        cols = ", ".join(values)
        marks = ", ".join("?" * len(values))
        with self.ctx.store.transaction():
            self.ctx.store.execute(
                f"INSERT INTO {table} ({cols}) VALUES ({marks})", tuple(values.values())
            )

    def customer(
        self,
        name: str = "",
        *,
        state: str | None = "Karnataka",
        email: str | None = None,
        at: str = "2026-11-01T08:00:00Z",
    ) -> int:
        cid = next(self._ids)
        self._insert(
            "customers",
            {
                "id": cid,
                "name": name or f"Customer {cid}",
                "name_key": (name or f"customer {cid}").casefold(),
                "email": email or f"c{cid}@example.com",
                "state": state,
                "created_at": at,
                "updated_at": at,
            },
        )
        return cid

    def payment(self, pid: str, customer_id: int, **fields: Any) -> str:
        row = {
            "id": pid,
            "customer_id": customer_id,
            "method": "upi_qr",
            "status": "succeeded",
            "amount": 79900,
            "currency": "INR",
            "tier": "student",
            "interval": "month",
            "created_at": fields.get("paid_at") or "2026-11-01T08:00:00Z",
            "updated_at": fields.get("paid_at") or "2026-11-01T08:00:00Z",
        }
        row.update(fields)
        self._insert("payments", row)
        return pid

    def subscription(self, customer_id: int, **fields: Any) -> None:
        row = {
            "customer_id": customer_id,
            "tier": "student",
            "interval": "month",
            "currency": "INR",
            "amount": 79900,
            "method": "upi",
            "status": "active",
            "created_at": "2026-11-01T08:00:00Z",
            "updated_at": "2026-11-01T08:00:00Z",
        }
        row.update(fields)
        self._insert("subscriptions", row)

    def trial(self, customer_id: int, started: str, ends: str, status: str = "active") -> None:
        self._insert(
            "trials",
            {
                "customer_id": customer_id,
                "started_at": started,
                "ends_at": ends,
                "credits_granted": 10,
                "status": status,
            },
        )

    def credit(self, customer_id: int, kind: str, amount: int, at: str) -> None:
        self._insert(
            "credit_ledger",
            {
                "customer_id": customer_id,
                "at": at,
                "kind": kind,
                "bucket": "granted",
                "amount": amount,
                "reason": kind,
                "idempotency_key": f"{kind}-{customer_id}-{at}-{amount}",
                "actor": "test",
            },
        )

    def usage(self, customer_id: int, kind: str, at: str, allowed: bool = True) -> None:
        self._insert(
            "usage_events",
            {
                "event_id": f"ev-{next(self._ids)}",
                "customer_id": customer_id,
                "kind": kind,
                "at": at,
                "month": at[:7],
                "allowed": int(allowed),
            },
        )


@pytest.fixture
def rows(ctx: Context) -> Rows:
    return Rows(ctx)


class Inbox:
    """Messages received by the local SMTP server."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        from email import message_from_bytes, policy

        msg = message_from_bytes(envelope.original_content, policy=policy.default)
        self.messages.append(msg)
        return "250 OK"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on localhost (aiosmtpd); ``[mail]`` settings point at it."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.mail.host = "127.0.0.1"
    settings.mail.port = port
    settings.mail.sender = "shop@autoos.example"
    settings.mail.starttls = False
    yield inbox
    controller.stop()


@pytest.fixture
def mail_ctx(ctx, smtp_server):
    from backend.adapters.mail import build_mailer

    ctx.adapters["mail"] = build_mailer(ctx.settings.mail, ctx.secrets)
    return ctx
