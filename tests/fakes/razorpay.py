"""A local fake of Razorpay's QR Codes API over real HTTP (127.0.0.1, a thread).

Speaks the documented shapes: basic auth ``key_id:key_secret``; ``POST
/v1/payments/qr_codes`` returns a ``qr_code`` entity with ``image_content`` (its UPI
string); ``GET …/{id}/payments`` a ``collection`` of ``payment`` entities;
``POST …/{id}/close`` the closed entity. Tests make a customer pay with :meth:`pay`,
which also builds the signed ``qr_code.credited`` webhook body a real Razorpay would post.
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
                    if method == "POST" and parts == ["v1", "payments", "qr_codes"]:
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
