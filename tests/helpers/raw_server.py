"""A raw asyncio HTTP server on 127.0.0.1 for byte-exact tests.

Each test scripts what a connection sends: the exact chunks, the pauses between them, and how the
connection ends (a clean close, or a reset). It runs on its own thread and event loop so that both
async tests and subprocesses (`streamdash tail`) can talk to it, and it records every request.
"""

from __future__ import annotations

import asyncio
import socket
import struct
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

REASONS = {200: "OK", 204: "No Content", 404: "Not Found", 500: "Internal Server Error"}


@dataclass
class Request:
    method: str
    target: str
    headers: list[tuple[str, str]]
    body: bytes
    raw_headers: bytes = b""

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


@dataclass
class Conn:
    """One accepted connection, handed to the test's handler."""

    request: Request
    index: int
    writer: asyncio.StreamWriter
    chunked: bool = False

    async def start(
        self,
        status: int = 200,
        headers: dict[str, str] | list[tuple[str, str]] | None = None,
        *,
        content_type: str | None = "text/event-stream",
        chunked: bool = False,
        reason: str | None = None,
    ) -> None:
        pairs = list(headers.items()) if isinstance(headers, dict) else list(headers or [])
        if content_type is not None and not any(k.lower() == "content-type" for k, _ in pairs):
            pairs.insert(0, ("Content-Type", content_type))
        self.chunked = chunked
        if chunked:
            pairs.append(("Transfer-Encoding", "chunked"))
        # One request per connection: without a length the body ends when the connection
        # closes, and a client must never send a second request on it.
        if not any(k.lower() == "connection" for k, _ in pairs):
            pairs.append(("Connection", "close"))
        phrase = REASONS.get(status, "Status") if reason is None else reason
        head = f"HTTP/1.1 {status} {phrase}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in pairs)
        self.writer.write(head.encode("latin-1") + b"\r\n")
        await self.writer.drain()

    async def send(self, data: bytes, pause: float = 0.0) -> None:
        if self.chunked:
            data = b"%x\r\n%s\r\n" % (len(data), data)
        self.writer.write(data)
        await self.writer.drain()
        if pause:
            await asyncio.sleep(pause)

    async def send_chunks(self, chunks: list[bytes], pause: float = 0.02) -> None:
        for chunk in chunks:
            await self.send(chunk, pause)

    async def end(self) -> None:
        """A clean end of the body."""
        if self.chunked:
            self.writer.write(b"0\r\n\r\n")
        await self.writer.drain()
        self.writer.close()

    def drop(self) -> None:
        """An abrupt loss: RST, no orderly end of the body."""
        sock = self.writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.writer.transport.abort()


Handler = Callable[[Conn], Awaitable[None]]


@dataclass
class RawServer:
    handler: Handler | None = None
    requests: list[Request] = field(default_factory=list)
    port: int = 0

    def __post_init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.base_events.Server | None = None
        self._tasks: set[asyncio.Task] = set()
        self.connections = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> RawServer:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._listen(), self._loop).result(5)
        return self

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        self._tasks.add(task)
        try:
            sock = writer.get_extra_info("socket")
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            request = await self._read_request(reader)
            if request is None:
                writer.close()
                return
            self.requests.append(request)
            index = self.connections
            self.connections += 1
            conn = Conn(request, index, writer)
            if self.handler is None:
                await conn.start(404, content_type="text/plain")
                await conn.end()
                return
            await self.handler(conn)
            if not writer.is_closing():
                writer.close()
        except (ConnectionError, asyncio.CancelledError):
            writer.transport.abort()
        finally:
            self._tasks.discard(task)

    @staticmethod
    async def _read_request(reader: asyncio.StreamReader) -> Request | None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            return None
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = []
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                headers.append((name.strip(), value.strip()))
        length = next((int(v) for k, v in headers if k.lower() == "content-length"), 0)
        body = await reader.readexactly(length) if length else b""
        return Request(method, target, headers, body, head)

    def stop(self) -> None:
        async def shutdown() -> None:
            if self._server is not None:
                self._server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.sleep(0)

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)


async def serve_sse(conn: Conn, body: bytes, *, chunks: list[bytes] | None = None) -> None:
    """The simplest handler body: one response with these bytes, then a clean end."""
    await conn.start()
    if chunks is None:
        await conn.send(body)
    else:
        await conn.send_chunks(chunks)
    await conn.end()


def counting_events(
    *, pause: float = 0.01, event: str | None = None, data: Callable[[int], str] = lambda n: f"e{n}"
) -> Handler:
    """Each connection sends events with ids 1, 2, 3... forever, resuming after Last-Event-ID
    (what a well-behaved server does), `pause` seconds apart."""

    async def handler(conn: Conn) -> None:
        n = int(conn.request.header("Last-Event-ID") or 0)
        await conn.start()
        kind = f"event: {event}\n" if event else ""
        while True:
            n += 1
            await conn.send(f"id: {n}\n{kind}data: {data(n)}\n\n".encode(), pause)

    return handler
