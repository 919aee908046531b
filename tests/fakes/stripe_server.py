"""A fake Stripe that speaks Stripe: real HTTP on 127.0.0.1, form-encoded bodies, JSON
answers shaped like Stripe's published fixtures (``stripe_fixtures.json``, MIT, copied
from Stripe's OpenAPI fixtures), for the real SDK pointed at it with ``STRIPE_API_BASE``.

Stateful for every endpoint the backend uses; honours ``Idempotency-Key`` like Stripe
(same key and body → the first answer replayed; same key, other body → 400
``idempotency_error``); injects faults (429 with ``Stripe-Should-Retry``, 500, answers
slower than the client's timeout, connections dropped *after* the write was applied);
keeps an events list; and has a test clock that moves subscriptions through trial ends,
renewals and scheduled phase changes.

UPI AutoPay: a Checkout Session with ``allowed_payment_method_types=["upi"]`` and
``payment_method_options.upi.mandate_options``, completed by :meth:`complete_session`,
gets a ``upi`` PaymentMethod and an active ``mandate`` (shaped like the fixture) that
debits the subscription's invoices within its terms; :meth:`revoke_mandate` is the
customer revoking it in their UPI app (``mandate.updated``, status ``inactive``), after
which renewals fail (``invoice.payment_failed``, subscription ``past_due``).
``POST /v1/payment_methods/{id}/detach`` ends the mandate too;
``POST /v1/invoices/{id}/pay`` with ``paid_out_of_band`` and ``POST
/v1/invoices/{id}/void`` settle an open invoice. Modelling choice, said once: each
AutoPay invoice names its mandate in ``payment_settings.default_mandate``.

Simplification, said once: a two-phase subscription schedule is released as soon as its
last phase starts (Stripe releases it when that phase ends); prorations are computed on
whole seconds without tax.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import random
import socket
import threading
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

FIXTURES = json.loads((Path(__file__).with_name("stripe_fixtures.json")).read_text())["resources"]
DAY = 86400
INTERVAL_SECONDS = {"month": 30 * DAY, "year": 365 * DAY}
FAULT_KINDS = ("429", "500", "slow", "drop")


class StripeHTTPError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        *,
        type_: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body = {"error": {"type": type_, "message": message, "code": code, "param": param}}


def _missing(kind: str, obj_id: str) -> StripeHTTPError:
    return StripeHTTPError(404, f"No such {kind}: '{obj_id}'", code="resource_missing", param="id")


def decode_form(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """``items[0][price]=p&metadata[a]=b`` → ``{"items": [{"price": "p"}], "metadata": {...}}``."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = key.replace("]", "").split("[")
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _listify(root)


def _listify(node: Any) -> Any:
    if isinstance(node, dict):
        fixed = {k: _listify(v) for k, v in node.items()}
        if fixed and all(k.isdigit() for k in fixed):
            return [fixed[k] for k in sorted(fixed, key=int)]
        return fixed
    return node


def _bool(value: Any) -> bool:
    return str(value).lower() == "true"


#: What each endpoint accepts, as in Stripe's API reference for 2026-10-28 (only the
#: parameters this shop could plausibly send; a name in a nested dict is checked inside
#: it, and inside every element of a list). Real Stripe refuses any other name with 400
#: ``parameter_unknown`` — so must the fake, or a misspelt name passes the tests.
_ITEM = {"id": None, "price": None, "quantity": None, "deleted": None, "metadata": None}
PARAMS: dict[tuple[str, ...], dict[str, Any]] = {
    ("POST", "billing_portal", "sessions"): {
        "customer": None,
        "return_url": None,
        "configuration": None,
        "locale": None,
        "flow_data": {"type": None, "after_completion": None},
    },
    ("POST", "customers"): {"name": None, "email": None, "phone": None, "metadata": None},
    ("POST", "customers", "*"): {"name": None, "email": None, "phone": None, "metadata": None},
    ("GET", "customers", "*"): {},
    ("GET", "customers", "*", "payment_methods"): {
        "limit": None,
        "type": None,
        "starting_after": None,
        "ending_before": None,
    },
    ("POST", "products"): {"id": None, "name": None, "metadata": None, "active": None},
    ("POST", "prices"): {
        "product": None,
        "currency": None,
        "unit_amount": None,
        "recurring": {"interval": None, "interval_count": None},
        "lookup_key": None,
        "transfer_lookup_key": None,
        "metadata": None,
        "active": None,
    },
    ("POST", "prices", "*"): {"active": None, "metadata": None, "lookup_key": None},
    ("GET", "prices"): {"lookup_keys": None, "active": None, "limit": None},
    ("POST", "checkout", "sessions"): {
        "mode": None,
        "customer": None,
        "line_items": {"price": None, "quantity": None},
        "client_reference_id": None,
        "metadata": None,
        "subscription_data": {"metadata": None, "trial_period_days": None},
        "success_url": None,
        "cancel_url": None,
        "expires_at": None,
        # 2026-10-28 has no ``payment_method_types`` here: the allowed list filters the
        # methods enabled in the Dashboard
        "allowed_payment_method_types": None,
        "payment_method_options": {
            "upi": {
                "mandate_options": {
                    "amount": None,
                    "amount_type": None,
                    "description": None,
                    "end_date": None,
                },
                "setup_future_usage": None,
            }
        },
    },
    ("GET", "checkout", "sessions", "*"): {},
    ("POST", "checkout", "sessions", "*", "expire"): {},
    ("POST", "subscriptions"): {
        "customer": None,
        "items": _ITEM,
        "metadata": None,
        "trial_period_days": None,
        "payment_behavior": None,
        "trial_settings": {"end_behavior": {"missing_payment_method": None}},
    },
    ("POST", "subscriptions", "*"): {
        "items": _ITEM,
        "proration_behavior": None,
        "proration_date": None,
        "cancel_at_period_end": None,
        "metadata": None,
        "payment_behavior": None,
    },
    ("GET", "subscriptions", "*"): {},
    ("DELETE", "subscriptions", "*"): {"invoice_now": None, "prorate": None},
    ("POST", "invoices", "create_preview"): {
        "customer": None,
        "subscription": None,
        "subscription_details": {
            "items": _ITEM,
            "proration_behavior": None,
            "proration_date": None,
            "cancel_at_period_end": None,
        },
    },
    ("GET", "invoices"): {
        "customer": None,
        "subscription": None,
        "limit": None,
        "status": None,
        "starting_after": None,
        "ending_before": None,
    },
    ("GET", "invoices", "*"): {},
    ("POST", "invoices", "*", "pay"): {
        "paid_out_of_band": None,
        "forgive": None,
        "mandate": None,
        "off_session": None,
        "payment_method": None,
    },
    ("POST", "invoices", "*", "void"): {},
    ("GET", "mandates", "*"): {},
    ("POST", "payment_methods", "*", "detach"): {},
    ("POST", "subscription_schedules"): {"from_subscription": None, "metadata": None},
    ("POST", "subscription_schedules", "*"): {
        "end_behavior": None,
        "proration_behavior": None,
        "metadata": None,
        "phases": {
            "items": {"price": None, "quantity": None},
            "start_date": None,
            "end_date": None,
            "duration": {"interval": None, "interval_count": None},
            "proration_behavior": None,
            "metadata": None,
        },
    },
    ("POST", "subscription_schedules", "*", "release"): {"preserve_cancel_date": None},
    ("POST", "refunds"): {
        "payment_intent": None,
        "charge": None,
        "amount": None,
        "reason": None,
        "metadata": None,
    },
    ("GET", "events"): {
        "limit": None,
        "starting_after": None,
        "ending_before": None,
        "type": None,
        "types": None,
        "created": None,
    },
}


def unknown_parameter(spec: dict[str, Any], params: Any, prefix: str = "") -> str | None:
    """The first name in ``params`` that ``spec`` does not allow, as Stripe writes it."""
    items = params if isinstance(params, list) else [params]
    for item in items:
        if not isinstance(item, dict):
            continue
        for name, value in item.items():
            if name == "expand" and not prefix:
                continue
            if name not in spec:
                return f"{prefix}[{name}]" if prefix else name
            inner = spec[name]
            if inner is not None:
                found = unknown_parameter(inner, value, f"{prefix}[{name}]" if prefix else name)
                if found:
                    return found
    return None


class FakeStripe:
    """The server and its state. ``clock`` is the test's ManualClock (the test clock)."""

    def __init__(self, clock: Any, *, api_key: str = "sk_test_fake", seed: int = 7) -> None:
        self.clock = clock
        self.api_keys = {api_key}
        self.lock = threading.RLock()
        self.arrived = threading.Condition(self.lock)
        self.rng = random.Random(seed)
        self.objects: dict[str, dict[str, dict[str, Any]]] = {}
        self.events: list[dict[str, Any]] = []
        self.idempotency: dict[str, tuple[str, int, dict[str, Any]]] = {}
        self.requests: list[tuple[str, str]] = []
        self.fault_rate = 0.0
        self.fault_kinds: tuple[str, ...] = FAULT_KINDS
        self.forced: list[str] = []
        self.faults_injected: dict[str, int] = dict.fromkeys(FAULT_KINDS, 0)
        self.slow_seconds = 1.0
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self._seq = 0

    # ---- lifecycle -------------------------------------------------------------------
    def start(self) -> FakeStripe:
        fake = self

        class Handler(_Handler):
            server_fake = fake

        self._stopping.clear()
        server = _Server(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop answering (the port is freed; state is kept so :meth:`start` resumes)."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        with self.lock:
            open_connections, self._connections = self._connections, set()
        for conn in open_connections:  # keep-alive connections die too, as when a host goes
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # ---- faults ----------------------------------------------------------------------
    def set_faults(self, rate: float, kinds: tuple[str, ...] = FAULT_KINDS) -> None:
        with self.lock:
            self.fault_rate = rate
            self.fault_kinds = kinds

    def inject(self, *kinds: str) -> None:
        """Force these faults on the next requests, in order."""
        with self.lock:
            self.forced.extend(kinds)

    def _pick_fault(self, path: str) -> str | None:
        if path.startswith("/v1/events"):
            return None
        with self.lock:
            if self.forced:
                kind = self.forced.pop(0)
            elif self.fault_rate and self.rng.random() < self.fault_rate:
                kind = self.rng.choice(self.fault_kinds)
            else:
                return None
            self.faults_injected[kind] = self.faults_injected.get(kind, 0) + 1
            return kind

    def arrive(self, method: str, path: str) -> None:
        """Count a request as it arrives (before any injected fault)."""
        with self.arrived:
            self.requests.append((method, path))
            self.arrived.notify_all()

    def wait_for_requests(self, count: int, timeout: float) -> bool:
        """Block until at least ``count`` requests have arrived (or ``timeout`` passes)."""
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.requests) >= count, timeout)

    # ---- helpers ---------------------------------------------------------------------
    def now(self) -> int:
        return int(self.clock.now().timestamp())

    def new_id(self, prefix: str) -> str:
        self._seq += 1
        return f"{prefix}_{self._seq:08d}{uuid.UUID(int=self.rng.getrandbits(128)).hex[:14]}"

    def store(self, kind: str) -> dict[str, dict[str, Any]]:
        return self.objects.setdefault(kind, {})

    def get(self, kind: str, obj_id: str) -> dict[str, Any]:
        found = self.store(kind).get(obj_id)
        if found is None:
            raise _missing(kind, obj_id)
        return found

    def emit(self, type_: str, obj: dict[str, Any], request_key: str | None = None) -> None:
        self._seq += 1
        self.events.append(
            {
                **copy.deepcopy(FIXTURES["event"]),
                "id": f"evt_{self._seq:012d}",
                "type": type_,
                "created": self.now(),
                "api_version": "2026-10-28.endive",
                "data": {"object": copy.deepcopy(obj)},
                "request": {"id": None, "idempotency_key": request_key},
            }
        )

    def _template(self, kind: str, **values: Any) -> dict[str, Any]:
        obj = copy.deepcopy(FIXTURES[kind])
        obj.update(livemode=False, created=self.now(), metadata={})
        obj.update(values)
        return obj

    # ---- dispatch --------------------------------------------------------------------
    def handle(
        self, method: str, path: str, params: dict[str, Any], key: str | None
    ) -> tuple[int, dict[str, Any]]:
        """Apply one request (under the lock) and return (status, body)."""
        with self.lock:
            if key and method in ("POST", "DELETE"):
                fingerprint = hashlib.sha256(
                    json.dumps([method, path, params], sort_keys=True).encode()
                ).hexdigest()
                seen = self.idempotency.get(key)
                if seen is not None:
                    if seen[0] != fingerprint:
                        return 400, StripeHTTPError(
                            400,
                            "Keys for idempotent requests can only be used with the same "
                            "parameters they were first used with. Try using a key other than "
                            f"'{key}' if you meant to execute a different request.",
                            type_="idempotency_error",
                        ).body
                    return seen[1], copy.deepcopy(seen[2])
            try:
                status, body = 200, self._route(method, path, params, key)
            except StripeHTTPError as err:
                status, body = err.status, err.body
            if key and method in ("POST", "DELETE") and status != 500:
                self.idempotency[key] = (fingerprint, status, copy.deepcopy(body))
            return status, body

    def _route(self, method: str, path: str, p: dict[str, Any], key: str | None) -> dict[str, Any]:
        parts = path.strip("/").split("/")[1:]  # drop "v1"
        routes: dict[tuple[str, ...], Callable[..., dict[str, Any]]] = {
            ("POST", "customers"): self.create_customer,
            ("POST", "customers", "*"): self.update_customer,
            ("GET", "customers", "*"): lambda p, k, i: self.get("customer", i),
            ("GET", "customers", "*", "payment_methods"): self.list_customer_pms,
            ("POST", "products"): self.create_product,
            ("POST", "prices"): self.create_price,
            ("POST", "prices", "*"): self.update_price,
            ("GET", "prices"): self.list_prices,
            ("POST", "checkout", "sessions"): self.create_session,
            ("GET", "checkout", "sessions", "*"): lambda p, k, i: self.get("checkout.session", i),
            ("POST", "checkout", "sessions", "*", "expire"): self.expire_session,
            ("POST", "subscriptions"): self.create_subscription,
            ("POST", "subscriptions", "*"): self.update_subscription,
            ("GET", "subscriptions", "*"): lambda p, k, i: self.get("subscription", i),
            ("DELETE", "subscriptions", "*"): self.cancel_subscription,
            ("POST", "invoices", "create_preview"): self.create_preview,
            ("GET", "invoices"): self.list_invoices,
            ("GET", "invoices", "*"): lambda p, k, i: self._invoice_view(self.get("invoice", i), p),
            ("POST", "invoices", "*", "pay"): self.pay_invoice,
            ("POST", "invoices", "*", "void"): self.void_invoice,
            ("GET", "mandates", "*"): lambda p, k, i: self.get("mandate", i),
            ("POST", "payment_methods", "*", "detach"): self.detach_payment_method,
            ("POST", "subscription_schedules"): self.create_schedule,
            ("POST", "subscription_schedules", "*"): self.update_schedule,
            ("POST", "subscription_schedules", "*", "release"): self.release_schedule,
            ("POST", "refunds"): self.create_refund,
            ("GET", "events"): self.list_events,
            ("POST", "billing_portal", "sessions"): self.create_portal_session,
        }
        want = (method, *parts)
        matches = [
            route
            for route in routes
            if len(route) == len(want)
            and all(a in ("*", b) for a, b in zip(route, want, strict=True))
        ]
        if not matches:
            raise StripeHTTPError(404, f"Unrecognized request URL ({method}: {path}).")
        route = min(matches, key=lambda r: r.count("*"))
        unknown = unknown_parameter(PARAMS[route], p)
        if unknown:
            raise StripeHTTPError(
                400,
                f"Received unknown parameter: {unknown}",
                code="parameter_unknown",
                param=unknown,
            )
        idents = [b for a, b in zip(route, want, strict=True) if a == "*"]
        handler = routes[route]
        return handler(p, key, *idents)

    # ---- customers -------------------------------------------------------------------
    def create_customer(self, p: dict[str, Any], key: str | None) -> dict[str, Any]:
        cus = self._template(
            "customer",
            id=self.new_id("cus"),
            name=p.get("name"),
            email=p.get("email"),
            phone=p.get("phone"),
            metadata=p.get("metadata", {}),
            test_clock=None,
        )
        self.store("customer")[cus["id"]] = cus
        self.emit("customer.created", cus, key)
        return cus

    def create_portal_session(self, p: dict[str, Any], key: str | None) -> dict[str, Any]:
        """A hosted billing-portal session (Stripe's published shape; no fixture ships
        for it). The page itself is Stripe's: tests stand in for the customer with
        :meth:`attach_card`."""
        self.get("customer", p["customer"])
        flow_type = (p.get("flow_data") or {}).get("type")
        if flow_type not in (None, "payment_method_update"):
            raise StripeHTTPError(400, f"Unsupported flow_data[type]: {flow_type}")
        sess_id = self.new_id("bps")
        return {
            "id": sess_id,
            "object": "billing_portal.session",
            "configuration": "bpc_fake_default",
            "created": self.now(),
            "customer": p["customer"],
            "flow": {"type": flow_type} if flow_type else None,
            "livemode": False,
            "locale": None,
            "on_behalf_of": None,
            "return_url": p.get("return_url"),
            "url": f"https://billing.stripe.com/p/session/test_{sess_id}",
        }

    def update_customer(self, p: dict[str, Any], key: str | None, cus_id: str) -> dict[str, Any]:
        cus = self.get("customer", cus_id)
        for field in ("name", "email", "phone"):
            if field in p:
                cus[field] = p[field]
        cus["metadata"].update(p.get("metadata", {}))
        self.emit("customer.updated", cus, key)
        return cus

    def list_customer_pms(self, p: dict[str, Any], key: str | None, cus_id: str) -> dict[str, Any]:
        self.get("customer", cus_id)
        pms = [pm for pm in self.store("payment_method").values() if pm["customer"] == cus_id]
        return {
            "object": "list",
            "data": pms,
            "has_more": False,
            "url": f"/v1/customers/{cus_id}/payment_methods",
        }

    # ---- catalog ---------------------------------------------------------------------
    def create_product(self, p: dict[str, Any], key: str | None) -> dict[str, Any]:
        prod_id = p.get("id") or self.new_id("prod")
        if prod_id in self.store("product"):
            raise StripeHTTPError(
                400, f"Product already exists: {prod_id}", code="resource_already_exists"
            )
        prod = self._template(
            "product",
            id=prod_id,
            name=p["name"],
            metadata=p.get("metadata", {}),
            default_price=None,
            updated=self.now(),
        )
        self.store("product")[prod_id] = prod
        return prod

    def create_price(self, p: dict[str, Any], key: str | None) -> dict[str, Any]:
        self.get("product", p["product"])
        lookup = p.get("lookup_key")
        holders = [x for x in self.store("price").values() if lookup and x["lookup_key"] == lookup]
        if holders and not _bool(p.get("transfer_lookup_key")):
            raise StripeHTTPError(400, f"A price with the lookup key {lookup} already exists.")
        for old in holders:
            old["lookup_key"] = None
        recurring = copy.deepcopy(FIXTURES["price"]["recurring"])
        recurring.update(interval=p["recurring"]["interval"], interval_count=1)
        price = self._template(
            "price",
            id=self.new_id("price"),
            product=p["product"],
            currency=p["currency"],
            unit_amount=int(p["unit_amount"]),
            unit_amount_decimal=p["unit_amount"],
            lookup_key=lookup,
            recurring=recurring,
            metadata=p.get("metadata", {}),
            transform_quantity=None,
            active=True,
        )
        self.store("price")[price["id"]] = price
        return price

    def update_price(self, p: dict[str, Any], key: str | None, price_id: str) -> dict[str, Any]:
        price = self.get("price", price_id)
        if "active" in p:
            price["active"] = _bool(p["active"])
        return price

    def list_prices(self, p: dict[str, Any], key: str | None) -> dict[str, Any]:
        keys = set(p.get("lookup_keys") or [])
        data = [x for x in self.store("price").values() if not keys or x["lookup_key"] in keys]
        if "active" in p:
            data = [x for x in data if x["active"] == _bool(p["active"])]
        return {"object": "list", "data": data, "has_more": False, "url": "/v1/prices"}

    # ---- checkout --------------------------------------------------------------------
    def create_session(self, p: dict[str, Any], key: str | None) -> dict[str, Any]:
        if p.get("mode") != "subscription":
            raise StripeHTTPError(400, "Only mode=subscription is used by this shop.", param="mode")
        self.get("customer", p["customer"])
        price = self.get("price", p["line_items"][0]["price"])
        if not price["active"]:
            raise StripeHTTPError(400, f"The price specified is inactive: {price['id']}")
        expires = int(p.get("expires_at") or self.now() + DAY)
        if not self.now() + 1800 <= expires <= self.now() + DAY:
            raise StripeHTTPError(
                400, "expires_at must be 30 minutes to 24 hours from now.", param="expires_at"
            )
        allowed = list(p.get("allowed_payment_method_types") or ["card"])
        upi_options = ((p.get("payment_method_options") or {}).get("upi") or {}).get(
            "mandate_options"
        )
        if "upi" in allowed:
            if price["currency"] != "inr":
                raise StripeHTTPError(
                    400,
                    "The payment method `upi` only supports `inr`.",
                    param="allowed_payment_method_types",
                )
            if upi_options and upi_options.get("amount_type") not in (None, "fixed", "maximum"):
                raise StripeHTTPError(
                    400,
                    "Invalid payment_method_options[upi][mandate_options][amount_type]",
                    param="payment_method_options[upi][mandate_options][amount_type]",
                )
        sess_id = self.new_id("cs_test")
        sess = self._template(
            "checkout.session",
            id=sess_id,
            mode="subscription",
            customer=p["customer"],
            client_reference_id=p.get("client_reference_id"),
            metadata=p.get("metadata", {}),
            currency=price["currency"],
            amount_total=price["unit_amount"],
            amount_subtotal=price["unit_amount"],
            expires_at=expires,
            status="open",
            payment_status="unpaid",
            subscription=None,
            invoice=None,
            payment_intent=None,
            success_url=p.get("success_url"),
            cancel_url=p.get("cancel_url"),
            url=f"https://checkout.stripe.com/c/pay/{sess_id}",
        )
        sess["payment_method_types"] = allowed
        if "upi" in allowed:
            terms = {
                "amount": int(upi_options["amount"])
                if upi_options and upi_options.get("amount")
                else None,
                "amount_type": (upi_options or {}).get("amount_type") or "maximum",
                "description": (upi_options or {}).get("description"),
                "end_date": int(upi_options["end_date"])
                if upi_options and upi_options.get("end_date")
                else None,
            }
            if terms["amount"] is None:
                terms["amount"] = price["unit_amount"]
            sess["payment_method_options"] = {"upi": {"mandate_options": terms}}
            sess["_upi"] = terms
        sess["_price"] = price["id"]
        sess["_sub_metadata"] = (p.get("subscription_data") or {}).get("metadata", {})
        self.store("checkout.session")[sess_id] = sess
        return self._public(sess)

    @staticmethod
    def _public(obj: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in obj.items() if not k.startswith("_")}

    def expire_session(self, p: dict[str, Any], key: str | None, sess_id: str) -> dict[str, Any]:
        sess = self.get("checkout.session", sess_id)
        if sess["status"] != "open":
            raise StripeHTTPError(
                400,
                f'Only Checkout Sessions with a status in ["open"] can be expired. '
                f'This Checkout Session has a status of "{sess["status"]}".',
            )
        sess["status"] = "expired"
        self.emit("checkout.session.expired", self._public(sess), key)
        return self._public(sess)

    def complete_session(self, sess_id: str) -> dict[str, Any]:
        """The customer paid on their phone (test helper; the shop never calls this)."""
        with self.lock:
            sess = self.get("checkout.session", sess_id)
            if sess["status"] != "open":
                raise ValueError(f"session is {sess['status']}")
            if sess.get("_upi"):  # the customer approved the mandate in their UPI app
                pm = self.approve_upi_mandate(sess["customer"], sess["_upi"])
            else:
                pm = self.attach_card(sess["customer"])
            sub = self._new_subscription(
                sess["customer"],
                sess["_price"],
                sess["_sub_metadata"],
                trial_days=None,
                payment_method=pm["id"],
                key=None,
            )
            sess.update(
                status="complete",
                payment_status="paid",
                subscription=sub["id"],
                invoice=sub["latest_invoice"],
            )
            self.emit("checkout.session.completed", self._public(sess))
            return self._public(sess)

    def decline_session(self, sess_id: str, message: str = "Your card was declined.") -> None:
        """The customer's card was declined on the session's page (test helper): Stripe
        tells of a failed PaymentIntent of the customer; the page stays open for another
        card."""
        with self.lock:
            sess = self.get("checkout.session", sess_id)
            intent = self._template(
                "payment_intent",
                id=self.new_id("pi"),
                customer=sess["customer"],
                amount=sess["amount_total"],
                currency=sess["currency"],
                status="requires_payment_method",
                last_payment_error={
                    "type": "card_error",
                    "code": "card_declined",
                    "decline_code": "insufficient_funds",
                    "message": message,
                },
            )
            self.emit("payment_intent.payment_failed", intent)

    def approve_upi_mandate(self, cus_id: str, terms: dict[str, Any]) -> dict[str, Any]:
        """A UPI payment method with an active multi-use mandate of these terms (what the
        customer's UPI app makes when they enter their PIN)."""
        with self.lock:
            pm = self._template(
                "payment_method",
                id=self.new_id("pm"),
                customer=cus_id,
                type="upi",
                upi={"vpa": f"payer{self._seq}@okhdfcbank"},
            )
            pm.pop("card", None)
            self.store("payment_method")[pm["id"]] = pm
            mandate = self._template(
                "mandate",
                id=self.new_id("mandate"),
                payment_method=pm["id"],
                status="active",
                type="multi_use",
                multi_use={},
                payment_method_details={"type": "upi", "upi": dict(terms)},
                customer_acceptance={
                    "accepted_at": self.now(),
                    "online": {"ip_address": "127.0.0.1", "user_agent": "UPI app"},
                    "type": "online",
                },
            )
            for key in ("created", "metadata"):  # not fields of a mandate
                mandate.pop(key, None)
            self.store("mandate")[mandate["id"]] = mandate
            self.emit("payment_method.attached", pm)
            return pm

    def mandate_of(self, pm_id: str | None) -> dict[str, Any] | None:
        with self.lock:
            for mandate in self.store("mandate").values():
                if mandate["payment_method"] == pm_id:
                    return mandate
            return None

    def revoke_mandate(self, mandate_id: str) -> dict[str, Any]:
        """The customer revoked (or paused) the mandate in their UPI app (test helper):
        Stripe marks it inactive and says so with ``mandate.updated``."""
        with self.lock:
            mandate = self.get("mandate", mandate_id)
            mandate["status"] = "inactive"
            self.emit("mandate.updated", mandate)
            return copy.deepcopy(mandate)

    def resume_mandate(self, mandate_id: str) -> dict[str, Any]:
        """The customer resumed a paused mandate in their UPI app (test helper)."""
        with self.lock:
            mandate = self.get("mandate", mandate_id)
            mandate["status"] = "active"
            self.emit("mandate.updated", mandate)
            return copy.deepcopy(mandate)

    def retry_invoice(self, inv_id: str) -> bool:
        """Stripe's automatic retry of an open invoice (test helper): debited if the
        payment method can pay it now; True when it was paid."""
        with self.lock:
            inv = self.get("invoice", inv_id)
            sub = self.get("subscription", inv["parent"]["subscription_details"]["subscription"])
            if inv["status"] != "open" or not self._can_charge(sub, inv["amount_due"]):
                return False
            paid = self._invoice(sub, inv["amount_due"], inv["billing_reason"], paid=True)
            # the retry pays this invoice: keep its id, take the new payment's details
            del self.store("invoice")[paid["id"]]
            inv.update(
                status="paid",
                amount_paid=inv["amount_due"],
                amount_remaining=0,
                _payments={
                    **paid["_payments"],
                    "data": [{**entry, "invoice": inv_id} for entry in paid["_payments"]["data"]],
                },
            )
            self._invoice_events(inv)
            if sub["status"] == "past_due" and sub["latest_invoice"] == inv_id:
                sub["status"] = "active"
                self.emit("customer.subscription.updated", self._public(sub))
            return True

    def detach_payment_method(
        self, p: dict[str, Any], key: str | None, pm_id: str
    ) -> dict[str, Any]:
        pm = self.get("payment_method", pm_id)
        if pm["customer"] is None:
            raise StripeHTTPError(
                400,
                f"The payment method you provided is not attached to a customer so detachment "
                f"is impossible: {pm_id}",
            )
        pm["customer"] = None
        self.emit("payment_method.detached", pm, key)
        mandate = self.mandate_of(pm_id)
        if mandate is not None and mandate["status"] != "inactive":
            mandate["status"] = "inactive"
            self.emit("mandate.updated", mandate, key)
        return pm

    def _charge_pm(self, sub: dict[str, Any]) -> str | None:
        """What an invoice of ``sub`` is debited from: its UPI mandate's payment method,
        else the customer's default card."""
        pm = self.store("payment_method").get(sub.get("default_payment_method") or "")
        if pm is not None and pm["type"] == "upi":
            return str(pm["id"])
        return self._default_pm(sub["customer"])

    def _can_charge(self, sub: dict[str, Any], amount: int) -> bool:
        """A card is charged when the customer has a default one; a UPI mandate debits
        only while it is active, attached, before its end date and within its amount."""
        pm = self.store("payment_method").get(sub.get("default_payment_method") or "")
        if pm is None or pm["type"] != "upi":
            return bool(self._default_pm(sub["customer"]))
        mandate = self.mandate_of(pm["id"])
        if mandate is None or mandate["status"] != "active" or pm["customer"] is None:
            return False
        terms = mandate["payment_method_details"]["upi"]
        if terms.get("end_date") and self.now() > int(terms["end_date"]):
            return False
        if terms.get("amount_type") == "fixed":
            return amount == int(terms["amount"])
        return amount <= int(terms["amount"])

    def pay_invoice(self, p: dict[str, Any], key: str | None, inv_id: str) -> dict[str, Any]:
        inv = self.get("invoice", inv_id)
        if inv["status"] != "open":
            raise StripeHTTPError(
                400, f"Invoice is already {inv['status']}.", code="invoice_not_open"
            )
        if not _bool(p.get("paid_out_of_band")):
            raise StripeHTTPError(400, "This fake only marks invoices paid out of band.")
        inv.update(
            status="paid",
            amount_paid=inv["amount_due"],
            amount_remaining=0,
            status_transitions={**(inv.get("status_transitions") or {}), "paid_at": self.now()},
        )
        self.emit("invoice.paid", self._public(inv), key)  # no payment_succeeded: no payment
        sub = self.store("subscription").get(inv["parent"]["subscription_details"]["subscription"])
        if sub is not None and sub["status"] == "past_due" and sub["latest_invoice"] == inv_id:
            sub["status"] = "active"
            self.emit("customer.subscription.updated", self._public(sub), key)
        return self._public(inv)

    def void_invoice(self, p: dict[str, Any], key: str | None, inv_id: str) -> dict[str, Any]:
        inv = self.get("invoice", inv_id)
        if inv["status"] != "open":
            raise StripeHTTPError(
                400, f"Invoice is already {inv['status']}.", code="invoice_not_open"
            )
        inv.update(status="void", amount_remaining=0)
        self.emit("invoice.voided", self._public(inv), key)
        return self._public(inv)

    def bill_now(self, sub_id: str) -> None:
        """Test helper: this one subscription's period ends now (as if the test clock had
        reached it) and it renews — its invoice paid through the mandate, or failed."""
        with self.lock:
            sub = self.get("subscription", sub_id)
            item = sub["items"]["data"][0]
            item["current_period_end"] = self.now()
            self._roll(sub)

    def attach_card(self, cus_id: str) -> dict[str, Any]:
        with self.lock:
            pm = self._template(
                "payment_method", id=self.new_id("pm"), customer=cus_id, type="card"
            )
            self.store("payment_method")[pm["id"]] = pm
            self.get("customer", cus_id)["invoice_settings"]["default_payment_method"] = pm["id"]
            self.emit("payment_method.attached", pm)
            return pm

    # ---- subscriptions ---------------------------------------------------------------
    def _item(self, sub_id: str, price_id: str, start: int, end: int) -> dict[str, Any]:
        item = copy.deepcopy(FIXTURES["subscription"]["items"]["data"][0])
        item.update(
            id=self.new_id("si"),
            subscription=sub_id,
            price=copy.deepcopy(self.get("price", price_id)),
            current_period_start=start,
            current_period_end=end,
            created=self.now(),
            quantity=1,
            metadata={},
        )
        item["plan"].update(
            id=price_id,
            amount=item["price"]["unit_amount"],
            interval=item["price"]["recurring"]["interval"],
            interval_count=1,
            currency=item["price"]["currency"],
            product=item["price"]["product"],
        )
        return item

    def _default_pm(self, cus_id: str) -> str | None:
        return self.get("customer", cus_id)["invoice_settings"].get("default_payment_method")

    def _new_subscription(
        self,
        cus_id: str,
        price_id: str,
        metadata: dict[str, Any],
        *,
        trial_days: int | None,
        payment_method: str | None,
        key: str | None,
        missing_pm: str = "create_invoice",
    ) -> dict[str, Any]:
        price = self.get("price", price_id)
        now = self.now()
        sub_id = self.new_id("sub")
        end = now + (
            trial_days * DAY if trial_days else INTERVAL_SECONDS[price["recurring"]["interval"]]
        )
        sub = self._template(
            "subscription",
            id=sub_id,
            customer=cus_id,
            currency=price["currency"],
            items={
                "object": "list",
                "data": [self._item(sub_id, price_id, now, end)],
                "has_more": False,
                "url": f"/v1/subscription_items?subscription={sub_id}",
            },
            metadata=metadata,
            status="trialing" if trial_days else "active",
            cancel_at_period_end=False,
            canceled_at=None,
            cancel_at=None,
            ended_at=None,
            start_date=now,
            billing_cycle_anchor=end,
            schedule=None,
            test_clock=None,
            trial_start=now if trial_days else None,
            trial_end=end if trial_days else None,
            default_payment_method=payment_method,
            latest_invoice=None,
            pending_update=None,
            discounts=[],
        )
        sub["_missing_pm"] = missing_pm
        upi = self.mandate_of(payment_method)
        if upi is not None:
            sub["payment_settings"] = copy.deepcopy(sub["payment_settings"])
            sub["payment_settings"]["payment_method_types"] = ["upi"]
            sub["payment_settings"]["payment_method_options"]["upi"] = {
                "mandate_options": dict(upi["payment_method_details"]["upi"])
            }
        self.store("subscription")[sub_id] = sub
        amount = 0 if trial_days else price["unit_amount"]
        inv = self._invoice(
            sub,
            amount,
            "subscription_create",
            paid=(bool(payment_method) and self._can_charge(sub, amount)) or amount == 0,
        )
        sub["latest_invoice"] = inv["id"]
        if not trial_days and not payment_method:
            sub["status"] = "incomplete"
        self.emit("customer.subscription.created", self._public(sub), key)
        self._invoice_events(inv)
        return self._public(sub)

    def _invoice(
        self, sub: dict[str, Any], amount: int, reason: str, *, paid: bool
    ) -> dict[str, Any]:
        inv_id = self.new_id("in")
        payments: list[dict[str, Any]] = []
        if paid and amount > 0:
            pi = self._template(
                "payment_intent",
                id=self.new_id("pi"),
                amount=amount,
                amount_received=amount,
                currency=sub["currency"],
                customer=sub["customer"],
                status="succeeded",
                payment_method=self._charge_pm(sub),
                latest_charge=self.new_id("ch"),
            )
            pi["_refunded"] = 0
            self.store("payment_intent")[pi["id"]] = pi
            entry = copy.deepcopy(FIXTURES["invoice_payment"])
            entry.update(
                id=self.new_id("inpay"),
                invoice=inv_id,
                amount_paid=amount,
                amount_requested=amount,
                currency=sub["currency"],
                status="paid",
                payment={"type": "payment_intent", "payment_intent": pi["id"]},
            )
            payments.append(entry)
        line = copy.deepcopy(FIXTURES["invoice"]["lines"]["data"][0])
        line.update(
            id=self.new_id("il"),
            invoice=inv_id,
            amount=amount,
            currency=sub["currency"],
            description=reason,
        )
        number = f"AUTOOS-{len(self.store('invoice')) + 1:04d}"
        inv = self._template(
            "invoice",
            id=inv_id,
            customer=sub["customer"],
            currency=sub["currency"],
            amount_due=amount,
            amount_paid=amount if paid else 0,
            amount_remaining=0 if paid else amount,
            total=amount,
            subtotal=amount,
            billing_reason=reason,
            number=number,
            status="paid" if paid else "open",
            lines={
                "object": "list",
                "data": [line],
                "has_more": False,
                "url": f"/v1/invoices/{inv_id}/lines",
            },
            parent={
                "type": "subscription_details",
                "quote_details": None,
                "subscription_details": {"metadata": sub["metadata"], "subscription": sub["id"]},
            },
            _payments={
                "object": "list",
                "data": payments,
                "has_more": False,
                "url": "/v1/invoice_payments",
            },
            hosted_invoice_url=f"https://invoice.stripe.com/i/{inv_id}",
            invoice_pdf=f"https://pay.stripe.com/invoice/{inv_id}/pdf",
        )
        mandate = self.mandate_of(sub.get("default_payment_method"))
        if mandate is not None:
            inv["payment_settings"] = {
                **copy.deepcopy(inv["payment_settings"]),
                "default_mandate": mandate["id"],
            }
        self.store("invoice")[inv_id] = inv
        return inv

    def _invoice_view(
        self, inv: dict[str, Any], p: dict[str, Any], prefix: str = ""
    ) -> dict[str, Any]:
        """An invoice as Stripe answers: ``payments`` only when expanded (it is not in the
        default object of this API version, nor in the published fixture)."""
        view = self._public(inv)
        if f"{prefix}payments" in (p.get("expand") or []):
            view["payments"] = copy.deepcopy(inv["_payments"])
        return view

    def _invoice_events(self, inv: dict[str, Any]) -> None:
        if inv["status"] == "paid":
            for entry in inv["_payments"]["data"]:
                self.emit(
                    "payment_intent.succeeded",
                    self.get("payment_intent", entry["payment"]["payment_intent"]),
                )
            self.emit("invoice.payment_succeeded", self._public(inv))
            self.emit("invoice.paid", self._public(inv))
        else:
            self.emit("invoice.payment_failed", self._public(inv))

    def create_subscription(self, p: dict[str, Any], key: str | None) -> dict[str, Any]:
        self.get("customer", p["customer"])
        trial = int(p["trial_period_days"]) if p.get("trial_period_days") else None
        missing = ((p.get("trial_settings") or {}).get("end_behavior") or {}).get(
            "missing_payment_method", "create_invoice"
        )
        return self._new_subscription(
            p["customer"],
            p["items"][0]["price"],
            p.get("metadata", {}),
            trial_days=trial,
            payment_method=self._default_pm(p["customer"]),
            key=key,
            missing_pm=missing,
        )

    def _live_sub(self, sub_id: str) -> dict[str, Any]:
        sub = self.get("subscription", sub_id)
        if sub["status"] == "canceled":
            raise StripeHTTPError(
                400,
                "A canceled subscription can only update its cancellation_details and metadata.",
            )
        return sub

    def _proration(self, sub: dict[str, Any], new_price: str, at: int) -> int:
        if sub["status"] == "trialing":
            return 0
        item = sub["items"]["data"][0]
        start, end = item["current_period_start"], item["current_period_end"]
        remaining = max(end - at, 0) / max(end - start, 1)
        diff = self.get("price", new_price)["unit_amount"] - item["price"]["unit_amount"]
        return max(round(diff * remaining), 0)

    def update_subscription(
        self, p: dict[str, Any], key: str | None, sub_id: str
    ) -> dict[str, Any]:
        sub = self._live_sub(sub_id)
        if "cancel_at_period_end" in p:
            if sub["schedule"]:
                raise StripeHTTPError(
                    400,
                    "The subscription is managed by the subscription schedule "
                    f"`{sub['schedule']}`; release it first.",
                )
            sub["cancel_at_period_end"] = _bool(p["cancel_at_period_end"])
            sub["cancel_at"] = (
                sub["items"]["data"][0]["current_period_end"]
                if sub["cancel_at_period_end"]
                else None
            )
        if p.get("items"):
            change = p["items"][0]
            item = sub["items"]["data"][0]
            if change.get("id") != item["id"]:
                raise StripeHTTPError(
                    400, f"Invalid subscription item: {change.get('id')}", param="items"
                )
            at = int(p.get("proration_date") or self.now())
            amount = self._proration(sub, change["price"], at)
            item["price"] = copy.deepcopy(self.get("price", change["price"]))
            item["plan"]["id"] = change["price"]
            if p.get("proration_behavior") == "always_invoice" and amount > 0:
                inv = self._invoice(
                    sub, amount, "subscription_update", paid=self._can_charge(sub, amount)
                )
                sub["latest_invoice"] = inv["id"]
                self._invoice_events(inv)
        self.emit("customer.subscription.updated", self._public(sub), key)
        return self._public(sub)

    def cancel_subscription(
        self, p: dict[str, Any], key: str | None, sub_id: str
    ) -> dict[str, Any]:
        sub = self._live_sub(sub_id)
        self._end(sub, key)
        return self._public(sub)

    def _end(self, sub: dict[str, Any], key: str | None = None) -> None:
        sub.update(status="canceled", canceled_at=self.now(), ended_at=self.now())
        if sub["schedule"]:
            sched = self.get("subscription_schedule", sub["schedule"])
            sched.update(status="canceled", canceled_at=self.now())
            sub["schedule"] = None
        self.emit("customer.subscription.deleted", self._public(sub), key)

    def create_preview(self, p: dict[str, Any], key: str | None) -> dict[str, Any]:
        sub = self._live_sub(p["subscription"])
        details = p.get("subscription_details") or {}
        change = (details.get("items") or [{}])[0]
        at = int(details.get("proration_date") or self.now())
        amount = self._proration(sub, change["price"], at)
        line = copy.deepcopy(FIXTURES["invoice"]["lines"]["data"][0])
        line.update(
            id=self.new_id("il"),
            amount=amount,
            currency=sub["currency"],
            description="Remaining time on the new plan, less unused time on the old one",
        )
        return self._template(
            "invoice",
            id=None,
            customer=sub["customer"],
            currency=sub["currency"],
            amount_due=amount,
            total=amount,
            status="draft",
            number=None,
            billing_reason="upcoming",
            lines={
                "object": "list",
                "data": [line],
                "has_more": False,
                "url": "/v1/invoices/upcoming/lines",
            },
        )

    def list_invoices(self, p: dict[str, Any], key: str | None) -> dict[str, Any]:
        data = [i for i in self.store("invoice").values() if i["customer"] == p.get("customer")]
        data.sort(key=lambda i: i["created"], reverse=True)
        return {
            "object": "list",
            "data": [self._invoice_view(i, p, "data.") for i in data[: int(p.get("limit", 10))]],
            "has_more": False,
            "url": "/v1/invoices",
        }

    # ---- schedules -------------------------------------------------------------------
    def create_schedule(self, p: dict[str, Any], key: str | None) -> dict[str, Any]:
        sub = self._live_sub(p["from_subscription"])
        if sub["schedule"]:
            raise StripeHTTPError(
                400, f"The subscription already has a schedule: {sub['schedule']}"
            )
        item = sub["items"]["data"][0]
        start, end = item["current_period_start"], item["current_period_end"]
        sched = self._template(
            "subscription_schedule",
            id=self.new_id("sub_sched"),
            customer=sub["customer"],
            subscription=sub["id"],
            status="active",
            end_behavior="release",
            released_at=None,
            released_subscription=None,
            canceled_at=None,
            completed_at=None,
            current_phase={"start_date": start, "end_date": end},
            phases=[
                {
                    "start_date": start,
                    "end_date": end,
                    "items": [{"price": item["price"]["id"], "quantity": 1}],
                }
            ],
        )
        self.store("subscription_schedule")[sched["id"]] = sched
        sub["schedule"] = sched["id"]
        self.emit("customer.subscription.updated", self._public(sub), key)
        return sched

    def update_schedule(self, p: dict[str, Any], key: str | None, sched_id: str) -> dict[str, Any]:
        sched = self.get("subscription_schedule", sched_id)
        if sched["status"] != "active":
            raise StripeHTTPError(
                400, f"You cannot update a subscription schedule that is {sched['status']}."
            )
        phases = p.get("phases") or []
        if (
            not phases
            or int(phases[0].get("start_date", -1)) != sched["current_phase"]["start_date"]
        ):
            raise StripeHTTPError(
                400, "The first phase must keep the current phase's start_date.", param="phases"
            )
        sched["phases"] = [
            {
                "start_date": int(ph.get("start_date", phases[0].get("end_date", 0))),
                "end_date": int(ph["end_date"]) if ph.get("end_date") else None,
                "items": [{"price": it["price"], "quantity": 1} for it in ph["items"]],
            }
            for ph in phases
        ]
        sched["end_behavior"] = p.get("end_behavior", sched["end_behavior"])
        return sched

    def release_schedule(self, p: dict[str, Any], key: str | None, sched_id: str) -> dict[str, Any]:
        sched = self.get("subscription_schedule", sched_id)
        if sched["status"] != "active":
            raise StripeHTTPError(
                400, f"You cannot release a subscription schedule that is {sched['status']}."
            )
        sched.update(
            status="released", released_at=self.now(), released_subscription=sched["subscription"]
        )
        sub = self.get("subscription", sched["subscription"])
        sub["schedule"] = None
        self.emit("customer.subscription.updated", self._public(sub), key)
        return sched

    # ---- refunds ---------------------------------------------------------------------
    def create_refund(self, p: dict[str, Any], key: str | None) -> dict[str, Any]:
        pi = self.get("payment_intent", p["payment_intent"])
        left = pi["amount_received"] - pi["_refunded"]
        amount = int(p.get("amount", left))
        if amount > left:
            raise StripeHTTPError(
                400,
                f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left})",
                param="amount",
            )
        pi["_refunded"] += amount
        refund = self._template(
            "refund",
            id=self.new_id("re"),
            amount=amount,
            currency=pi["currency"],
            payment_intent=pi["id"],
            charge=pi["latest_charge"],
            status="succeeded",
            metadata=p.get("metadata", {}),
        )
        self.store("refund")[refund["id"]] = refund
        self.emit("refund.created", refund, key)
        return refund

    # ---- events ----------------------------------------------------------------------
    def list_events(self, p: dict[str, Any], key: str | None) -> dict[str, Any]:
        newest_first = list(reversed(self.events))
        limit = int(p.get("limit", 10))
        ids = [e["id"] for e in newest_first]
        for cursor in (p.get("ending_before"), p.get("starting_after")):
            if cursor and cursor not in ids:  # older than 30 days, or never ours
                raise _missing("event", cursor)
        if p.get("ending_before"):
            end = ids.index(p["ending_before"]) if p["ending_before"] in ids else 0
            window = newest_first[max(end - limit, 0) : end]
            more = end - limit > 0
        else:
            start = ids.index(p["starting_after"]) + 1 if p.get("starting_after") in ids else 0
            window = newest_first[start : start + limit]
            more = start + limit < len(ids)
        return {"object": "list", "data": window, "has_more": more, "url": "/v1/events"}

    # ---- the test clock --------------------------------------------------------------
    def advance_subscriptions(self) -> None:
        """Bring every subscription up to ``clock.now()``: trial ends, phases, renewals."""
        with self.lock:
            now = self.now()
            for sub in list(self.store("subscription").values()):
                while (
                    sub["status"] != "canceled"
                    and sub["items"]["data"][0]["current_period_end"] <= now
                ):
                    self._roll(sub)

    def _roll(self, sub: dict[str, Any]) -> None:
        item = sub["items"]["data"][0]
        end = item["current_period_end"]
        if sub["cancel_at_period_end"]:
            self._end(sub)
            return
        if (
            sub["status"] == "trialing"
            and not self._default_pm(sub["customer"])
            and sub["_missing_pm"] == "cancel"
        ):
            self._end(sub)
            return
        if sub["schedule"]:
            sched = self.get("subscription_schedule", sub["schedule"])
            nxt = [ph for ph in sched["phases"] if ph["start_date"] == end]
            if nxt:
                item["price"] = copy.deepcopy(self.get("price", nxt[0]["items"][0]["price"]))
                item["plan"]["id"] = item["price"]["id"]
                sched["current_phase"] = {"start_date": end, "end_date": nxt[0]["end_date"]}
                if nxt[0] is sched["phases"][-1]:
                    sched.update(
                        status="released", released_at=end, released_subscription=sub["id"]
                    )
                    sub["schedule"] = None
        length = INTERVAL_SECONDS[item["price"]["recurring"]["interval"]]
        item.update(current_period_start=end, current_period_end=end + length)
        paid = self._can_charge(sub, item["price"]["unit_amount"])
        inv = self._invoice(sub, item["price"]["unit_amount"], "subscription_cycle", paid=paid)
        sub.update(status="active" if paid else "past_due", latest_invoice=inv["id"])
        self._invoice_events(inv)
        self.emit("customer.subscription.updated", self._public(sub))

    # ---- views for assertions --------------------------------------------------------
    def all(self, kind: str) -> list[dict[str, Any]]:
        with self.lock:
            return [self._public(copy.deepcopy(o)) for o in self.store(kind).values()]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client killed or timed out mid-request is expected here; stay quiet."""
        import sys

        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server_fake: FakeStripe
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body leave at once (no 40 ms ACK wait)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the test output is for the tests."""

    def setup(self) -> None:
        super().setup()
        with self.server_fake.lock:
            self.server_fake._connections.add(self.connection)

    def finish(self) -> None:
        with self.server_fake.lock:
            self.server_fake._connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def _serve(self, method: str) -> None:
        fake = self.server_fake
        if fake._stopping.is_set():
            self.close_connection = True
            return
        split = urlsplit(self.path)
        fake.arrive(method, split.path)
        length = int(self.headers.get("Content-Length") or 0)
        try:
            raw = self.rfile.read(length) if length else b""
        except OSError:
            raw = b""
        if len(raw) < length:  # the client went away mid-request: nothing happened
            self.close_connection = True
            return
        body = raw.decode()
        pairs = parse_qsl(body if method != "GET" else split.query, keep_blank_values=True)
        params = decode_form(pairs)
        auth = self.headers.get("Authorization", "")
        if auth.removeprefix("Bearer ") not in fake.api_keys:
            self._send(
                401,
                {
                    "error": {
                        "type": "invalid_request_error",
                        "message": "Invalid API Key provided.",
                    }
                },
            )
            return
        fault = fake._pick_fault(split.path)
        if fault == "429":
            self._send(
                429,
                {
                    "error": {
                        "type": "invalid_request_error",
                        "code": "rate_limit",
                        "message": "Too many requests hit the API too quickly.",
                    }
                },
                {"Stripe-Should-Retry": "true"},
            )
            return
        if fault == "500":
            self._send(
                500,
                {
                    "error": {
                        "type": "api_error",
                        "message": "Something went wrong on Stripe's end.",
                    }
                },
            )
            return
        status, answer = fake.handle(
            method, split.path, params, self.headers.get("Idempotency-Key")
        )
        if fault == "500_after":  # Stripe did it, but the answer that came back is an error
            self._send(500, {"error": {"type": "api_error", "message": "An error occurred."}})
            return
        if fault == "drop":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if fault == "slow":
            fake._stopping.wait(fake.slow_seconds)
        self._send(status, answer)

    def _send(
        self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Request-Id", f"req_{uuid.uuid4().hex[:14]}")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_DELETE(self) -> None:
        self._serve("DELETE")


def main() -> None:
    """Serve a fake Stripe in its own process (benchmarks): prints its URL, runs until
    stdin closes. ``python -m tests.fakes.stripe_server API_KEY``."""
    import sys

    from backend.clock import SystemClock

    fake = FakeStripe(SystemClock(), api_key=sys.argv[1] if len(sys.argv) > 1 else "sk_test_fake")
    fake.start()
    print(fake.url, flush=True)
    sys.stdin.read()
    fake.stop()


if __name__ == "__main__":
    main()
