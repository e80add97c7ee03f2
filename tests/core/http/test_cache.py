"""The GET cache against real servers: hits with their age, expiry, ETag and Last-Modified."""

from __future__ import annotations

import pytest

from streamdash.core.http.cache import DEFAULT_TTL, ResponseCache, cache_ttl
from streamdash.core.http.client import make_client
from streamdash.demo import DemoServer
from tests.helpers.raw_server import Conn, RawServer


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def demo():
    with DemoServer(seed=2, time_scale=0.05) as server:
        yield server


@pytest.fixture
async def client():
    async with make_client() as c:
        yield c


def test_cache_setting():
    assert cache_ttl(True) == DEFAULT_TTL == 300
    assert cache_ttl(60) == 60.0
    assert cache_ttl(False) is cache_ttl(0) is cache_ttl("yes") is None


async def test_hit_then_expiry_then_etag_revalidation(demo, client):
    clock = Clock()
    cache = ResponseCache(clock=clock)
    url = demo.url + "/api/items/7"
    first = await cache.get(client, url)
    assert (first.source, first.summary.status) == ("network", 200)
    clock.now += 42
    hit = await cache.get(client, url)
    assert (hit.source, hit.age, hit.label) == ("cache", 42, "cache hit, 42 s old")
    assert hit.summary.body == first.summary.body
    clock.now += DEFAULT_TTL
    renewed = await cache.get(client, url)  # stale: asks with If-None-Match, the demo says 304
    assert renewed.source == "revalidated" and renewed.summary.status == 200
    assert renewed.summary.body == first.summary.body
    clock.now += 1
    assert (await cache.get(client, url)).source == "cache"


async def test_last_modified_revalidation_and_a_changed_answer(raw_server: RawServer, client):
    clock = Clock()
    cache = ResponseCache(clock=clock)
    state = {"version": b"v1"}

    async def handler(conn: Conn) -> None:
        if conn.request.header("If-Modified-Since") == "Tue, 24 Nov 2026 10:00:00 GMT" and state["version"] == b"v1":
            await conn.start(304, {"Content-Length": "0"}, content_type=None)
            return
        body = state["version"]
        await conn.start(200, {"Content-Length": str(len(body)), "Last-Modified": "Tue, 24 Nov 2026 10:00:00 GMT"},
                         content_type="text/plain")
        await conn.send(body)

    raw_server.handler = handler
    assert (await cache.get(client, raw_server.url, ttl=10)).source == "network"
    clock.now += 11
    assert (await cache.get(client, raw_server.url, ttl=10)).source == "revalidated"
    assert raw_server.requests[1].header("If-Modified-Since") == "Tue, 24 Nov 2026 10:00:00 GMT"
    state["version"] = b"v2"
    clock.now += 11
    changed = await cache.get(client, raw_server.url, ttl=10)
    assert (changed.source, changed.summary.body) == ("network", b"v2")


async def test_errors_are_not_cached_and_credentials_split_entries(demo, client):
    cache = ResponseCache(clock=Clock())
    missing = await cache.get(client, demo.url + "/api/items/99999")
    assert missing.summary.status == 404 and len(cache) == 0
    await cache.get(client, demo.url + "/api/items/1", headers=[("Authorization", "Bearer a")])
    other = await cache.get(client, demo.url + "/api/items/1", headers=[("Authorization", "Bearer b")])
    assert other.source == "network" and len(cache) == 2
