"""One log line per request: method, path, status, time taken and the token's name.

Never headers, bodies or query strings: the Authorization header carries the token,
webhook bodies and signatures are for the payment providers only, and a query can hold
a customer's details. (uvicorn's own access log is turned off in favour of this one.)
"""

from __future__ import annotations

import logging
import time
from typing import Any

log = logging.getLogger("autoos_checkout.api.access")


class AccessLog:
    """Pure ASGI middleware (cheaper than ``BaseHTTPMiddleware`` on every request)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = {"code": 500}

        async def send_wrapper(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            caller = scope.get("state", {}).get("caller")
            log.info(
                "%s %s %s %.1fms %s",
                scope["method"],
                scope["path"],
                status["code"],
                (time.perf_counter() - started) * 1000,
                caller.actor.removeprefix("api:") if caller is not None else "-",
            )
