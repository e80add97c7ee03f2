"""The stream consumer against a real (raw, scripted) server on 127.0.0.1.

Rules 23-35 of ../shared/design/sse-client-rules.md, plus byte-exact chunking end to end.
"""

from __future__ import annotations

import asyncio
import threading

import httpx
import pytest

from streamdash.core.http.client import make_client
from streamdash.core.sse import (
    Event,
    Heartbeat,
    RetryPolicy,
    SSEStream,
    StateChange,
    StreamOptions,
    StreamState,
)
from tests.helpers.raw_server import Conn, RawServer

FAST = {"base_delay": 0.01, "max_delay": 0.05}


async def collect(stream: SSEStream, events: int = 1_000_000, timeout: float = 10.0) -> list:
    """Items until `events` events arrived or the stream stopped for good."""
    items: list = []
    count = 0

    async def run() -> None:
        nonlocal count
        async with stream:
            async for item in stream:
                items.append(item)
                if isinstance(item, Event):
                    count += 1
                    if count >= events:
                        return

    await asyncio.wait_for(run(), timeout)
    return items


def evs(items: list) -> list[tuple[str, str, str]]:
    return [(i.event, i.data, i.id) for i in items if isinstance(i, Event)]


def states(items: list) -> list[StreamState]:
    return [i.state for i in items if isinstance(i, StateChange)]


@pytest.fixture
async def client():
    async with make_client() as c:
        yield c


def sse_handler(*bodies: bytes, chunks: bool = False, end: str = "clean"):
    """Connection i gets bodies[i] (the last one repeats), then a clean end or a drop."""

    async def handler(conn: Conn) -> None:
        body = bodies[min(conn.index, len(bodies) - 1)]
        await conn.start()
        if chunks:
            await conn.send_chunks([body[i : i + 1] for i in range(len(body))], pause=0)
        else:
            await conn.send(body)
        await asyncio.sleep(0.02)
        if end == "drop":
            conn.drop()
        else:
            await conn.end()

    return handler


# --- byte-exact chunking, end to end ----------------------------------------------------------


@pytest.mark.parametrize(
    "chunks",
    [
        [b"\xef", b"\xbb", b"\xbf", b"data: bom\n\n"],
        [b"data: crlf\r", b"\n\r", b"\n"],
        [b"data: \xe2", b"\x82", b"\xac\n\n"],
        [bytes([b]) for b in b"data: one\r\n\r\n"],
    ],
    ids=["bom-in-three", "crlf-split", "multibyte-split", "one-byte-chunks"],
)
async def test_chunking_end_to_end(raw_server: RawServer, client, chunks):
    async def handler(conn: Conn) -> None:
        await conn.start()
        await conn.send_chunks(chunks, pause=0.03)
        await conn.end()

    raw_server.handler = handler
    stream = SSEStream(client, raw_server.url, StreamOptions(reconnect=False))
    items = await collect(stream)
    expected = {"bom-in-three": "bom", "crlf-split": "crlf"}
    assert len(evs(items)) == 1
    data = evs(items)[0][1]
    assert data in ("bom", "crlf", "\u20ac", "one")
    assert not data.startswith("\ufeff")
    assert expected.get(data, data) == data
    assert states(items)[-1] is StreamState.CLOSED


async def test_rule06_cr_ended_event_arrives_before_the_next_chunk(raw_server, client):
    """The server holds its next chunk until the client has shown the event."""
    released = threading.Event()

    async def handler(conn: Conn) -> None:
        await conn.start()
        await conn.send(b"data: now\r\r")
        await asyncio.get_running_loop().run_in_executor(None, released.wait, 5)
        await conn.send(b"data: later\r\r")
        await conn.end()

    raw_server.handler = handler
    stream = SSEStream(client, raw_server.url, StreamOptions(reconnect=False))
    try:
        items = await collect(stream, events=1, timeout=3)
    finally:
        released.set()
    assert evs(items) == [("message", "now", "")]


# --- D. The request and the response ----------------------------------------------------------


async def test_rule23_accept_and_cache_control_sent(raw_server, client):
    raw_server.handler = sse_handler(b"data: x\n\n")
    await collect(SSEStream(client, raw_server.url, StreamOptions(reconnect=False)))
    request = raw_server.requests[0]
    assert request.header("Accept") == "text/event-stream"
    assert request.header("Cache-Control") == "no-cache"
    assert request.header("Last-Event-ID") is None  # rule 24: not sent while empty


async def test_rule24_last_event_id_sent_as_utf8_bytes(raw_server, client):
    raw_server.handler = sse_handler(b"id: caf\xc3\xa9-\xe2\x82\xac\ndata: x\n\n", b"data: y\n\n")
    stream = SSEStream(client, raw_server.url, StreamOptions(**FAST))
    items = await collect(stream, events=2)
    assert evs(items)[0] == ("message", "x", "caf\u00e9-\u20ac")
    raw = raw_server.requests[1].raw_headers
    assert b"Last-Event-ID: caf\xc3\xa9-\xe2\x82\xac\r\n" in raw


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_rule25_redirects_followed(raw_server, client, status):
    async def handler(conn: Conn) -> None:
        if conn.request.target == "/start":
            await conn.start(status, {"Location": "/stream", "Content-Length": "0"}, content_type=None)
            return
        await conn.start()
        await conn.send(b"data: moved\n\n")
        await conn.end()

    raw_server.handler = handler
    items = await collect(SSEStream(client, raw_server.url + "/start", StreamOptions(reconnect=False)))
    assert evs(items) == [("message", "moved", "")]


@pytest.mark.parametrize("location", [None, "http://a:notaport/", "ftp://x/"])
async def test_rule25_redirect_without_usable_location_fails(raw_server, client, location):
    async def handler(conn: Conn) -> None:
        headers = {"Content-Length": "0"}
        if location:
            headers["Location"] = location
        await conn.start(302, headers, content_type=None)

    raw_server.handler = handler
    items = await collect(SSEStream(client, raw_server.url, StreamOptions(**FAST)), timeout=5)
    assert states(items)[-1] is StreamState.FAILED
    assert ("Location" if location != "ftp://x/" else "scheme") in items[-1].reason
    assert raw_server.connections == 1  # an error, not a loop


async def test_rule26_reconnect_repeats_method_body_headers(raw_server, client):
    raw_server.handler = sse_handler(b"id: 1\ndata: a\n\n", b"data: b\n\n")
    options = StreamOptions(
        method="POST", headers=(("X-Token", "abc"),), body=b'{"q": 1}', **FAST
    )
    await collect(SSEStream(client, raw_server.url + "/s?x=1", options), events=2)
    first, second = raw_server.requests[:2]
    for request in (first, second):
        assert (request.method, request.target, request.body) == ("POST", "/s?x=1", b'{"q": 1}')
        assert request.header("X-Token") == "abc"
    assert first.header("Last-Event-ID") is None
    assert second.header("Last-Event-ID") == "1"


@pytest.mark.parametrize(
    "content_type,ok",
    [
        ("text/event-stream", True),
        ("Text/Event-Stream; charset=utf-8", True),
        ("text/event-stream;charset=latin-1", True),
        ("text/plain", False),
        ("text/event-streamx", False),
        ("application/x-text/event-stream", False),
        (None, False),
    ],
)
async def test_rule27_media_type_exact(raw_server, client, content_type, ok):
    async def handler(conn: Conn) -> None:
        await conn.start(content_type=content_type)
        await conn.send("data: caf\u00e9\n\n".encode())
        await conn.end()

    raw_server.handler = handler
    items = await collect(SSEStream(client, raw_server.url, StreamOptions(**FAST)), events=1)
    if ok:
        assert evs(items) == [("message", "caf\u00e9", "")]  # rule 1: charset ignored
    else:
        assert evs(items) == []
        assert states(items)[-1] is StreamState.FAILED
        assert "not an event stream" in items[-1].reason
        assert raw_server.connections == 1  # failed for good


async def test_rule28_204_stops_for_good(raw_server, client):
    async def handler(conn: Conn) -> None:
        await conn.start(204, content_type=None)

    raw_server.handler = handler
    items = await collect(SSEStream(client, raw_server.url, StreamOptions(**FAST)))
    assert states(items) == [StreamState.CONNECTING, StreamState.CLOSED]
    assert "204" in items[-1].reason
    assert raw_server.connections == 1


@pytest.mark.parametrize("end", ["clean", "drop"])
async def test_rule29_network_error_or_clean_end_reconnects(raw_server, client, end):
    raw_server.handler = sse_handler(b"id: 1\ndata: a\n\n", b"id: 2\ndata: b\n\n", end=end)
    stream = SSEStream(client, raw_server.url, StreamOptions(**FAST))
    items = await collect(stream, events=2)
    assert evs(items) == [("message", "a", "1"), ("message", "b", "2")]
    backoff = [i for i in items if isinstance(i, StateChange) and i.state is StreamState.BACKOFF]
    assert backoff and backoff[0].last_event_id == "1"
    if end == "drop":
        assert "server closed the stream" not in backoff[0].reason
    assert stream.stats.reconnects == 1


async def test_rule29_closing_by_the_user_stops(raw_server, client):
    raw_server.handler = sse_handler(b"data: a\n\n")
    stream = SSEStream(client, raw_server.url, StreamOptions(**FAST))
    await collect(stream, events=1)
    assert stream.state is StreamState.CLOSED
    await asyncio.sleep(0.2)
    assert raw_server.connections == 1


# --- E. Product decisions ---------------------------------------------------------------------


def status_handler(status: int, then_ok: bool = True, headers: dict | None = None):
    async def handler(conn: Conn) -> None:
        if conn.index == 0 or not then_ok:
            await conn.start(status, {**(headers or {}), "Content-Length": "2"}, content_type="text/plain")
            await conn.send(b"no")
            return
        await conn.start()
        await conn.send(b"data: ok\n\n")
        await conn.end()

    return handler


@pytest.mark.parametrize("status", [500, 502, 503, 408, 429])
async def test_rule30_resilient_retries_5xx_408_429(raw_server, client, status):
    raw_server.handler = status_handler(status)
    items = await collect(SSEStream(client, raw_server.url, StreamOptions(**FAST)), events=1)
    assert evs(items) == [("message", "ok", "")]
    assert f"HTTP {status}" in next(i.reason for i in items if getattr(i, "state", None) == "backoff")


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410])
async def test_rule30_resilient_fails_other_4xx(raw_server, client, status):
    raw_server.handler = status_handler(status)
    items = await collect(SSEStream(client, raw_server.url, StreamOptions(**FAST)))
    assert states(items)[-1] is StreamState.FAILED
    assert items[-1].reason.startswith(f"HTTP {status}")
    assert raw_server.connections == 1


@pytest.mark.parametrize("status", [500, 503, 429, 201, 206])
async def test_rule30_strict_fails_anything_but_200_and_204(raw_server, client, status):
    raw_server.handler = status_handler(status)
    options = StreamOptions(retry_policy=RetryPolicy.STRICT, **FAST)
    items = await collect(SSEStream(client, raw_server.url, options))
    assert states(items)[-1] is StreamState.FAILED
    assert raw_server.connections == 1


async def test_rule30_retry_after_honoured(raw_server, client):
    raw_server.handler = status_handler(429, headers={"Retry-After": "1"})
    items = await collect(SSEStream(client, raw_server.url, StreamOptions(**FAST)), events=1)
    (backoff,) = [i for i in items if isinstance(i, StateChange) and i.state is StreamState.BACKOFF]
    assert backoff.delay == 1.0  # not the 10 ms base
    assert evs(items) == [("message", "ok", "")]


async def test_rule31_server_retry_sets_the_base_delay(raw_server, client):
    raw_server.handler = sse_handler(b"retry: 40\ndata: a\n\n", b"data: b\n\n")
    stream = SSEStream(client, raw_server.url, StreamOptions(base_delay=5.0), rng=lambda: 0.0)
    items = await collect(stream, events=2, timeout=3)
    (backoff,) = [i for i in items if isinstance(i, StateChange) and i.state is StreamState.BACKOFF]
    assert backoff.delay == pytest.approx(0.04)  # from retry:, not the 5 s default
    assert stream.stats.retry_ms == 40


async def test_rule32_new_connection_keeps_the_old_last_event_id(raw_server, client):
    raw_server.handler = sse_handler(b"id: 7\ndata: a\n\n", b"data: no-id\n\n")
    stream = SSEStream(client, raw_server.url, StreamOptions(**FAST))
    items = await collect(stream, events=3)
    assert evs(items)[1] == ("message", "no-id", "7")
    assert raw_server.requests[2].header("Last-Event-ID") == "7"  # and resends it


async def test_rule33_read_timeout_drops_a_silent_connection(raw_server, client):
    async def handler(conn: Conn) -> None:
        await conn.start()
        if conn.index == 0:
            await conn.send(b": hello\n\n", pause=0.25)  # a byte keeps it alive ...
            await conn.send(b"id: 1\ndata: a\n\n")
            await asyncio.sleep(5)  # ... then silence
            return
        await conn.send(b"data: b\n\n")
        await conn.end()

    raw_server.handler = handler
    options = StreamOptions(read_timeout=0.4, **FAST)
    items = await collect(SSEStream(client, raw_server.url, options), events=2, timeout=4)
    assert evs(items) == [("message", "a", "1"), ("message", "b", "1")]
    backoff = next(i for i in items if isinstance(i, StateChange) and i.state is StreamState.BACKOFF)
    assert "read timeout" in backoff.reason


async def test_rule33_default_read_timeout_is_not_httpx_5s(raw_server, client):
    stream = SSEStream(client, raw_server.url)
    assert stream._timeout.read == 60.0
    assert client.timeout.read != 5.0 or stream._timeout.read != client.timeout.read


async def test_rule34_oversized_event_fails_by_name(raw_server, client):
    raw_server.handler = sse_handler(b"data: " + b"x" * 5000 + b"\n\n")
    options = StreamOptions(max_event_bytes=1000, **FAST)
    stream = SSEStream(client, raw_server.url, options)
    items = await collect(stream)
    assert states(items)[-1] is StreamState.FAILED
    assert "max_event_bytes" in items[-1].reason
    assert stream.stats.last_error == items[-1].reason


async def test_rule35_replayed_events_are_suppressed_and_counted(raw_server, client):
    raw_server.handler = sse_handler(
        b"id: 1\ndata: a\n\nid: 2\ndata: b\n\nid: 3\ndata: c\n\n",
        b"id: 2\ndata: b\n\nid: 3\ndata: c\n\nid: 4\ndata: d\n\nid: 3\ndata: again\n\n",
        b": idle\n\n",
    )
    stream = SSEStream(client, raw_server.url, StreamOptions(**FAST))
    items = await collect(stream, events=5)
    assert [e[1] for e in evs(items)] == ["a", "b", "c", "d", "again"]
    assert stream.stats.duplicates == 2
    assert raw_server.requests[1].header("Last-Event-ID") == "3"


# --- counters, heartbeats, failures ------------------------------------------------------------


async def test_counters_and_heartbeats(raw_server, client):
    body = b": hb\n\nid: 1\ndata: a\n\n: hb\n\nid: 2\nevent: t\ndata: b\n\n"
    raw_server.handler = sse_handler(body)
    stream = SSEStream(client, raw_server.url, StreamOptions(reconnect=False))
    items = await collect(stream)
    assert sum(isinstance(i, Heartbeat) for i in items) == 2
    s = stream.stats
    assert (s.events, s.heartbeats, s.bytes, s.last_event_id) == (2, 2, len(body), "2")
    assert s.connects == 1 and s.state is StreamState.CLOSED
    assert s.last_event_at is not None and s.last_heartbeat_at is not None


async def test_refused_connection_fails_at_once_with_reason(client):
    server = RawServer().start()
    url = server.url
    server.stop()
    items = await collect(SSEStream(client, url, StreamOptions(**FAST)), timeout=5)
    assert states(items)[-1] is StreamState.FAILED
    assert items[-1].reason == "connection refused"


async def test_refused_connection_retried_when_asked(client):
    server = RawServer().start()
    url = server.url
    server.stop()
    options = StreamOptions(retry_first_connect=True, **FAST)
    stream = SSEStream(client, url, options)
    with pytest.raises(TimeoutError):
        await collect(stream, timeout=0.5)
    assert stream.stats.reconnects >= 2
    assert stream.stats.last_error == "connection refused"


async def test_tls_failure_is_final(client):
    async def plain_http(reader, writer) -> None:  # answers a TLS hello with plain HTTP
        writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(plain_http, "127.0.0.1", 0)
    url = f"https://127.0.0.1:{server.sockets[0].getsockname()[1]}/"
    options = StreamOptions(retry_first_connect=True, **FAST)
    async with server:
        items = await collect(SSEStream(client, url, options), timeout=5)
    assert states(items)[-1] is StreamState.FAILED
    assert items[-1].reason.startswith("TLS")


async def test_network_errors_after_opening_always_reconnect(raw_server, client):
    raw_server.handler = sse_handler(b"data: a\n\n", end="drop")
    stream = SSEStream(client, raw_server.url, StreamOptions(**FAST))
    items = await collect(stream, events=3)
    assert len(evs(items)) == 3
    assert stream.stats.connects == 3


async def test_no_reconnect_clean_end_closes_drop_fails(raw_server, client):
    raw_server.handler = sse_handler(b"data: a\n\n", end="drop")
    items = await collect(SSEStream(client, raw_server.url, StreamOptions(reconnect=False)))
    assert states(items)[-1] is StreamState.FAILED
    raw_server.handler = sse_handler(b"data: a\n\n")
    items = await collect(SSEStream(client, raw_server.url, StreamOptions(reconnect=False)))
    assert states(items)[-1] is StreamState.CLOSED


async def test_batches_group_one_read(raw_server, client):
    raw_server.handler = sse_handler(b"data: 1\n\ndata: 2\n\ndata: 3\n\n")
    stream = SSEStream(client, raw_server.url, StreamOptions(reconnect=False))
    batches = [b async for b in stream.batches()]
    event_batches = [b for b in batches if isinstance(b[0], Event)]
    assert [len(b) for b in event_batches] == [3]


async def test_httpx_default_timeout_client_still_streams_quiet_streams(raw_server):
    async def handler(conn: Conn) -> None:
        await conn.start()
        await asyncio.sleep(0.6)  # quieter than the client's own read timeout below
        await conn.send(b"data: late\n\n")
        await conn.end()

    raw_server.handler = handler
    async with httpx.AsyncClient(timeout=0.2) as short:
        items = await collect(SSEStream(short, raw_server.url, StreamOptions(reconnect=False)))
    assert evs(items) == [("message", "late", "")]


async def test_rule35_live_stream_reusing_ids_is_not_thinned(raw_server, client):
    # Suppression applies only to a resumed connection's replay, never to a live stream.
    raw_server.handler = sse_handler(b"id: a\ndata: 1\n\nid: b\ndata: 2\n\nid: a\ndata: 3\n\n")
    stream = SSEStream(client, raw_server.url, StreamOptions(reconnect=False))
    items = await collect(stream)
    assert [e[1] for e in evs(items)] == ["1", "2", "3"]
    assert stream.stats.duplicates == 0
