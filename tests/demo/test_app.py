"""The demo API tested over real HTTP against a real uvicorn, as the dashboard will use it."""

from __future__ import annotations

import json
import logging
import signal
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from streamdash.demo import DemoServer, create_app

LEVELS = {"debug", "info", "warning", "error"}
TIME_SCALE = 0.01


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServer]:
    with DemoServer(seed=1234, time_scale=TIME_SCALE) as server:
        yield server


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5.0) as c:
        yield c


def parse_sse(text: str) -> list[dict[str, str]]:
    """Naive SSE parsing: one dict per blank-line separated block; comments under ':'."""
    blocks = []
    for raw in text.replace("\r\n", "\n").split("\n\n"):
        if not raw.strip():
            continue
        block: dict[str, str] = {}
        for line in raw.split("\n"):
            if line.startswith(":"):
                block[":"] = line[1:].strip()
            else:
                name, _, value = line.partition(":")
                block[name] = value.removeprefix(" ")
        blocks.append(block)
    return blocks


def events(text: str) -> list[dict[str, str]]:
    return [block for block in parse_sse(text) if "data" in block]


def read_stream(
    client: httpx.Client, url: str, **kwargs: Any
) -> tuple[httpx.Response, str, Exception | None]:
    """Read a whole stream; returns the text received and the transport error, if any."""
    chunks: list[str] = []
    with client.stream("GET", url, **kwargs) as response:
        try:
            for chunk in response.iter_text():
                chunks.append(chunk)  # noqa: PERF402 - one by one: what came before an error stays
        except httpx.TransportError as exc:
            return response, "".join(chunks), exc
    return response, "".join(chunks), None


# --------------------------------------------------------------------------- streams


def test_ticker_ids_increase_by_one(demo: DemoServer, client: httpx.Client) -> None:
    response, text, error = read_stream(client, demo.urls()["ticker"], params={"limit": 6})
    assert error is None
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["x-accel-buffering"] == "no"
    blocks = parse_sse(text)
    assert blocks[0] == {"retry": "2000"}
    evs = events(text)
    assert [int(e["id"]) for e in evs] == [1, 2, 3, 4, 5, 6]
    assert {e["event"] for e in evs} == {"price"}
    data = [json.loads(e["data"]) for e in evs]
    assert len({d["symbol"] for d in data[:5]}) == 5
    assert data[5]["symbol"] == data[0]["symbol"]
    for d in data:
        assert set(d) == {"symbol", "price", "change", "ts"}
        assert round(d["price"], 2) == d["price"]
        assert d["ts"].endswith("Z") and "." in d["ts"]


def test_ticker_resumes_after_last_event_id(demo: DemoServer, client: httpx.Client) -> None:
    url = demo.urls()["ticker"]
    _, text, _ = read_stream(client, url, params={"limit": 3}, headers={"Last-Event-ID": "41"})
    assert [int(e["id"]) for e in events(text)] == [42, 43, 44]
    _, text, _ = read_stream(client, url, params={"limit": 1}, headers={"Last-Event-ID": "x"})
    assert [int(e["id"]) for e in events(text)] == [1]


def test_logs_event_types_are_levels_and_data_is_json(
    demo: DemoServer, client: httpx.Client
) -> None:
    params = {"limit": 200, "interval": 0}
    _, text, error = read_stream(client, demo.urls()["logs"], params=params)
    assert error is None
    evs = events(text)
    assert [int(e["id"]) for e in evs] == list(range(1, 201))
    levels = Counter(e["event"] for e in evs)
    assert set(levels) <= LEVELS
    assert levels["info"] > 100  # mostly info
    for e in evs:
        record = json.loads(e["data"])
        assert record["level"] == e["event"]
        assert set(record) == {"level", "service", "msg", "latency_ms", "user", "ts"}
        assert isinstance(record["latency_ms"], int) and isinstance(record["user"]["id"], int)


def test_logs_resume(demo: DemoServer, client: httpx.Client) -> None:
    headers = {"Last-Event-ID": "9"}
    _, text, _ = read_stream(client, demo.urls()["logs"], params={"limit": 2}, headers=headers)
    assert [int(e["id"]) for e in events(text)] == [10, 11]


def test_flaky_sends_heartbeats_between_events(demo: DemoServer, client: httpx.Client) -> None:
    params = {"limit": 2, "interval": 0.15, "heartbeat": 0.02, "drop_after": 0}
    _, text, error = read_stream(client, demo.urls()["flaky"], params=params)
    assert error is None
    blocks = parse_sse(text)
    assert blocks[0] == {"retry": "1000"}
    kinds = ["ping" if block.get(":") == "ping" else "event" for block in blocks[1:]]
    assert kinds.count("event") == 2
    assert kinds[kinds.index("event") + 1 :].count("ping") >= 2
    first = json.loads(events(text)[0]["data"])
    assert first["seq"] == 1 and isinstance(first["status"], str)


def test_flaky_drop_is_an_error_not_a_clean_end(
    demo: DemoServer, client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    params = {"drop_after": 3, "interval": 0}
    with caplog.at_level(logging.WARNING):
        _, text, error = read_stream(client, demo.urls()["flaky"], params=params)
    assert isinstance(error, httpx.RemoteProtocolError)
    assert [int(e["id"]) for e in events(text)] == [1, 2, 3]
    assert not [r for r in caplog.records if r.name.startswith("uvicorn")]


def test_flaky_resumes_after_last_event_id(demo: DemoServer, client: httpx.Client) -> None:
    params = {"drop_after": 2, "interval": 0}
    headers = {"Last-Event-ID": "3"}
    _, text, error = read_stream(client, demo.urls()["flaky"], params=params, headers=headers)
    assert isinstance(error, httpx.RemoteProtocolError)
    assert [int(e["id"]) for e in events(text)] == [4, 5]


def test_flaky_drops_on_its_own(demo: DemoServer, client: httpx.Client) -> None:
    started = time.monotonic()
    _, text, error = read_stream(client, demo.urls()["flaky"])
    assert isinstance(error, httpx.RemoteProtocolError)
    assert time.monotonic() - started < 2.0  # at most 75 s * TIME_SCALE
    assert events(text)


# --------------------------------------------------------------------------- REST


def test_paging_links_and_next(demo: DemoServer, client: httpx.Client) -> None:
    url = demo.urls()["items"]
    first = client.get(url, params={"page": 1, "per_page": 10})
    assert first.status_code == 200
    body = first.json()
    assert (body["page"], body["per_page"], body["total"]) == (1, 10, 57)
    assert set(first.links) == {"next"}
    assert first.links["next"]["url"] == body["next"]
    assert body["next"].startswith(demo.url) and "page=2" in body["next"]

    middle = client.get(body["next"])
    assert set(middle.links) == {"next", "prev"}
    assert "page=1" in middle.links["prev"]["url"]

    last = client.get(url, params={"page": 6, "per_page": 10})
    assert last.json()["next"] is None
    assert set(last.links) == {"prev"}
    assert len(last.json()["items"]) == 7


def test_walking_all_pages_yields_57_unique_items(demo: DemoServer, client: httpx.Client) -> None:
    ids: list[int] = []
    next_url: str | None = demo.urls()["items"] + "?per_page=8"
    while next_url:
        body = client.get(next_url).json()
        ids += [item["id"] for item in body["items"]]
        next_url = body["next"]
    assert len(ids) == len(set(ids)) == 57

    link_ids: list[int] = []
    response = client.get(demo.urls()["items"], params={"per_page": 25})
    while True:
        link_ids += [item["id"] for item in response.json()["items"]]
        if "next" not in response.links:
            break
        response = client.get(response.links["next"]["url"])
    assert sorted(link_ids) == sorted(ids)


@pytest.mark.parametrize(
    "params", [{"page": 0}, {"page": "x"}, {"per_page": 0}, {"per_page": 101}, {"per_page": "1.5"}]
)
def test_bad_paging_is_400(demo: DemoServer, client: httpx.Client, params: dict[str, Any]) -> None:
    response = client.get(demo.urls()["items"], params=params)
    assert response.status_code == 400
    assert "error" in response.json()


def test_item_and_404(demo: DemoServer, client: httpx.Client) -> None:
    item = client.get(demo.urls()["item"]).json()
    assert set(item) == {"id", "name", "price", "tags"} and item["id"] == 1
    for path in ("/api/items/9999", "/api/items/abc"):
        response = client.get(demo.url + path)
        assert response.status_code == 404
        assert "error" in response.json()


def test_etag_and_if_none_match(demo: DemoServer, client: httpx.Client) -> None:
    url = demo.url + "/api/items/3"
    first = client.get(url)
    etag = first.headers["etag"]
    assert etag.startswith('"') and client.get(url).headers["etag"] == etag
    assert client.get(demo.url + "/api/items/4").headers["etag"] != etag

    not_modified = client.get(url, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified.headers["etag"] == etag
    assert client.get(url, headers={"If-None-Match": f'"other", W/{etag}'}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


def test_create_item(demo: DemoServer, client: httpx.Client) -> None:
    response = client.post(demo.urls()["create"], json={"name": "Blue Mug", "price": 9.5})
    assert response.status_code == 201
    item = response.json()
    assert item["id"] >= 1000 and item["name"] == "Blue Mug" and item["price"] == 9.5
    location = response.headers["location"]
    assert location == f"{demo.url}/api/items/{item['id']}"
    assert client.get(location).json() == item
    again = client.post(demo.urls()["create"], json={"name": "Red Mug", "price": 1})
    assert again.json()["id"] == item["id"] + 1


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"[]", b'{"price": 1}', b'{"name": "x"}', b'{"name": "x", "price": "1"}'],
)
def test_create_item_rejects_bad_bodies(
    demo: DemoServer, client: httpx.Client, content: bytes
) -> None:
    headers = {"Content-Type": "application/json"}
    response = client.post(demo.urls()["create"], content=content, headers=headers)
    assert response.status_code == 422
    assert "error" in response.json()


def test_flaky_api_forced_failures(demo: DemoServer, client: httpx.Client) -> None:
    url = demo.urls()["flaky-api"]
    failed = client.get(url, params={"fail": "500"})
    assert failed.status_code == 500 and "error" in failed.json()
    limited = client.get(url, params={"fail": "429"})
    assert limited.status_code == 429 and limited.headers["retry-after"] == "1"
    ok = client.get(url, params={"fail": "none"}).json()
    assert ok["ok"] is True and isinstance(ok["n"], int)
    statuses = Counter(client.get(url).status_code for _ in range(60))
    assert set(statuses) <= {200, 429, 500} and statuses[200] > 20


def test_health_and_index(demo: DemoServer, client: httpx.Client) -> None:
    health = client.get(demo.urls()["health"]).json()
    assert health["status"] == "ok" and health["uptime_s"] >= 0
    index = client.get(demo.url + "/").json()
    names = {endpoint["name"] for endpoint in index["endpoints"]}
    assert set(demo.urls()) <= names
    assert all({"method", "path", "description"} <= set(e) for e in index["endpoints"])


# --------------------------------------------------------------------------- server


def test_same_seed_same_prices(client: httpx.Client) -> None:
    prices = []
    for _ in range(2):
        with DemoServer(seed=7, time_scale=TIME_SCALE) as server:
            _, text, _ = read_stream(client, server.urls()["ticker"], params={"limit": 5})
            prices.append([json.loads(e["data"])["price"] for e in events(text)])
    assert prices[0] == prices[1]


def test_stop_returns_promptly_with_an_open_stream(caplog: pytest.LogCaptureFixture) -> None:
    handler = signal.getsignal(signal.SIGINT)
    server = DemoServer(time_scale=1.0).start()
    assert signal.getsignal(signal.SIGINT) is handler  # no handlers from the thread
    with caplog.at_level(logging.WARNING), httpx.Client(timeout=5.0) as client:
        with client.stream("GET", server.urls()["ticker"]) as response:
            chunks = response.iter_text()
            assert "retry" in next(chunks)
            started = time.monotonic()
            server.stop()
            assert time.monotonic() - started < 2.0
            list(chunks)  # the stream ends instead of hanging
        assert not server.running
        with pytest.raises(httpx.ConnectError):
            client.get(server.urls()["health"])
    assert not [r for r in caplog.records if r.name.startswith("uvicorn")]


def test_start_fails_clearly_when_port_is_taken(demo: DemoServer) -> None:
    with pytest.raises(RuntimeError, match="cannot listen"):
        DemoServer(port=demo.port).start()


def test_create_app_rejects_bad_time_scale() -> None:
    with pytest.raises(ValueError):
        create_app(time_scale=0)
