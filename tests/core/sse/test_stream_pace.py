"""Paced reads (SSEStream.pace): a trickling stream waits after a small read so events gather
in the socket (one read of the httpx stack per event saturated a core at 200 streams x 100
events/s); nothing is lost or reordered, and a restart during the wait still reconnects."""

from __future__ import annotations

import asyncio

import pytest

from streamdash.core.http.client import make_client
from streamdash.core.sse import Event, SSEStream, StreamOptions
from tests.core.sse.test_stream_restart import FAST, event_ids, run_until
from tests.helpers.raw_server import counting_events


@pytest.fixture
async def client():
    async with make_client() as c:
        yield c


async def batches_for(stream: SSEStream, count: int) -> tuple[list, int]:
    items: list = []
    batches = 0

    async def consume() -> None:
        nonlocal batches
        async for batch in stream.batches():
            if any(isinstance(item, Event) for item in batch):
                batches += 1
            items.extend(batch)
            if len(event_ids(items)) >= count:
                return

    async with stream:
        await asyncio.wait_for(consume(), 10)
    return items, batches


async def test_a_paced_trickle_is_read_in_fewer_reads_and_loses_nothing(raw_server, client):
    raw_server.handler = counting_events(pause=0.005)
    _, plain_reads = await batches_for(SSEStream(client, raw_server.url, StreamOptions(**FAST)), 40)
    paced_stream = SSEStream(client, raw_server.url, StreamOptions(**FAST))
    paced_stream.pace = lambda: 0.05
    paced, paced_reads = await batches_for(paced_stream, 40)
    assert event_ids(paced)[:40] == [str(n) for n in range(1, 41)]  # all, in order
    assert plain_reads >= 30  # one read an event, or nearly
    assert paced_reads <= plain_reads // 3  # the events gathered while it waited


async def test_a_restart_during_the_wait_reconnects(raw_server, client):
    raw_server.handler = counting_events(pause=0.01)
    stream = SSEStream(client, raw_server.url, StreamOptions(**FAST))
    stream.pace = lambda: 0.3
    items: list = []
    restarted = False

    def condition(got: list) -> bool:
        nonlocal restarted
        if not restarted and event_ids(got):
            restarted = True
            asyncio.get_running_loop().call_later(0.1, stream.restart, "restarted by the user")
        return raw_server.connections >= 2 and len(event_ids(got)) >= 3

    async with stream:
        await run_until(stream, condition, items)
    ids = event_ids(items)
    assert ids == [str(n) for n in range(1, len(ids) + 1)] and stream.stats.reconnects == 1
