""":class:`RemoteCheckoutApi`: the application interface over the store server's REST
API, for kiosks and customer displays on another machine.

It is :class:`~backend.interface.CheckoutApi` with every operation replaced by one HTTP
call, generated from the operation's declaration (verb, path, where each argument goes,
how the answer is wrapped): there is no hand-kept copy of the interface here, and no
rule. Errors come back as the backend's own classes (by the stable ``code`` in the
error body), so windows handle them exactly as they handle local ones. A server that
cannot be reached is a :class:`~backend.errors.TransientError`.

Reconnecting: with ``reconnect_seconds`` set (the remote kiosk and display do), a call
whose connection is *refused or cannot be opened* is retried with backoff for up to that
long, while :attr:`RemoteCheckoutService.connected` reads ``False`` so the window can
say "reconnecting". That is safe for every method, POSTs included: a request whose
connection never opened never reached the server. Any other transport failure (a reply
lost mid-way) is a TransientError at once, since the server may have acted on it.
"""

from __future__ import annotations

import functools
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from backend import errors
from backend.domain.records import Document, PaymentChange
from backend.errors import CheckoutError, NotConfigured, TransientError
from backend.interface import Caller, CheckoutApi, Operation, operations

#: the server answered neither with a result nor with one of our errors
_BY_STATUS: dict[int, type[CheckoutError]] = {
    400: errors.ValidationError,
    401: errors.AuthError,
    403: errors.PermissionDenied,
    404: errors.NotFound,
    409: errors.Conflict,
    422: errors.ValidationError,
    502: errors.RejectedError,
    503: errors.TransientError,
    504: errors.TransientError,
}
UNREACHABLE = "The store server cannot be reached; reconnecting…"
#: how often changes are fetched while the stream is down
POLL_SECONDS = 2.0
#: a stream silent longer than this (the server sends a comment every 15 s) is dead
STREAM_READ_SECONDS = 40.0


def _error_classes() -> dict[str, type[CheckoutError]]:
    """Every error class by its ``code`` (the hierarchy in :mod:`backend.errors`)."""
    found: dict[str, type[CheckoutError]] = {}
    pending: list[type[CheckoutError]] = [CheckoutError]
    while pending:
        cls = pending.pop()
        found.setdefault(cls.code, cls)
        pending.extend(cls.__subclasses__())
    return found


ERROR_CLASSES = _error_classes()


def error_from(response: httpx.Response) -> CheckoutError:
    """The backend error a failed response stands for."""
    try:
        body = response.json()["error"]
        code, message, field = body["code"], body["message"], body.get("field")
        problems = body.get("problems")
    except (ValueError, KeyError, TypeError):
        code, message, field, problems = "", "", None, None
    if problems:  # several fields refused at once: a form marks them all
        return errors.FieldsInvalid(problems)
    cls = ERROR_CLASSES.get(code) or _BY_STATUS.get(response.status_code)
    if cls is None:
        cls = TransientError if response.status_code >= 500 else CheckoutError
    return cls(message or f"The store server answered {response.status_code}.", field=field)


class RemoteCheckoutApi(CheckoutApi):
    """The interface against ``url`` with a bearer ``token`` (kiosk or staff role).

    The audit log on the server names the token (``api:<token name>``): the server acts
    for the token, whoever signs in at the remote screen, and decides what it may do.
    """

    remote = True

    def __init__(  # the store is on the server: no context here
        self,
        url: str,
        token: str,
        *,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
        reconnect_seconds: float = 0,
    ) -> None:
        self.url = url.rstrip("/")
        self.caller = Caller("remote", "remote")
        self.reconnect_seconds = reconnect_seconds
        #: False from a failed connection until the next answer from the server
        self.connected = True
        #: whether payment changes arrive pushed (the stream is up) or are fetched every
        #: few seconds while it is down (a screen says which)
        self.stream_connected = False
        self._closing = threading.Event()
        self._client = httpx.Client(
            base_url=self.url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=httpx.Timeout(timeout, connect=min(3.0, timeout)),
            transport=transport,
        )

    def __repr__(self) -> str:  # never the token
        return f"RemoteCheckoutApi({self.url!r})"

    def close(self) -> None:
        self._closing.set()  # a call waiting to reconnect gives up now
        self._client.close()

    def watch_payments(
        self, listener: Callable[[PaymentChange], None], terminal: str | None = None
    ) -> Callable[[], None]:
        """Payment changes pushed by the server (``GET /payments/stream``), on a thread
        of this client's. While the stream is down the changes are fetched every
        :data:`POLL_SECONDS` instead, and :attr:`stream_connected` says so; reconnecting
        resumes after the last change heard, so nothing is missed or heard twice."""
        stop = threading.Event()
        thread = threading.Thread(
            target=self._follow, args=(listener, terminal, stop), name="payment-stream", daemon=True
        )
        thread.start()
        return stop.set

    def _follow(
        self,
        listener: Callable[[PaymentChange], None],
        terminal: str | None,
        stop: threading.Event,
    ) -> None:
        last = 0
        while not (stop.is_set() or self._closing.is_set()):
            try:
                last = self._stream(listener, terminal, stop, last)
            except (httpx.TransportError, TransientError):
                pass  # the server went away: fetch what changed meanwhile, then reconnect
            except CheckoutError:  # refused (a revoked token): polling would fail too
                self.stream_connected = False
                return
            self.stream_connected = False
            if stop.wait(POLL_SECONDS) or self._closing.is_set():
                return
            try:
                for change in self.payment_changes(last, terminal):
                    last = change["event_id"]
                    listener(change)
            except CheckoutError:
                pass  # still down: try the stream again after the next wait

    def _stream(
        self,
        listener: Callable[[PaymentChange], None],
        terminal: str | None,
        stop: threading.Event,
        last: int,
    ) -> int:
        headers = {"Last-Event-ID": str(last)} if last else {}
        params = {"terminal": terminal} if terminal else None
        timeout = httpx.Timeout(STREAM_READ_SECONDS, connect=3.0)
        with self._client.stream(
            "GET", "/payments/stream", params=params, headers=headers, timeout=timeout
        ) as response:
            if response.status_code >= 400:
                response.read()
                raise error_from(response)
            self.connected = self.stream_connected = True
            for change in _server_sent_events(response.iter_lines()):
                if stop.is_set():
                    break
                last = change["event_id"]
                listener(change)
        return last

    def signed_in(self, person: Any) -> RemoteCheckoutApi:
        """The same connection: the server records the token, not the person."""
        return self

    # the one way out ------------------------------------------------------------------
    def _call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
    ) -> httpx.Response:
        query = {k: v for k, v in (params or {}).items() if v is not None}
        deadline = time.monotonic() + self.reconnect_seconds
        delay = 0.2
        while True:
            try:
                response = self._client.request(method, path, json=json, params=query or None)
            except (httpx.ConnectError, httpx.ConnectTimeout):
                self.connected = False
                if time.monotonic() + delay > deadline or self._closing.wait(delay):
                    raise TransientError(UNREACHABLE) from None
                delay = min(delay * 2, 2.0)
                continue
            except httpx.TransportError:
                self.connected = False
                raise TransientError(UNREACHABLE) from None
            self.connected = True
            if response.status_code >= 400:
                raise error_from(response)
            return response

    def _invoke(self, op: Operation, arguments: dict[str, Any]) -> Any:
        values = {name: _plain(value) for name, value in arguments.items()}
        if op.path is None or op.verb is None:
            raise NotConfigured(f"{op.summary}: only on the store's own computer.")
        path = op.path.format(**{name: _segment(values.pop(name)) for name in op.path_params})
        if op.verb == "GET":
            response = self._call("GET", path, params=values)
        elif op.body:
            response = self._call("POST", path, json=values[op.body])
        else:
            body = {k: v for k, v in values.items() if v is not None}
            response = self._call("POST", path, json=body)
        if op.media_type:
            return _document(response)
        data = response.json()
        return data[op.wrap] if op.wrap else data


def _remote(op: Operation) -> Callable[..., Any]:
    """The operation as one HTTP call (same name, parameters and answer)."""
    signature = op.signature

    @functools.wraps(op.method)
    def call(self: RemoteCheckoutApi, *args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return self._invoke(op, dict(bound.arguments))

    call.operation = op  # type: ignore[attr-defined]
    return call


def _local_only(op: Operation) -> Callable[..., Any]:
    @functools.wraps(op.method)
    def refuse(self: RemoteCheckoutApi, *args: Any, **kwargs: Any) -> Any:
        raise NotConfigured(f"{op.summary}: only on the store's own computer.")

    refuse.operation = op  # type: ignore[attr-defined]
    return refuse


for _op in operations(CheckoutApi):
    if _op.name not in vars(RemoteCheckoutApi):  # watch_payments speaks the stream itself
        setattr(RemoteCheckoutApi, _op.name, (_remote if _op.verb else _local_only)(_op))


def _server_sent_events(lines: Iterator[str]) -> Iterator[PaymentChange]:
    """The ``payment`` events of a text/event-stream (comments and others skipped)."""
    kind, data = "", list[str]()
    for line in lines:
        if not line:  # a blank line ends an event
            if kind == "payment" and data:
                yield json.loads("\n".join(data))
            kind, data = "", []
        elif line.startswith("event:"):
            kind = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].strip())


def _plain(value: Any) -> Any:
    """An argument as JSON or a query string carries it."""
    if isinstance(value, date | Path):
        return str(value)
    return value


def _document(response: httpx.Response) -> Document:
    found = re.search(r'filename="([^"]+)"', response.headers.get("content-disposition", ""))
    media = response.headers.get("content-type", "application/octet-stream").split(";")[0]
    return Document(found.group(1) if found else "download", media, response.content)


def _segment(value: Any) -> str:
    """An id as one path segment (ids are letters, digits, ``_`` and ``-``)."""
    text = str(value)
    if not text or not all(ch.isalnum() or ch in "_-" for ch in text):
        raise errors.ValidationError(f"{text!r} is not a valid reference.")
    return text
