"""Rule 31 as a watcher meets it: a server that drops the connection mid-line 40 times over 2,000
events (FIN and RST), resuming from Last-Event-ID and asking for `retry: 10`."""

from __future__ import annotations

import asyncio
import time

from streamdash.core.http.client import make_client
from streamdash.core.sse import Event, SSEStream, StreamOptions
from tests.helpers.flaky_server import flaky_events


async def test_rule31_forty_drops_over_2000_events_arrive_in_order_once_each_in_seconds(raw_server):
    raw_server.handler, log = flaky_events(events=2000, drops=40, seed=10)
    ids: list[str] = []
    started = time.monotonic()

    async def watch(stream: SSEStream) -> None:
        async for item in stream:
            if type(item) is Event:
                ids.append(item.id)
                if len(ids) == 2000:
                    return

    async with make_client() as client, SSEStream(client, raw_server.url) as stream:
        # A generous bound, not a benchmark: today's doubling backoff takes many minutes here.
        try:
            await asyncio.wait_for(watch(stream), 30)
        except TimeoutError:
            raise AssertionError(
                f"only {len(ids)} of 2,000 events after 30 s; {stream.stats.connects} connections"
            ) from None
    elapsed = time.monotonic() - started
    assert ids == [str(n) for n in range(1, 2001)]  # in order, once each, nothing lost
    assert stream.stats.duplicates == 0
    assert log.count("fin") + log.count("rst") == 40 and {"fin", "rst"} <= set(log)
    assert stream.stats.connects == 41
    print(f"2,000 events through 40 drops in {elapsed:.2f} s")


async def test_rule31_a_connection_that_delivered_nothing_new_counts_as_a_failure(raw_server):
    """Replaying the same event on every connection is no progress: the delay keeps doubling."""

    async def handler(conn) -> None:
        await conn.start()
        await conn.send(b"retry: 10\nid: 1\ndata: same\n\n")
        await conn.end()

    raw_server.handler = handler
    delays: list[float] = []
    async with make_client() as client:
        stream = SSEStream(client, raw_server.url, StreamOptions(), rng=lambda: 0.0)
        async with stream:
            async for item in stream:
                if getattr(item, "delay", None) is not None:
                    delays.append(item.delay)
                    if len(delays) == 4:
                        break
    assert delays == [0.01, 0.2, 0.4, 0.8]  # the first delivered "same"; the replays did not
    assert stream.stats.duplicates == 3
