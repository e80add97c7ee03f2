"""Sending a saved request and summarising the answer, against real servers on 127.0.0.1."""

from __future__ import annotations

import pytest

from streamdash.core.http import send as send_module
from streamdash.core.http.client import make_client
from streamdash.core.http.send import send
from tests.helpers.raw_server import Conn, RawServer


@pytest.fixture
async def client():
    async with make_client() as c:
        yield c


def reply(status: int, body: bytes, content_type: str = "application/json", headers=None):
    async def handler(conn: Conn) -> None:
        await conn.start(status, {"Content-Length": str(len(body)), **(headers or {})}, content_type=content_type)
        await conn.send(body)
        await conn.end()

    return handler


async def test_summary_of_a_json_answer(raw_server: RawServer, client):
    raw_server.handler = reply(200, b'{"b": 1, "a": [1, 2]}', headers={"X-Id": "7"})
    summary = await send(client, "POST", raw_server.url + "/x", params=[("q", "1 2")],
                         headers=[("X-Token", "t")], body=b"hello")
    assert (summary.status, summary.reason, summary.size, summary.ok) == (200, "OK", 21, True)
    assert ("X-Id", "7") in summary.headers and summary.elapsed_s > 0
    assert summary.pretty_text() == '{\n  "b": 1,\n  "a": [\n    1,\n    2\n  ]\n}'
    request = raw_server.requests[0]
    assert (request.method, request.target, request.body) == ("POST", "/x?q=1+2", b"hello")
    assert request.header("X-Token") == "t"


async def test_error_status_is_a_summary_not_an_exception(raw_server, client):
    raw_server.handler = reply(404, b"nope", content_type="text/plain; charset=latin-1")
    summary = await send(client, "GET", raw_server.url)
    assert (summary.status, summary.ok, summary.text(), summary.pretty_text()) == (404, False, "nope", "nope")


async def test_refused_and_invalid_urls_become_errors(client):
    server = RawServer().start()
    url = server.url
    server.stop()
    refused = await send(client, "GET", url)
    assert (refused.status, refused.error) == (None, "connection refused")
    bad = await send(client, "GET", "ftp://example.com/")
    assert bad.status is None and "scheme" in bad.error


async def test_body_is_capped(raw_server, client, monkeypatch):
    monkeypatch.setattr(send_module, "MAX_BODY_BYTES", 1000)
    raw_server.handler = reply(200, b"x" * 5000, content_type="text/plain")
    summary = await send(client, "GET", raw_server.url)
    assert summary.truncated and len(summary.body) <= 1000


async def test_auth_per_send(raw_server, client):
    import httpx

    raw_server.handler = reply(200, b"{}")
    await send(client, "GET", raw_server.url, auth=httpx.BasicAuth("ann", "pw"))
    assert raw_server.requests[0].header("Authorization") == "Basic YW5uOnB3"


class _BrokenAuth:
    """An auth flow with a bug in it: what `send` must turn into a result, not raise."""

    def __new__(cls):
        import httpx

        class Broken(httpx.Auth):
            def auth_flow(self, request):
                raise RuntimeError("the auth flow broke\nover two lines")
                yield request

        return Broken()


async def test_any_exception_while_sending_is_a_summary(raw_server, client):
    raw_server.handler = reply(200, b"{}")
    summary = await send(client, "GET", raw_server.url, auth=_BrokenAuth())
    assert summary.status is None
    assert summary.error == "RuntimeError: the auth flow broke over two lines"
    assert raw_server.requests == []
