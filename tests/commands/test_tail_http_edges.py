"""`streamdash tail` at the HTTP edges (issue 10 items 4 and 5), as a user meets them: a real
subprocess against real servers on 127.0.0.1."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.commands.test_tail import assert_one_line_reason, tail
from tests.helpers.raw_server import Conn, RawServer

KEY = "tail-key-0123456789abcdef"


async def one_event(conn: Conn) -> None:
    await conn.start()
    await conn.send(b"id: 1\ndata: hi\n\n")
    await asyncio.sleep(0.05)
    await conn.end()


@pytest.fixture
def other():
    server = RawServer(handler=one_event).start()
    try:
        yield server
    finally:
        server.stop()


def redirect(location: str):
    async def handler(conn: Conn) -> None:
        await conn.start(302, {"Location": location, "Content-Length": "0"}, content_type=None)
        await conn.end()

    return handler


def test_a_cross_origin_redirect_names_the_host_and_holds_back_the_secret(tmp_path: Path, raw_server, other):
    raw_server.handler = redirect(f"{other.url}/feed")
    root = tmp_path / "c"
    root.mkdir()
    (root / "collection.toml").write_text('name = "c"\n')
    (root / "feed.toml").write_text(
        f'name = "feed"\nkind = "sse"\nurl = "{raw_server.url}/start"\n'
        '[headers]\nX-Api-Key = "{{env:SD_EDGE_KEY}}"\nX-Plain = "plain"\n'
    )
    result = tail("--collection", str(root), "feed", "--count", "1", env={"SD_EDGE_KEY": KEY})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("hi")
    assert raw_server.requests[0].header("X-Api-Key") == KEY
    moved = other.requests[0]
    assert moved.header("X-Api-Key") is None and moved.header("X-Plain") == "plain"
    assert f"redirected to 127.0.0.1:{other.port}; not sent there: X-Api-Key" in result.stderr
    assert KEY not in result.stderr


def test_an_empty_location_fails_at_once_in_one_line(raw_server):
    raw_server.handler = redirect("")
    result = tail(raw_server.url + "/start", timeout=15)
    assert result.returncode == 1
    assert_one_line_reason(result.stderr, "failed: HTTP 302 redirect with an empty Location")
    assert raw_server.connections == 1


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["-H", "X(A): b"], "'X(A)' is not a valid header name"),
        (["-X", "GE T"], "'GE T' is not an HTTP method"),
        (["-H", "X-Bad: a\rb"], "may not contain a line break"),
    ],
)
def test_an_illegal_header_or_method_is_a_usage_error_before_any_connection(raw_server, args, reason):
    raw_server.handler = one_event
    result = tail(raw_server.url + "/feed", *args)
    assert result.returncode == 2
    assert_one_line_reason(result.stderr, reason)
    assert raw_server.connections == 0


def test_a_saved_stream_with_an_illegal_header_is_a_usage_error(tmp_path: Path, raw_server):
    raw_server.handler = one_event
    root = tmp_path / "c"
    root.mkdir()
    (root / "feed.toml").write_text(
        f'name = "feed"\nkind = "sse"\nurl = "{raw_server.url}/feed"\n[headers]\n"X(A)" = "b"\n'
    )
    result = tail("--collection", str(root), "feed")
    assert result.returncode == 2
    assert_one_line_reason(result.stderr, "'X(A)' is not a valid header name")
    assert raw_server.connections == 0


def test_a_non_ascii_header_value_goes_out_as_utf8_bytes(raw_server):
    raw_server.handler = one_event
    result = tail(raw_server.url + "/feed", "-H", "X-Name: café €", "--count", "1")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert b"\r\nX-Name: caf\xc3\xa9 \xe2\x82\xac\r\n" in raw_server.requests[0].raw_headers
