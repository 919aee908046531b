"""``GET /payments/stream``: payment changes pushed to remote screens as server-sent
events, as they happen (the in-process windows hear the same feed as Qt signals).

Each event is ``id: <event number>`` and ``event: payment`` with the change as JSON. A
screen that reconnects sends ``Last-Event-ID`` and first receives what it missed, so a
dropped connection loses nothing. A comment every 15 s keeps idle connections open
through proxies. The caller's role is the ``watch_payments`` operation's own check.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from backend.api.auth import Ctx, token_caller
from backend.api.routing import error_responses
from backend.domain.records import PaymentChange
from backend.interface import Caller, CheckoutApi

router = APIRouter(tags=["UPI"])
KEEP_ALIVE_SECONDS = 15.0
#: how often a quiet stream looks whether its client left or the server is stopping
CHECK_SECONDS = 0.5


@router.get(
    "/payments/stream",
    summary="Payment changes as they happen (server-sent events)",
    description="Roles: kiosk, staff, admin.\n\n`terminal` keeps one till's payments only; "
    "send `Last-Event-ID` to resume after a dropped connection.",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "The stream"},
        **error_responses(401, 403),
    },
    openapi_extra={"x-roles": ["admin", "kiosk", "staff"]},
)
async def payment_stream(
    request: Request,
    ctx: Ctx,
    caller: Annotated[Caller, Depends(token_caller)],
    terminal: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    last_event_id: Annotated[str | None, Header(max_length=20)] = None,
) -> StreamingResponse:
    api = CheckoutApi(ctx, caller)
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[PaymentChange] = asyncio.Queue()

    def arrived(change: PaymentChange) -> None:  # on the feed's thread
        loop.call_soon_threadsafe(queue.put_nowait, change)

    unsubscribe = api.watch_payments(arrived, terminal)
    after = int(last_event_id) if last_event_id and last_event_id.isdigit() else None
    missed = await run_in_threadpool(api.payment_changes, after, terminal) if after else []
    return StreamingResponse(
        _events(request, queue, missed, unsubscribe),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _events(
    request: Request,
    queue: asyncio.Queue[PaymentChange],
    missed: list[PaymentChange],
    unsubscribe: Callable[[], None],
) -> AsyncIterator[str]:
    sent = 0
    closing = request.app.state.closing
    loop = asyncio.get_running_loop()
    quiet_since = loop.time()
    try:
        yield ": connected\n\n"
        for change in missed:
            sent = change["event_id"]
            yield _event(change)
        while not closing.is_set() and not await request.is_disconnected():
            try:
                change = await asyncio.wait_for(queue.get(), timeout=CHECK_SECONDS)
            except TimeoutError:
                if loop.time() - quiet_since >= KEEP_ALIVE_SECONDS:
                    quiet_since = loop.time()
                    yield ": keep-alive\n\n"
                continue
            quiet_since = loop.time()
            if change["event_id"] <= sent:
                continue  # already sent from the backlog
            sent = change["event_id"]
            yield _event(change)
    finally:
        unsubscribe()


def _event(change: PaymentChange) -> str:
    return f"id: {change['event_id']}\nevent: payment\ndata: {json.dumps(change)}\n\n"
