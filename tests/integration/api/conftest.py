"""A real API server per test: uvicorn on a thread, on a free loopback port, over the
test's own SQLite file and manual clock; clients talk to it with httpx over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from backend.api.server import BackgroundServer
from backend.services import api_tokens
from backend.services.context import Context

ROLES = api_tokens.ROLES


@pytest.fixture
def server(ctx: Context) -> Iterator[BackgroundServer]:
    with BackgroundServer(ctx) as running:
        yield running


@pytest.fixture
def tokens(ctx: Context) -> dict[str, str]:
    """One live token per role."""
    return {
        role: api_tokens.create_token(ctx, role=role, name=f"test-{role}", actor="test")["token"]
        for role in ROLES
    }


@pytest.fixture
def http(server: BackgroundServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        yield client


@pytest.fixture
def as_role(http: httpx.Client, tokens: dict[str, str]):
    """``as_role("staff").post(...)``: the client with that role's bearer token."""

    class Authed:
        def __init__(self, role: str) -> None:
            self.headers = {"Authorization": f"Bearer {tokens[role]}"}

        def request(self, method: str, url: str, **kwargs) -> httpx.Response:
            headers = {**self.headers, **kwargs.pop("headers", {})}
            return http.request(method, url, headers=headers, **kwargs)

        def get(self, url: str, **kwargs) -> httpx.Response:
            return self.request("GET", url, **kwargs)

        def post(self, url: str, **kwargs) -> httpx.Response:
            return self.request("POST", url, **kwargs)

    return Authed


def error_of(response: httpx.Response) -> dict:
    """The error body, asserting the one shape every error has."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert {"code", "message"} <= set(body["error"]), body
    assert body["error"]["message"]
    return body["error"]
