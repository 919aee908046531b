"""Running the API with uvicorn: in the foreground (``autoos-checkout serve``) or on a
background thread (tests, the load benchmark, a demo store server in the GUI tests).

Shutdown is graceful either way: the listening socket closes first, requests already
running finish (up to :data:`GRACE_SECONDS`), then the store is left to its owner.
"""

from __future__ import annotations

import ipaddress
import logging
import signal
import socket
import threading
from types import FrameType

import uvicorn

from backend.api import DEFAULT_HOST, DEFAULT_PORT
from backend.api.app import create_app
from backend.context import Context

log = logging.getLogger("autoos_checkout.api")

GRACE_SECONDS = 10


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _config(ctx: Context, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(
        create_app(ctx),
        host=host,
        port=port,
        access_log=False,  # backend.api.access_log logs requests without secrets
        log_config=None,  # the process's logging setup stays in charge
        timeout_graceful_shutdown=GRACE_SECONDS,
        server_header=False,
    )


def listening_socket(host: str, port: int, *, shared: bool = False) -> socket.socket:
    """A TCP socket bound to host:port for uvicorn to listen on; ``shared``: other
    processes may bind it too and the kernel spreads connections (``serve --workers``).

    Made with ``IPPROTO_TCP`` named: asyncio switches Nagle's algorithm off only on
    sockets that say they are TCP, and without that every response written in two parts
    waited for the client's delayed ACK (about 40 ms a request)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if shared:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def warn_if_exposed(host: str) -> None:
    if not is_loopback(host):
        log.warning(
            "listening on %s: any machine that can reach it may try tokens; "
            "use a firewall or a VPN for the store network",
            host,
        )


def serve(ctx: Context, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Serve until SIGINT/SIGTERM (uvicorn's handlers make both graceful)."""
    warn_if_exposed(host)
    _Server(_config(ctx, host, port)).run()
    log.info("the API server stopped")


class _Server(uvicorn.Server):
    """uvicorn's server, telling a waiting thread when it listens, and treating
    SIGINT/SIGTERM as a normal stop (uvicorn would re-raise the signal after its
    graceful shutdown, turning a clean stop into an error exit)."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self.ready.set()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # open payment streams end now (they would otherwise hold the graceful wait)
        app = self.config.app
        closing = getattr(getattr(app, "state", None), "closing", None)
        if closing is not None:
            closing.set()
        await super().shutdown(sockets)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.should_exit and sig == signal.SIGINT:
            self.force_exit = True  # a second Ctrl+C: stop waiting for requests
        else:
            self.should_exit = True


class BackgroundServer:
    """The API on a thread of this process, on ``port`` (0 picks a free one).

    ``stop()`` then ``start()`` reuses the same port, so clients can reconnect.
    """

    def __init__(self, ctx: Context, host: str = DEFAULT_HOST, port: int = 0) -> None:
        self.ctx = ctx
        self.host = host
        self.port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 15) -> BackgroundServer:
        sock = listening_socket(self.host, self.port)
        self.port = sock.getsockname()[1]
        server = _Server(_config(self.ctx, self.host, self.port))
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="autoos-api", daemon=True
        )
        thread.start()
        if not server.ready.wait(timeout):
            server.should_exit = True
            raise RuntimeError(f"the API server did not start within {timeout} s")
        self._server, self._thread = server, thread
        return self

    def stop(self, timeout: float = GRACE_SECONDS + 5) -> None:
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(timeout)
        self._server = self._thread = None

    def __enter__(self) -> BackgroundServer:
        return self.start() if self._server is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()
