"""Rule 34 (event size cap, both policies) and typed heartbeats, through a real SSEStream
against a raw server on 127.0.0.1."""

from __future__ import annotations

import asyncio

import pytest

from streamdash.core.http.client import make_client
from streamdash.core.sse import Event, Heartbeat, SSEStream, StateChange, StreamOptions, StreamState
from streamdash.core.sse.events import SkippedEvent
from tests.helpers.raw_server import Conn


def once(body: bytes, *, end: str = "clean"):
    async def handler(conn: Conn) -> None:
        await conn.start()
        await conn.send(body)
        await asyncio.sleep(0.02)
        await conn.end()

    return handler


async def items_of(url: str, options: StreamOptions, timeout: float = 10) -> tuple[list, SSEStream]:
    items: list = []
    async with make_client() as client:
        stream = SSEStream(client, url, options)

        async def run() -> None:
            async with stream:
                items.extend([item async for item in stream])

        await asyncio.wait_for(run(), timeout)
    return items, stream


async def test_rule34_a_5_mb_event_arrives_whole_with_the_defaults(raw_server):
    raw_server.handler = once(b"id: 1\ndata: " + b"x" * 5_000_000 + b"\n\n")
    items, stream = await items_of(raw_server.url, StreamOptions(reconnect=False))
    (event,) = [i for i in items if isinstance(i, Event)]
    assert len(event.data) == 5_000_000
    assert stream.state is StreamState.CLOSED


async def test_rule34_fail_keeps_the_events_before_it_and_names_the_way_out(raw_server):
    raw_server.handler = once(b"id: 1\ndata: a\n\nid: 2\ndata: " + b"x" * 5000 + b"\n\n")
    items, stream = await items_of(raw_server.url, StreamOptions(max_event_bytes=1000))
    assert [(i.data, i.id) for i in items if isinstance(i, Event)] == [("a", "1")]
    final = items[-1]
    assert isinstance(final, StateChange) and final.state is StreamState.FAILED  # no reconnect
    assert "--max-event-bytes" in final.reason and "1,000 bytes" in final.reason
    assert stream.stats.connects == 1


async def test_rule34_skip_reports_once_counts_and_reads_on(raw_server):
    raw_server.handler = once(
        b"id: 1\ndata: a\n\nid: 2\ndata: " + b"x" * 5000 + b"\n\nid: 3\ndata: c\n\n"
    )
    options = StreamOptions(max_event_bytes=1000, oversize="skip", reconnect=False)
    items, stream = await items_of(raw_server.url, options)
    kept = [i for i in items if isinstance(i, Event | SkippedEvent)]
    assert [type(i).__name__ for i in kept] == ["Event", "SkippedEvent", "Event"]
    assert (kept[1].size, kept[1].id, kept[1].limit) == (5006 + 5, "2", 1000)
    assert stream.stats.skipped_oversize == 1
    assert stream.stats.events == 2 and stream.state is StreamState.CLOSED


@pytest.mark.parametrize(
    "names,events,heartbeats", [(None, 1, 3), (frozenset({"keepalive"}), 3, 1), (frozenset(), 3, 1)]
)
async def test_typed_heartbeats_count_as_heartbeats_and_are_still_yielded(
    raw_server, names, events, heartbeats
):
    raw_server.handler = once(
        b"event: ping\ndata: {}\n\n: comment\n\nevent: heartbeat\ndata: 1\n\nid: 1\ndata: news\n\n"
    )
    options = StreamOptions(reconnect=False)
    if names is not None:
        options = StreamOptions(reconnect=False, heartbeat_events=names)
    items, stream = await items_of(raw_server.url, options)
    assert [i.event for i in items if isinstance(i, Event)] == ["ping", "heartbeat", "message"]
    assert sum(isinstance(i, Heartbeat) for i in items) == 1
    assert (stream.stats.events, stream.stats.heartbeats) == (events, heartbeats)


async def test_typed_heartbeats_alone_are_no_news(raw_server):
    raw_server.handler = once(b"event: ping\ndata: {}\n\n")
    _, stream = await items_of(raw_server.url, StreamOptions(reconnect=False))
    assert stream.stats.events == 0 and stream.stats.last_event_at is None
    assert stream.stats.heartbeats == 1 and stream.stats.last_heartbeat_at is not None
