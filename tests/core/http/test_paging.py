"""Paging against the real demo server: Link headers, a next URL in the body, a cursor."""

from __future__ import annotations

import pytest

from streamdash.core.http.client import make_client
from streamdash.core.http.paging import (
    PagingConfig,
    PagingError,
    fetch_pages,
    json_path,
    parse_link_header,
    parse_paging,
)
from streamdash.demo import DemoServer
from tests.helpers.raw_server import Conn, RawServer


@pytest.fixture(scope="module")
def demo():
    with DemoServer(seed=5, time_scale=0.05) as server:
        yield server


@pytest.fixture
async def client():
    async with make_client() as c:
        yield c


@pytest.mark.parametrize(
    "header,expected",
    [
        ('<https://a/p2>; rel="next"', {"next": "https://a/p2"}),
        ('<https://a/p2>; rel=next, <https://a/p9>; rel="last"', {"next": "https://a/p2", "last": "https://a/p9"}),
        ('<https://a/p1>; rel="prev first"', {"prev": "https://a/p1", "first": "https://a/p1"}),
        ('<https://a/?q=a,b;c>; title="x, y; z"; rel="next"', {"next": "https://a/?q=a,b;c"}),
        ('<https://a/p2>; REL="Next"', {"next": "https://a/p2"}),
        ('<https://a/p2>; rel="next", <https://a/p3>; rel="next"', {"next": "https://a/p2"}),
        ("garbage", {}),
        ("", {}),
    ],
)
def test_parse_link_header(header, expected):
    assert parse_link_header(header) == expected


def test_json_path():
    doc = {"a": {"b": [{"c": 1}, {"c": 2}]}, "n": None}
    assert json_path(doc, "a.b.1.c") == 2
    assert json_path(doc, "a.b.-1.c") == 2
    assert json_path(doc, "a.x") is None and json_path(doc, "a.b.9") is None
    assert json_path(doc, "") is doc


@pytest.mark.parametrize(
    "table,needle",
    [({"follow": "header"}, "follow"), ({"max_pages": 0}, "max_pages"), ({"max_pages": True}, "max_pages"),
     ({"next": 3}, "next")],
)
def test_bad_paging_tables_name_the_key(table, needle):
    with pytest.raises(PagingError, match=needle):
        parse_paging(table, "api/list.toml")


@pytest.mark.parametrize("follow", ["link", "body"])
async def test_walks_every_page_and_merges_items(demo, client, follow):
    config = parse_paging({"follow": follow, "max_pages": 50})
    result = await fetch_pages(client, "GET", demo.url + "/api/items", config, params=[("per_page", "10")])
    assert result.page_count == 6 and result.stopped == "last page"
    ids = [item["id"] for item in result.items]
    assert len(ids) == 57 == len(set(ids))


async def test_page_limit(demo, client):
    result = await fetch_pages(client, "GET", demo.url + "/api/items?per_page=5", PagingConfig(max_pages=3))
    assert (result.page_count, len(result.items), result.stopped) == (3, 15, "page limit (3)")


async def test_an_error_page_stops_with_its_status(demo, client):
    result = await fetch_pages(client, "GET", demo.url + "/api/items?page=99&per_page=0", PagingConfig())
    assert result.page_count == 1 and result.stopped.startswith("HTTP 400")


async def test_a_cursor_in_the_body(raw_server: RawServer, client):
    pages = {None: (b'{"data": [1, 2], "meta": {"cursor": "c2"}}'), "c2": b'{"data": [3], "meta": {"cursor": null}}'}

    async def handler(conn: Conn) -> None:
        cursor = conn.request.target.partition("cursor=")[2] or None
        body = pages[cursor]
        await conn.start(200, {"Content-Length": str(len(body))}, content_type="application/json")
        await conn.send(body)
        await conn.end()

    raw_server.handler = handler
    config = parse_paging({"follow": "body", "next": "meta.cursor", "cursor_param": "cursor", "items": "data"})
    result = await fetch_pages(client, "GET", raw_server.url + "/list?limit=2", config)
    assert result.items == [1, 2, 3] and result.page_count == 2
    assert raw_server.requests[1].target == "/list?limit=2&cursor=c2"


async def test_a_next_link_that_loops_stops(raw_server, client):
    async def handler(conn: Conn) -> None:
        body = b"[1]"
        await conn.start(200, {"Content-Length": "3", "Link": '</same>; rel="next"'}, content_type="application/json")
        await conn.send(body)
        await conn.end()

    raw_server.handler = handler
    result = await fetch_pages(client, "GET", raw_server.url + "/same", PagingConfig(items=""))
    assert result.stopped == "next page repeats an earlier one" and result.items == [1]


async def test_a_next_link_to_another_origin_is_not_followed_with_the_credentials(client):
    """A page's `next` link is the server's word, like a redirect's Location: one pointing at
    another host once got the request's headers, bearer token and API key included."""
    other = RawServer().start()
    first = RawServer().start()
    try:

        async def answer(conn: Conn) -> None:
            link = f'<{other.url}/page2>; rel="next"'
            await conn.start(200, {"Content-Length": "3", "Link": link}, content_type="application/json")
            await conn.send(b"[1]")
            await conn.end()

        first.handler = other.handler = answer
        result = await fetch_pages(
            client, "GET", first.url + "/page1", PagingConfig(items=""),
            headers=[("Authorization", "Bearer page-token-123"), ("X-Api-Key", "page-key-456")],
            secrets=frozenset({"page-key-456", "page-token-123"}),
        )
    finally:
        first.stop()
        other.stop()
    assert other.connections == 0
    assert result.items == [1] and result.page_count == 1
    assert result.stopped == f"next page is on another host (127.0.0.1:{other.port}): not followed"
