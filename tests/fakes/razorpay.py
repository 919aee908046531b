"""A local fake of Razorpay's QR Codes and Subscriptions APIs over real HTTP (127.0.0.1,
a thread).

Speaks the documented shapes: basic auth ``key_id:key_secret``; ``POST
/v1/payments/qr_codes`` returns a ``qr_code`` entity with ``image_content`` (its UPI
string); ``GET …/{id}/payments`` a ``collection`` of ``payment`` entities;
``POST …/{id}/close`` the closed entity. Tests make a customer pay with :meth:`pay`,
which also builds the signed ``qr_code.credited`` webhook body a real Razorpay would post.

Subscriptions (UPI AutoPay): ``POST /v1/plans`` (``period``, ``interval``, ``item``),
``POST /v1/subscriptions`` (a ``subscription`` entity in ``created`` with its
``short_url`` authorisation link), ``GET /v1/subscriptions/{id}``, ``POST
/v1/subscriptions/{id}/cancel``. Tests stand in for the customer and Razorpay's
scheduler: :meth:`authorise` (the mandate approved, the first debit: the
``subscription.authenticated``, ``.activated`` and ``.charged`` webhooks), :meth:`charge`
(a renewal debited), :meth:`fail` (``.pending``, then ``.halted`` once retries are over);
each returns the webhook bodies to post, signed with :meth:`sign`.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from backend.adapters.psp.razorpay import webhook_signature


class FakeRazorpay:
    def __init__(self, key_id: str, key_secret: str, webhook_secret: str) -> None:
        self.key_id, self.key_secret, self.webhook_secret = key_id, key_secret, webhook_secret
        self.qr_codes: dict[str, dict[str, Any]] = {}
        self.plans: dict[str, dict[str, Any]] = {}
        self.subscriptions: dict[str, dict[str, Any]] = {}
        self.payments: dict[str, list[dict[str, Any]]] = {}
        self.requests: list[tuple[str, str]] = []
        self.fail_next: int | None = None
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeRazorpay:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    # -- what a paying customer does ---------------------------------------------------
    def pay(self, qr_id: str, *, rrn: str, at: int, amount: int | None = None) -> bytes:
        """Record a captured payment on the QR; the webhook body Razorpay would send."""
        with self._lock:
            qr = self.qr_codes[qr_id]
            payment = {
                "id": "pay_" + secrets.token_hex(7),
                "entity": "payment",
                "amount": qr["payment_amount"] if amount is None else amount,
                "currency": "INR",
                "status": "captured",
                "order_id": None,
                "method": "upi",
                "vpa": "payer@okicici",
                "captured": True,
                "acquirer_data": {"rrn": rrn},
                "created_at": at,
            }
            self.payments[qr_id].append(payment)
            qr["payments_amount_received"] += payment["amount"]
            qr["payments_count_received"] += 1
            if qr["usage"] == "single_use":
                qr.update(status="closed", closed_at=at, close_reason="paid")
            event = {
                "entity": "event",
                "account_id": "acc_fake",
                "event": "qr_code.credited",
                "contains": ["payment", "qr_code"],
                "payload": {"payment": {"entity": payment}, "qr_code": {"entity": dict(qr)}},
                "created_at": at,
            }
        return json.dumps(event).encode()

    def sign(self, body: bytes) -> str:
        return webhook_signature(body, self.webhook_secret)

    # -- what the customer and Razorpay's scheduler do to a subscription ----------------
    def _event(self, name: str, sub: dict[str, Any], at: int, payment: Any = None) -> bytes:
        contains = ["subscription"] + (["payment"] if payment else [])
        payload: dict[str, Any] = {"subscription": {"entity": dict(sub)}}
        if payment:
            payload["payment"] = {"entity": dict(payment)}
        event = {
            "entity": "event",
            "account_id": "acc_fake",
            "event": name,
            "contains": contains,
            "payload": payload,
            "created_at": at,
        }
        return json.dumps(event).encode()

    def _debit(self, sub: dict[str, Any], at: int) -> dict[str, Any]:
        plan = self.plans[sub["plan_id"]]
        return {
            "id": "pay_" + secrets.token_hex(7),
            "entity": "payment",
            "amount": plan["item"]["amount"],
            "currency": "INR",
            "status": "captured",
            "order_id": "order_" + secrets.token_hex(7),
            "invoice_id": "inv_" + secrets.token_hex(7),
            "method": "upi",
            "vpa": "payer@okhdfcbank",
            "captured": True,
            "recurring": True,
            "acquirer_data": {"rrn": f"{400000000000 + int(secrets.token_hex(4), 16) % 10**11}"},
            "created_at": at,
        }

    def _period(self, sub: dict[str, Any], start: int) -> None:
        seconds = {"monthly": 30 * 86400, "yearly": 365 * 86400}[
            self.plans[sub["plan_id"]]["period"]
        ]
        sub.update(current_start=start, current_end=start + seconds, charge_at=start + seconds)

    def authorise(self, sub_id: str, *, at: int) -> list[bytes]:
        """The customer approved the mandate in their UPI app; Razorpay takes the first
        period. The webhook bodies, in the order Razorpay sends them."""
        with self._lock:
            sub = self.subscriptions[sub_id]
            if sub["status"] != "created":
                raise ValueError(f"subscription is {sub['status']}")
            sub.update(status="authenticated", auth_attempts=1, start_at=at)
            bodies = [self._event("subscription.authenticated", sub, at)]
            sub["status"] = "active"
            self._period(sub, at)
            bodies.append(self._event("subscription.activated", sub, at))
            payment = self._debit(sub, at)
            sub["paid_count"] += 1
            sub["remaining_count"] = sub["total_count"] - sub["paid_count"]
            bodies.append(self._event("subscription.charged", sub, at, payment))
            return bodies

    def charge(self, sub_id: str, *, at: int) -> bytes:
        """The next period debited through the mandate: ``subscription.charged``."""
        with self._lock:
            sub = self.subscriptions[sub_id]
            if sub["status"] not in ("active", "pending", "halted"):
                raise ValueError(f"subscription is {sub['status']}")
            sub["status"] = "active"
            self._period(sub, at)
            sub["paid_count"] += 1
            sub["remaining_count"] = sub["total_count"] - sub["paid_count"]
            return self._event("subscription.charged", sub, at, self._debit(sub, at))

    def fail(self, sub_id: str, *, at: int) -> list[bytes]:
        """The debit fails (mandate revoked, no money): ``subscription.pending``, then
        ``subscription.halted`` when Razorpay stops retrying."""
        with self._lock:
            sub = self.subscriptions[sub_id]
            sub["status"] = "pending"
            bodies = [self._event("subscription.pending", sub, at)]
            sub["status"] = "halted"
            bodies.append(self._event("subscription.halted", sub, at + 3 * 86400))
            return bodies

    # -- the HTTP side -------------------------------------------------------------------
    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _send(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _error(self, status: int, description: str) -> None:
                self._send(
                    status, {"error": {"code": "BAD_REQUEST_ERROR", "description": description}}
                )

            def _authorised(self) -> bool:
                expected = base64.b64encode(f"{fake.key_id}:{fake.key_secret}".encode()).decode()
                if self.headers.get("Authorization") != f"Basic {expected}":
                    self._error(401, "The api key provided is invalid")
                    return False
                return True

            def _route(self, method: str) -> None:
                fake.requests.append((method, self.path))
                if fake.fail_next is not None:
                    status, fake.fail_next = fake.fail_next, None
                    self._error(status, "injected failure")
                    return
                if not self._authorised():
                    return
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                parts = self.path.strip("/").split("/")
                with fake._lock:
                    if method == "POST" and parts == ["v1", "plans"]:
                        self._create_plan(body)
                    elif method == "POST" and parts == ["v1", "subscriptions"]:
                        self._create_subscription(body)
                    elif parts[:2] == ["v1", "subscriptions"] and len(parts) in (3, 4):
                        self._subscription(method, parts[2:])
                    elif method == "POST" and parts == ["v1", "payments", "qr_codes"]:
                        self._create(body)
                    elif len(parts) == 5 and parts[:3] == ["v1", "payments", "qr_codes"]:
                        qr = fake.qr_codes.get(parts[3])
                        if qr is None:
                            self._error(400, "The id provided does not exist")
                        elif method == "GET" and parts[4] == "payments":
                            items = fake.payments[parts[3]]
                            self._send(
                                200, {"entity": "collection", "count": len(items), "items": items}
                            )
                        elif method == "POST" and parts[4] == "close":
                            if qr["status"] == "closed":
                                self._error(400, "QR code is already closed")
                            else:
                                qr.update(status="closed", close_reason="on_demand")
                                self._send(200, qr)
                        else:
                            self._error(404, "The requested URL was not found on the server.")
                    else:
                        self._error(404, "The requested URL was not found on the server.")

            def _create_plan(self, body: dict[str, Any]) -> None:
                item = body.get("item") or {}
                if body.get("period") not in ("daily", "weekly", "monthly", "yearly"):
                    self._error(400, "period is invalid")
                    return
                if not item.get("name") or not item.get("amount") or not item.get("currency"):
                    self._error(400, "item name, amount and currency are required")
                    return
                plan = {
                    "id": "plan_" + secrets.token_hex(7),
                    "entity": "plan",
                    "interval": int(body.get("interval") or 1),
                    "period": body["period"],
                    "item": {**item, "id": "item_" + secrets.token_hex(7), "active": True},
                    "notes": body.get("notes") or {},
                    "created_at": 0,
                }
                fake.plans[plan["id"]] = plan
                self._send(200, plan)

            def _create_subscription(self, body: dict[str, Any]) -> None:
                if body.get("plan_id") not in fake.plans:
                    self._error(400, "The id provided does not exist")
                    return
                if not body.get("total_count"):
                    self._error(400, "The total count field is required.")
                    return
                sub_id = "sub_" + secrets.token_hex(7)
                sub = {
                    "id": sub_id,
                    "entity": "subscription",
                    "plan_id": body["plan_id"],
                    "customer_id": None,
                    "status": "created",
                    "current_start": None,
                    "current_end": None,
                    "ended_at": None,
                    "quantity": int(body.get("quantity") or 1),
                    "notes": body.get("notes") or {},
                    "charge_at": None,
                    "start_at": body.get("start_at"),
                    "end_at": None,
                    "auth_attempts": 0,
                    "total_count": int(body["total_count"]),
                    "paid_count": 0,
                    "customer_notify": bool(body.get("customer_notify", 1)),
                    "created_at": 0,
                    "expire_by": body.get("expire_by"),
                    "short_url": f"https://rzp.io/rzp/{sub_id[4:]}",
                    "has_scheduled_changes": False,
                    "change_scheduled_at": None,
                    "source": "api",
                    "remaining_count": int(body["total_count"]),
                }
                fake.subscriptions[sub_id] = sub
                self._send(200, sub)

            def _subscription(self, method: str, rest: list[str]) -> None:
                sub = fake.subscriptions.get(rest[0])
                if sub is None:
                    self._error(400, "The id provided does not exist")
                elif method == "GET" and len(rest) == 1:
                    self._send(200, sub)
                elif method == "POST" and rest[1:] == ["cancel"]:
                    if sub["status"] in ("cancelled", "completed", "expired"):
                        self._error(
                            400, f"Subscription is not cancellable in {sub['status']} status."
                        )
                    else:
                        sub.update(status="cancelled", ended_at=0)
                        self._send(200, sub)
                else:
                    self._error(404, "The requested URL was not found on the server.")

            def _create(self, body: dict[str, Any]) -> None:
                if body.get("type") != "upi_qr" or body.get("usage") not in (
                    "single_use",
                    "multiple_use",
                ):
                    self._error(400, "type/usage invalid")
                    return
                if body.get("fixed_amount") and not body.get("payment_amount"):
                    self._error(400, "payment_amount is required when fixed_amount is true")
                    return
                qr_id = "qr_" + secrets.token_hex(7)
                amount = int(body.get("payment_amount") or 0)
                tr = "RZP" + qr_id[3:] + "qrv2"
                qr = {
                    "id": qr_id,
                    "entity": "qr_code",
                    "created_at": 0,
                    "name": body.get("name"),
                    "usage": body["usage"],
                    "type": "upi_qr",
                    "image_url": f"https://rzp.io/i/{qr_id}",
                    "payment_amount": body.get("payment_amount"),
                    "status": "active",
                    "description": body.get("description"),
                    "fixed_amount": bool(body.get("fixed_amount")),
                    "payments_amount_received": 0,
                    "payments_count_received": 0,
                    "notes": body.get("notes", {}),
                    "customer_id": body.get("customer_id"),
                    "close_by": body.get("close_by"),
                    "image_content": (
                        "upi://pay?pa=rzr.autoos123@icic&pn=AUTOOS&tr="
                        + tr
                        + "&tn=PaymenttoAUTOOS&cu=INR&mc=5734"
                        + f"&am={amount // 100}.{amount % 100:02d}"
                    ),
                }
                fake.qr_codes[qr_id] = qr
                fake.payments[qr_id] = []
                self._send(200, qr)

            def do_GET(self) -> None:
                self._route("GET")

            def do_POST(self) -> None:
                self._route("POST")

        return Handler
