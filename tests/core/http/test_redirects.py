"""Following redirects for REST sends (issue 10 item 4), against real servers on 127.0.0.1: two
ports are two origins, and `localhost` is another host than 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest

from streamdash.core.collections.storage import request_from_toml
from streamdash.core.http.client import make_client
from streamdash.core.http.execute import Executor
from streamdash.core.http.send import send
from streamdash.core.http.transport import ClientPool
from tests.core.http.auth_app import PASSWORD, USER, AuthServer
from tests.helpers.raw_server import Conn, RawServer

KEY, TOKEN = "key-0123456789abcdef", "token-fedcba9876543210"
ENVIRON = {"SD_KEY": KEY, "SD_TOKEN": TOKEN}


@pytest.fixture
def other():
    """The second origin: it records what reached it and answers 200."""
    server = RawServer().start()

    async def handler(conn: Conn) -> None:
        body = b'{"landed": true}'
        await conn.start(200, {"Content-Length": str(len(body))}, content_type="application/json")
        await conn.send(body)
        await conn.end()

    server.handler = handler
    try:
        yield server
    finally:
        server.stop()


def redirect_to(location: str, status: int = 302):
    async def handler(conn: Conn) -> None:
        if conn.request.target.startswith("/landed"):
            await conn.start(200, {"Content-Length": "2"}, content_type="application/json")
            await conn.send(b"{}")
        else:
            await conn.start(status, {"Location": location, "Content-Length": "0"}, content_type=None)
        await conn.end()

    return handler


def secret_request(url: str, method: str = "GET") -> object:
    return request_from_toml(f'''
name = "moved"
method = "{method}"
url = "{url}"
body = "{{{{env:SD_KEY}}}} in the body"
[headers]
X-Api-Key = "{{{{env:SD_KEY}}}}"
X-Trace = "trace-{{{{env:SD_KEY}}}}-1"
X-Plain = "plain"
[auth]
type = "bearer"
token = "{{{{env:SD_TOKEN}}}}"
''', Path("moved.toml"))


async def execute(request):
    executor = Executor(ClientPool())
    try:
        return await executor.send(executor.prepare(request, {}, environ=ENVIRON))
    finally:
        await executor.aclose()


async def test_a_cross_origin_redirect_drops_every_header_carrying_a_secret(raw_server, other):
    raw_server.handler = redirect_to(f"{other.url}/landed?x=1", 307)
    execution = await execute(secret_request(raw_server.url + "/start", "POST"))
    assert execution.summary.status == 200 and execution.summary.error is None
    first, moved = raw_server.requests[0], other.requests[0]
    assert first.header("X-Api-Key") == KEY and first.header("Authorization") == f"Bearer {TOKEN}"
    assert (moved.method, moved.target) == ("POST", "/landed?x=1")
    assert moved.header("X-Plain") == "plain"
    for name in ("X-Api-Key", "X-Trace", "Authorization"):
        assert moved.header(name) is None, name
    assert KEY.encode() not in moved.raw_headers and TOKEN.encode() not in moved.raw_headers
    assert f"redirected to 127.0.0.1:{other.port}" in execution.note
    assert "not sent there: Authorization, X-Api-Key, X-Trace" in execution.note


async def test_another_host_on_the_same_port_is_another_origin(raw_server):
    """127.0.0.1 and localhost are the same machine but not the same host: no secrets cross."""
    port = raw_server.port

    async def handler(conn: Conn) -> None:
        if conn.request.header("Host") == f"127.0.0.1:{port}":
            await conn.start(302, {"Location": f"http://localhost:{port}/landed", "Content-Length": "0"},
                             content_type=None)
        else:
            await conn.start(200, {"Content-Length": "2"}, content_type="application/json")
            await conn.send(b"{}")
        await conn.end()

    raw_server.handler = handler
    execution = await execute(secret_request(raw_server.url + "/start"))
    assert execution.summary.status == 200
    moved = raw_server.requests[1]
    assert moved.header("Host") == f"localhost:{port}"
    assert moved.header("X-Api-Key") is None and moved.header("Authorization") is None
    assert f"redirected to localhost:{port}" in execution.note


async def test_a_same_origin_redirect_keeps_headers_and_auth(raw_server):
    raw_server.handler = redirect_to("/landed")
    execution = await execute(secret_request(raw_server.url + "/start"))
    assert execution.summary.status == 200 and execution.note == ""
    moved = raw_server.requests[1]
    assert moved.target == "/landed"
    assert moved.header("X-Api-Key") == KEY and moved.header("Authorization") == f"Bearer {TOKEN}"


@pytest.mark.parametrize("location", ["", "   "])
async def test_an_empty_location_fails_at_once(raw_server, location):
    """It once went round 21 times (an empty Location resolves to the same URL) and then said
    "too many redirects"."""
    raw_server.handler = redirect_to(location)
    async with make_client() as client:
        summary = await send(client, "GET", raw_server.url + "/start")
    assert summary.status is None and raw_server.connections == 1
    assert summary.error == "HTTP 302 redirect with an empty Location"


@pytest.mark.parametrize(
    ("location", "reason"),
    [
        ("http://a:notaport/", "redirect to an unusable Location: Invalid port: 'notaport'"),
        ("ftp://files.example/x", "HTTP 301 redirect to 'ftp://files.example/x': the scheme must be http or https"),
        ("http:///nohost", "HTTP 301 redirect to an unusable Location 'http:///nohost'"),
        ("http://127.0.0.1:99999/x", "HTTP 301 redirect to an unusable Location 'http://127.0.0.1:99999/x': port 99999"),
    ],
)
async def test_an_unusable_location_fails_at_once(raw_server, location, reason):
    raw_server.handler = redirect_to(location, 301)
    async with make_client() as client:
        summary = await send(client, "GET", raw_server.url + "/start")
    assert summary.status is None and raw_server.connections == 1
    assert summary.error is not None and summary.error.startswith(reason)


async def test_a_redirect_loop_stops_at_the_hop_limit(raw_server):
    raw_server.handler = redirect_to("/again")
    async with make_client() as client:
        summary = await send(client, "GET", raw_server.url + "/start")
    assert summary.error == f"too many redirects (more than 20), the last to 127.0.0.1:{raw_server.port}"
    assert raw_server.connections == 21


@pytest.mark.parametrize(("status", "method", "body"), [(303, "GET", b""), (302, "GET", b""), (307, "POST", b"data")])
async def test_303_becomes_a_get_and_307_resends_the_body(raw_server, status, method, body):
    raw_server.handler = redirect_to("/landed", status)
    async with make_client() as client:
        summary = await send(client, "POST", raw_server.url + "/start", body=b"data",
                             headers=[("Content-Type", "text/plain")])
    assert summary.status == 200
    moved = raw_server.requests[1]
    assert (moved.method, moved.body) == (method, body)
    assert (moved.header("Content-Length") is None) == (not body)


async def test_follow_redirects_false_returns_the_redirect(raw_server):
    raw_server.handler = redirect_to("")
    async with make_client() as client:
        summary = await send(client, "GET", raw_server.url + "/start", follow_redirects=False)
    assert (summary.status, summary.error, raw_server.connections) == (302, None, 1)


async def test_digest_auth_works_on_the_page_a_redirect_leads_to():
    """Auth runs per hop on the first request's origin, so digest hashes the URI it lands on."""
    server = AuthServer().start()
    try:
        request = request_from_toml(f'''
name = "d"
url = "{server.url}/redirect?to=/digest-int"
[auth]
type = "digest"
username = "{USER}"
password = "{PASSWORD}"
''', Path("d.toml"))
        execution = await execute(request)
    finally:
        server.stop()
    assert (execution.summary.status, execution.summary.error) == (200, None)


async def test_a_failure_after_a_redirect_names_where_it_failed(raw_server):
    closed = RawServer().start()
    gone = f"{closed.url}/landed"
    closed.stop()
    raw_server.handler = redirect_to(gone)
    async with make_client() as client:
        summary = await send(client, "GET", raw_server.url + "/start")
    assert (summary.error, summary.url) == ("connection refused", gone)
