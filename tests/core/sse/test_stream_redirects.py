"""A stream's redirects (rule 25, issue 10 item 4) against real servers on 127.0.0.1: the same
following as a REST send, so an empty Location fails at once and no secret crosses origins."""

from __future__ import annotations

import asyncio

import pytest

from streamdash.core.http.auth import BearerAuth
from streamdash.core.http.client import make_client
from streamdash.core.sse import Event, SSEStream, StateChange, StreamOptions, StreamState
from tests.helpers.raw_server import Conn, RawServer

KEY, TOKEN = "stream-key-0123456789", "stream-token-9876543210"


async def collect(stream: SSEStream, events: int = 1, timeout: float = 10.0) -> list:
    items: list = []

    async def run() -> None:
        async with stream:
            async for item in stream:
                items.append(item)
                if isinstance(item, Event) and sum(isinstance(i, Event) for i in items) >= events:
                    return

    await asyncio.wait_for(run(), timeout)
    return items


def changes(items: list) -> list[StateChange]:
    return [i for i in items if isinstance(i, StateChange)]


@pytest.fixture
async def client():
    async with make_client() as c:
        yield c


@pytest.fixture
def other():
    server = RawServer().start()

    async def handler(conn: Conn) -> None:
        await conn.start()
        await conn.send(b"data: landed\n\n")
        await asyncio.sleep(5)

    server.handler = handler
    try:
        yield server
    finally:
        server.stop()


def redirect(location: str, status: int = 302):
    async def handler(conn: Conn) -> None:
        if conn.request.target == "/stream":
            await conn.start()
            await conn.send(b"data: here\n\n")
            await asyncio.sleep(5)
            return
        await conn.start(status, {"Location": location, "Content-Length": "0"}, content_type=None)
        await conn.end()

    return handler


def options(**overrides) -> StreamOptions:
    return StreamOptions(
        headers=(("X-Api-Key", KEY), ("X-Plain", "plain")),
        auth=BearerAuth(TOKEN),
        secrets=frozenset({KEY, TOKEN}),
        base_delay=0.01,
        max_delay=0.05,
        **overrides,
    )


async def test_an_empty_location_fails_the_stream_at_once(raw_server, client):
    """It once connected 21 times and then said "too many redirects"."""
    raw_server.handler = redirect("")
    items = await collect(SSEStream(client, raw_server.url + "/start", options()), timeout=5)
    last = changes(items)[-1]
    assert (last.state, last.reason) == (StreamState.FAILED, "HTTP 302 redirect with an empty Location")
    assert raw_server.connections == 1


async def test_a_cross_origin_redirect_holds_back_the_secrets_and_says_where(raw_server, client, other):
    raw_server.handler = redirect(f"{other.url}/elsewhere", 307)
    stream = SSEStream(client, raw_server.url + "/start", options())
    items = await collect(stream)
    assert [i.data for i in items if isinstance(i, Event)] == ["landed"]
    moved = other.requests[0]
    assert moved.header("X-Plain") == "plain" and moved.header("Accept") == "text/event-stream"
    assert moved.header("X-Api-Key") is None and moved.header("Authorization") is None
    assert KEY.encode() not in moved.raw_headers and TOKEN.encode() not in moved.raw_headers
    opened = next(c for c in changes(items) if c.state is StreamState.OPEN)
    where = f"127.0.0.1:{other.port}"
    assert opened.reason == f"redirected to {where}; not sent there: Authorization, X-Api-Key"
    assert stream.stats.moved_to == where


async def test_a_same_origin_redirect_keeps_the_auth_flow(raw_server, client):
    raw_server.handler = redirect("/stream", 308)
    stream = SSEStream(client, raw_server.url + "/start", options())
    items = await collect(stream)
    assert [i.data for i in items if isinstance(i, Event)] == ["here"]
    hop = raw_server.requests[1]
    assert hop.target == "/stream"
    assert hop.header("Authorization") == f"Bearer {TOKEN}" and hop.header("X-Api-Key") == KEY
    assert stream.stats.moved_to == "" and next(
        c for c in changes(items) if c.state is StreamState.OPEN
    ).reason == ""
