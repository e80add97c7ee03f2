"""Run the demo app under uvicorn in a background thread, so the dashboard can use it in-process."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from types import TracebackType

import uvicorn

from streamdash.demo.app import create_app, demo_state

__all__ = ["DemoServer"]

START_TIMEOUT_S = 5.0
STOP_TIMEOUT_S = 2.0

# name -> (path, query); the order is the order a dashboard should show them in.
_URLS: tuple[tuple[str, str], ...] = (
    ("ticker", "/streams/ticker"),
    ("logs", "/streams/logs"),
    ("flaky", "/streams/flaky"),
    ("items", "/api/items"),
    ("item", "/api/items/1"),
    ("create", "/api/items"),
    ("chat", "/api/chat"),
    ("flaky-api", "/api/flaky"),
    ("health", "/api/health"),
)


class DemoServer:
    """The demo API on a free local port, served by uvicorn on its own thread and event loop.

    Binding the socket ourselves (port 0) means the port is known before uvicorn starts
    and there is no race between picking a free port and binding it.
    """

    def __init__(
        self,
        seed: int | None = None,
        time_scale: float = 1.0,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.app = create_app(seed=seed, time_scale=time_scale)
        self.host = host
        self.port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    @property
    def url(self) -> str:
        """Base URL without a trailing slash, e.g. ``http://127.0.0.1:54321``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def urls(self) -> dict[str, str]:
        """Absolute URLs of the demo streams and REST endpoints, in display order."""
        return {name: self.url + path for name, path in _URLS}

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> DemoServer:
        """Start serving; returns once uvicorn accepts connections."""
        if self._thread is not None:
            raise RuntimeError("DemoServer.start() may only be called once")
        sock = self._bind()
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            lifespan="off",
            http="h11",
            ws="none",
            access_log=False,
            # Leave the process's logging setup alone (the TUI owns the terminal).
            log_config=None,
            timeout_graceful_shutdown=1,
        )
        server = uvicorn.Server(config)
        self._server = server
        self._thread = threading.Thread(
            target=self._run, args=(server, sock), name=f"streamdash-demo:{self.port}", daemon=True
        )
        self._thread.start()

        deadline = time.monotonic() + START_TIMEOUT_S
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                sock.close()
                reason = f": {self._error!r}" if self._error else " within 5 s"
                raise RuntimeError(f"demo server on {self.url} failed to start{reason}")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Stop gracefully; open streams are ended so this returns within about 2 s."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        demo_state(self.app).close_streams()
        server.should_exit = True
        thread.join(STOP_TIMEOUT_S * 0.6)
        if thread.is_alive():
            server.force_exit = True
            thread.join(STOP_TIMEOUT_S * 0.4)

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _bind(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        # proto must be IPPROTO_TCP, not 0: asyncio only sets TCP_NODELAY on accepted
        # sockets whose proto says TCP, and without it Nagle + delayed ACK add ~40 ms
        # to every response (uvicorn writes headers and body separately).
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self.port))
            sock.listen(128)
        except OSError as exc:
            sock.close()
            raise RuntimeError(f"demo server cannot listen on {self.url}: {exc}") from exc
        return sock

    def _run(self, server: uvicorn.Server, sock: socket.socket) -> None:
        # Not the main thread, so uvicorn installs no signal handlers here.
        try:
            asyncio.run(server.serve(sockets=[sock]))
        except BaseException as exc:  # anything at all: reported by start()
            self._error = exc
