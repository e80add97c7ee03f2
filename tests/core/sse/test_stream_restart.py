"""Restart in place, a stream that ends when its answer is complete, and auth on every attempt:
against the raw scripted server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import base64

import httpx
import pytest

from streamdash.core.http.client import make_client
from streamdash.core.sse import Event, SSEStream, StateChange, StreamOptions, StreamState
from tests.helpers.raw_server import Conn, counting_events

FAST = {"base_delay": 0.01, "max_delay": 0.05}


@pytest.fixture
async def client():
    async with make_client() as c:
        yield c


async def run_until(stream: SSEStream, condition, items: list, timeout: float = 10.0) -> None:
    async def consume() -> None:
        async for batch in stream.batches():
            items.extend(batch)
            if condition(items):
                return

    await asyncio.wait_for(consume(), timeout)


def event_ids(items: list) -> list[str]:
    return [i.id for i in items if isinstance(i, Event)]


async def test_restart_reconnects_at_once_from_the_last_id(raw_server, client):
    raw_server.handler = counting_events()
    stream = SSEStream(client, raw_server.url, StreamOptions(**FAST))
    items: list = []
    restarted = False

    def condition(got: list) -> bool:
        nonlocal restarted
        if not restarted and len(event_ids(got)) >= 5:
            restarted = True
            assert stream.restart("restarted by the user")
        return len(event_ids(got)) >= 12

    async with stream:
        await run_until(stream, condition, items)
    assert raw_server.connections == 2
    second = raw_server.requests[1]
    ids = event_ids(items)
    # Resumed from an id it had delivered: nothing is lost, nothing repeats.
    assert second.header("Last-Event-ID") in ids[:-1]
    assert ids == [str(n) for n in range(1, len(ids) + 1)]
    changes = [i for i in items if isinstance(i, StateChange)]
    backoff = next(c for c in changes if c.state is StreamState.BACKOFF)
    assert backoff.reason == "restarted by the user" and backoff.delay == 0.0
    assert stream.stats.reconnects == 1
    assert stream.stats.last_error == ""  # a restart is not an error
    assert stream._backoff.failures == 0  # and the backoff is left as it was


async def test_restart_from_another_task_while_reading(raw_server, client):
    """The dashboard restarts from a key press: another task than the one reading."""
    raw_server.handler = counting_events(pause=0.02)
    stream = SSEStream(client, raw_server.url, StreamOptions(**FAST))
    items: list = []
    reader = asyncio.create_task(run_until(stream, lambda got: len(event_ids(got)) >= 15, items))
    while len(event_ids(items)) < 4:
        await asyncio.sleep(0.01)
    assert stream.restart("again")
    await reader
    await stream.aclose()
    assert raw_server.connections == 2
    assert event_ids(items) == [str(n) for n in range(1, len(event_ids(items)) + 1)]


async def test_restart_during_the_backoff_wait_connects_now(raw_server, client):
    async def handler(conn: Conn) -> None:
        if conn.index == 0:
            await conn.start(503, content_type="text/plain", headers={"Retry-After": "30"})
            await conn.end()
            return
        await conn.start()
        await conn.send(b"id: 1\ndata: x\n\n")
        await conn.end()

    raw_server.handler = handler
    stream = SSEStream(client, raw_server.url, StreamOptions(**FAST))
    items: list = []
    reader = asyncio.create_task(run_until(stream, lambda got: len(event_ids(got)) >= 1, items))
    while stream.stats.next_attempt_at is None:
        await asyncio.sleep(0.01)
    started = asyncio.get_running_loop().time()
    stream.restart("now")
    await reader
    await stream.aclose()
    assert asyncio.get_running_loop().time() - started < 5  # not the 30 s Retry-After


async def test_restart_with_new_options_sends_them_and_keeps_the_resume_point(raw_server, client):
    raw_server.handler = counting_events()
    stream = SSEStream(client, raw_server.url, StreamOptions(headers=(("X-Env", "one"),), **FAST))
    items: list = []
    done = False

    def condition(got: list) -> bool:
        nonlocal done
        if not done and len(event_ids(got)) >= 3:
            done = True
            stream.restart("environment", options=StreamOptions(headers=(("X-Env", "two"),), **FAST))
        return len(event_ids(got)) >= 8

    async with stream:
        await run_until(stream, condition, items)
    first, second = raw_server.requests[:2]
    assert first.header("X-Env") == "one" and second.header("X-Env") == "two"
    assert second.header("Last-Event-ID") is not None


async def test_restart_of_a_stream_nobody_reads_says_so(client):
    stream = SSEStream(client, "http://127.0.0.1:9/")
    assert stream.restart() is False


async def test_a_real_cancel_during_a_restart_still_cancels(raw_server, client):
    raw_server.handler = counting_events(pause=0.05)
    stream = SSEStream(client, raw_server.url, StreamOptions(**FAST))
    items: list = []
    reader = asyncio.create_task(run_until(stream, lambda got: False, items))
    while not event_ids(items):
        await asyncio.sleep(0.01)
    stream.restart("restart")
    reader.cancel()
    with pytest.raises(asyncio.CancelledError):
        await reader


async def test_finished_stream_closes_instead_of_sending_the_request_again(raw_server, client):
    """An LLM answer that is complete: the server closes, and a reconnect would re-send (and
    re-bill) the prompt. Plain streams, POST included, keep reconnecting."""

    async def handler(conn: Conn) -> None:
        await conn.start()
        await conn.send(b'data: {"t": "hi"}\n\ndata: [DONE]\n\n')
        await conn.end()

    raw_server.handler = handler
    seen: list[str] = []
    options = StreamOptions(method="POST", body=b"{}", finished=lambda: "[DONE]" in seen, **FAST)
    stream = SSEStream(client, raw_server.url, options)
    async with stream:
        async for item in stream:  # `finished` reads `seen` while it streams
            if isinstance(item, Event):
                seen.append(item.data)  # noqa: PERF401
    assert raw_server.connections == 1
    assert stream.state is StreamState.CLOSED
    plain = SSEStream(client, raw_server.url, StreamOptions(method="POST", body=b"{}", **FAST))
    items: list = []
    async with plain:
        await run_until(plain, lambda got: sum(isinstance(i, Event) for i in got) >= 4, items)
    assert raw_server.connections == 3  # the plain stream reconnected and re-sent its body
    assert all(r.body == b"{}" for r in raw_server.requests)


async def test_auth_runs_on_every_attempt(raw_server, client):
    """Auth is part of the request: a reconnect sends it again."""

    async def handler(conn: Conn) -> None:
        await conn.start()
        await conn.send(f"id: {conn.index}\ndata: x\n\n".encode())
        await conn.end()

    raw_server.handler = handler
    stream = SSEStream(client, raw_server.url, StreamOptions(auth=httpx.BasicAuth("ann", "pw"), **FAST))
    items: list = []
    async with stream:
        await run_until(stream, lambda got: len(event_ids(got)) >= 3, items)
    expected = "Basic " + base64.b64encode(b"ann:pw").decode()
    assert [r.header("Authorization") for r in raw_server.requests[:3]] == [expected] * 3


async def test_a_second_401_after_fresh_credentials_fails_in_one_line(raw_server, client):
    async def handler(conn: Conn) -> None:
        challenge = {"WWW-Authenticate": 'Digest realm="r", nonce="n", qop="auth"'}
        await conn.start(401, challenge, content_type="text/plain", reason="Unauthorized")
        await conn.end()

    raw_server.handler = handler
    stream = SSEStream(client, raw_server.url, StreamOptions(auth=httpx.DigestAuth("ann", "pw"), **FAST))
    async with stream:
        async for _ in stream:
            pass
    assert stream.state is StreamState.FAILED
    assert stream.stats.last_error == (
        "HTTP 401 Unauthorized (refused again after fetching fresh credentials)"
    )
    assert "\n" not in stream.stats.last_error
