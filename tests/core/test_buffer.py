"""The ring buffer: bounded, ordered, and a cursor that survives pruning."""

from __future__ import annotations

from contextlib import aclosing

import httpx
import pytest

from streamdash.core.buffer import DATA, ID, NOTE_STREAM, SEQ, STREAM, TYPE, BufferFill, EventBuffer
from streamdash.core.logview import LogView
from streamdash.core.sse.events import Event
from streamdash.core.sse.stream import SSEStream, StreamOptions
from tests.helpers.raw_server import Conn


def events(*data: str) -> list[Event]:
    return [Event("message", d, "") for d in data]


def test_keeps_the_newest_and_counts_what_fell_out():
    buffer = EventBuffer(3)
    assert buffer.extend("a", events("1", "2")) == 2
    buffer.extend("b", events("3", "4", "5"))
    assert [(e[SEQ], e[STREAM], e[DATA]) for e in buffer] == [(2, "b", "3"), (3, "b", "4"), (4, "b", "5")]
    assert (len(buffer), buffer.next_seq, buffer.dropped) == (3, 5, 2)


def test_since_returns_what_is_new_and_still_retained():
    buffer = EventBuffer(5)
    buffer.extend("a", events(*"abcdefg"))  # seqs 0..6, 2..6 retained
    assert [e[DATA] for e in buffer.since(5)] == ["f", "g"]
    assert [e[DATA] for e in buffer.since(0)] == list("cdefg")  # pruned ones are gone
    assert buffer.since(7) == []
    buffer.clear()
    assert buffer.since(0) == [] and buffer.next_seq == 7


def test_size_must_be_positive():
    with pytest.raises(ValueError):
        EventBuffer(0)


# -- the byte bound (issue 10, 3b; rules 35, 37) ----------------------------------------------


def sized(n: int, size: int, kind: str = "message") -> list[Event]:
    return [Event(kind, str(i % 10) * size, f"{i}") for i in range(n)]


def test_bytes_count_type_data_and_id_and_evict_the_oldest_past_the_bound():
    buffer = EventBuffer(100, max_bytes=1000)
    buffer.extend("a", [Event("message", "x" * 93, "ab")])  # 7 + 93 + 2
    assert (len(buffer), buffer.bytes, buffer.evicted) == (1, 102, 0)
    buffer.extend("a", sized(20, 100))
    assert buffer.bytes <= 1000
    assert [e[ID] for e in buffer] == [str(i) for i in range(11, 20)]  # the newest nine fit
    assert buffer.evicted == 12 and buffer.dropped == 12
    assert buffer.bytes == sum(len(e[TYPE]) + len(e[DATA]) + len(e[ID]) for e in buffer)


def test_the_count_bound_still_holds_under_a_loose_byte_bound():
    buffer = EventBuffer(5, max_bytes=10**9)
    buffer.extend("a", sized(12, 10))
    assert len(buffer) == 5 and buffer.evicted == 7
    assert buffer.bytes == 5 * (7 + 10) + len("7891011")  # ids 7..11


def test_one_event_larger_than_the_bound_is_kept_alone_until_the_next():
    buffer = EventBuffer(100, max_bytes=1000)
    buffer.extend("a", sized(3, 100))
    buffer.extend("a", [Event("message", "y" * 5000, "big")])
    assert [e[ID] for e in buffer] == ["big"] and buffer.evicted == 3
    buffer.extend("a", [Event("message", "z", "small")])
    assert [e[ID] for e in buffer] == ["small"] and buffer.bytes == 13


def test_notes_count_and_clear_and_relabel_keep_the_tally():
    buffer = EventBuffer(100, max_bytes=10_000)
    buffer.extend("a", sized(3, 100))
    buffer.note("switched", at=0.0)
    assert buffer.bytes == 3 * (7 + 100 + 1) + len("note") + len("switched")
    before = buffer.bytes
    buffer.relabel("a", "b")
    assert buffer.bytes == before and {e[STREAM] for e in buffer} == {"b", NOTE_STREAM}
    buffer.clear()
    assert (buffer.bytes, buffer.evicted) == (0, 0)  # cleared by the user: not evicted


def test_fill_says_what_is_held_against_both_bounds():
    buffer = EventBuffer(4, max_bytes=500)
    buffer.extend("a", sized(6, 100))
    fill = buffer.fill()
    assert fill == BufferFill(entries=4, size=4, bytes=4 * 108, max_bytes=500, evicted=2)


def test_byte_bound_must_be_positive():
    with pytest.raises(ValueError):
        EventBuffer(10, max_bytes=0)


BIG = 64 * 1024  # each event's data; a 256 KiB bound holds three


async def test_a_real_stream_of_big_events_stays_within_the_byte_bound(raw_server):
    """Big events from a real server into a small byte bound: the retained bytes never pass the
    bound (by more than the one newest entry), the count bound holds too, nothing is evicted
    unsaid, and the filter still works over what is retained."""
    total = 60

    async def handler(conn: Conn) -> None:
        await conn.start()
        for n in range(1, total + 1):
            kind = "alert" if n % 10 == 0 else "chunk"
            await conn.send(f"id: {n}\nevent: {kind}\ndata: {chr(97 + n % 26) * BIG}\n\n".encode())
        await conn.end()

    raw_server.handler = handler
    bound = 4 * BIG
    buffer = EventBuffer(50, max_bytes=bound)
    view = LogView(buffer)
    options = StreamOptions(reconnect=False, max_event_bytes=2 * BIG)
    stream = SSEStream(httpx.AsyncClient(timeout=10), f"{raw_server.url}/big", options)
    peak = 0
    async with aclosing(stream.batches()) as batches:
        async for batch in batches:
            events = [item for item in batch if type(item) is Event]
            buffer.extend("big", events)
            peak = max(peak, buffer.bytes)
            assert len(buffer) <= 50
    await stream.client.aclose()
    one_entry = len("chunk") + BIG + len(str(total))
    assert buffer.next_seq == total  # every event arrived and was counted
    assert 0 < peak <= bound + one_entry
    assert buffer.bytes <= bound
    assert buffer.evicted == total - len(buffer) > 0
    assert [e[ID] for e in buffer] == [str(n) for n in range(total - len(buffer) + 1, total + 1)]
    view.set_text("type:alert")
    assert [e[ID] for e in view.all_matches()] == ["60"]
    assert view.counts() == (1, len(buffer))
