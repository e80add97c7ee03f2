"""What the log shows of the buffer: typed heartbeats (issue 10, 6b) are known per stream,
dimmed by the view, hidden on request and counted while hidden, and never leave the buffer."""

from __future__ import annotations

import httpx

from streamdash.core.buffer import ID, EventBuffer
from streamdash.core.collections import SavedRequest
from streamdash.core.logview import LogView, heartbeat_types
from streamdash.core.session import LiveStream
from streamdash.core.sse.events import DEFAULT_HEARTBEAT_EVENTS, Event
from streamdash.core.sse.stream import SSEStream, StreamOptions


def ev(kind: str, ident: str) -> Event:
    return Event(kind, "{}", ident)


def filled() -> EventBuffer:
    buffer = EventBuffer(100)
    buffer.extend("feed", [ev("price", "1"), ev("ping", "2"), ev("price", "3"), ev("heartbeat", "4")])
    buffer.extend("other", [ev("ping", "5"), ev("beat", "6")])
    buffer.note("environment staging", at=0.0, kind="ping")  # the session's own line: never one
    return buffer


def per_stream(name: str) -> frozenset[str]:
    return frozenset({"beat"}) if name == "other" else DEFAULT_HEARTBEAT_EVENTS


def ids(entries) -> list[str]:
    return [e[ID] for e in entries]


def test_a_heartbeat_is_decided_by_the_streams_own_types():
    view = LogView(filled(), heartbeats=per_stream)
    assert [view.is_heartbeat(e) for e in view.buffer] == [False, True, False, True, False, True, False]


def test_without_a_lookup_the_default_types_are_heartbeats():
    view = LogView(filled())
    assert [e[ID] for e in view.buffer if view.is_heartbeat(e)] == ["2", "4", "5"]


def test_hidden_heartbeats_are_counted_and_come_back():
    buffer = filled()
    view = LogView(buffer, heartbeats=per_stream)
    assert len(view.all_matches()) == 7
    assert view.status() == ("7 events", False)
    view.toggle_heartbeats()
    assert ids(view.all_matches()) == ["1", "3", "5", ""]
    assert view.status() == ("7 events", False)
    assert view.heartbeat_status() == "3 heartbeats hidden"
    # Live: new ones are counted as they arrive, and the buffer keeps them all.
    buffer.extend("feed", [ev("ping", "7"), ev("price", "8")])
    assert ids(view.take_new()) == ["8"]
    assert view.heartbeat_status() == "4 heartbeats hidden"
    assert len(buffer) == 9
    view.toggle_heartbeats()
    assert ids(view.all_matches()) == ["1", "2", "3", "4", "5", "6", "", "7", "8"]
    assert view.status() == ("9 events", False) and view.heartbeat_status() == ""


def test_hidden_heartbeats_with_a_filter_and_a_scope():
    view = LogView(filled(), heartbeats=per_stream)
    view.toggle_heartbeats()
    view.scope = "feed"
    assert ids(view.all_matches()) == ["1", "3"]
    assert view.status() == ("2 of 7 match", False)
    assert view.heartbeat_status() == "2 heartbeats hidden"
    view.set_text("type:ping,price")
    assert ids(view.all_matches()) == ["1", "3"]
    assert view.status() == ("2 of 7 match", False)
    assert view.heartbeat_status() == "1 heartbeat hidden"


def test_the_hidden_count_follows_eviction():
    buffer = EventBuffer(4)
    view = LogView(buffer)
    view.toggle_heartbeats()
    buffer.extend("feed", [ev("ping", "1"), ev("ping", "2"), ev("price", "3")])
    view.take_new()
    assert view.hidden_heartbeats() == 2
    buffer.extend("feed", [ev("price", "4"), ev("price", "5"), ev("price", "6")])
    view.take_new()
    assert view.hidden_heartbeats() == 0 and view.counts() == (4, 4)


def live(name: str, types: frozenset[str] | None, client: httpx.AsyncClient) -> LiveStream:
    """A session's stream as the session makes one; `types` None: played from a recording."""
    request = SavedRequest(name, kind="sse", url="http://127.0.0.1:9/")
    stream = SSEStream(client, request.url, StreamOptions(heartbeat_events=types or frozenset()))
    made = LiveStream.create(name + ".toml", request, stream.stats, started_at=None)
    made.stream = stream if types is not None else None
    return made


async def test_heartbeat_types_come_from_the_sessions_streams_else_the_default():
    async with httpx.AsyncClient() as client:
        streams = {
            "a.toml": live("feed", frozenset({"tick"}), client),
            "b.toml": live("replayed", None, client),
        }
        types = heartbeat_types(streams)
        assert types("feed") == frozenset({"tick"})
        assert types("replayed") == DEFAULT_HEARTBEAT_EVENTS
        assert types("gone") == DEFAULT_HEARTBEAT_EVENTS  # no longer in the session


def test_the_filters_field_cache_lets_go_of_what_the_byte_bound_evicted():
    """The filter caches field values keyed by the data string: sized by count alone it kept
    every big event's data alive long after the buffer's byte bound had let it go."""
    big = 50_000
    buffer = EventBuffer(1000, max_bytes=4 * big)
    view = LogView(buffer)
    view.set_text("n>0")
    for n in range(1, 201):
        buffer.extend("feed", [Event("message", f'{{"n": {n}, "pad": "{"x" * big}"}}', str(n))])
        view.take_new()
    stores = list(view.cache._values.values())
    assert len(stores) == 1
    kept = sum(map(len, stores[0]))  # the data strings the cache keeps alive
    assert len(buffer) <= 4 and kept <= 2 * buffer.max_bytes, (len(stores[0]), kept)
    assert view.counts() == (len(buffer), len(buffer))
