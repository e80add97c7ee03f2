"""Rule 35: the duplicate filter remembers delivered ids in bounded bytes, not the ids."""

from __future__ import annotations

import tracemalloc

from streamdash.core.http.client import make_client
from streamdash.core.sse import Event, SSEStream, StreamOptions
from streamdash.core.sse.dedup import Dedup
from tests.helpers.raw_server import Conn


def long_id(n: int) -> str:
    return f"{n:06d}-" + "x" * 200_000


def test_rule35_3000_unique_200kb_ids_cost_little_memory():
    dedup = Dedup(window=10_000)
    tracemalloc.start()
    try:
        for n in range(3000):
            dedup.remember(long_id(n))  # each id is freed once remembered, as after printing
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert held < 5_000_000, f"{held:,} bytes held for 3,000 ids"  # the ids are 600 MB
    assert dedup.delivered(long_id(1234)) and dedup.delivered(long_id(0))
    assert not dedup.delivered(long_id(3000))


def test_rule35_short_and_long_ids_never_collide():
    dedup = Dedup(window=10)
    dedup.remember("a")
    assert dedup.delivered("a") and not dedup.delivered("b")
    dedup.remember(long_id(1))
    assert not dedup.delivered(long_id(2))


def test_rule35_the_window_forgets_the_oldest():
    dedup = Dedup(window=3)
    for n in range(5):
        dedup.remember(long_id(n))
    assert [dedup.delivered(long_id(n)) for n in range(5)] == [False, False, True, True, True]


async def test_rule35_replayed_long_ids_are_still_suppressed(raw_server):
    ids = [long_id(n) for n in range(3)]

    async def handler(conn: Conn) -> None:
        await conn.start()
        # The second connection (resuming from the short id "s3") replays ids 1, 2 and s3.
        for i in ids if conn.index == 0 else ids[1:]:
            await conn.send(f"id: {i}\ndata: {i[:6]}\n\n".encode())
        await conn.send(b"id: s3\ndata: s3\n\n")
        if conn.index:
            await conn.send(b"id: new\ndata: fresh\n\n")
        await conn.end()

    raw_server.handler = handler
    seen: list[str] = []
    async with make_client() as client:
        stream = SSEStream(client, raw_server.url, StreamOptions(base_delay=0.01))
        async with stream:
            async for item in stream:
                if type(item) is Event:
                    seen.append(item.data)
                    if item.data == "fresh":
                        break
    assert seen == ["000000", "000001", "000002", "s3", "fresh"]
    assert stream.stats.duplicates == 3
