"""The session's cookie jar against real servers: httpbin (from PyPI) for the REST side, the raw
socket server for a stream's reconnect and byte-exact Set-Cookie headers."""

from __future__ import annotations

import asyncio
import json
import stat

import pytest

from streamdash.core.collections import SavedRequest
from streamdash.core.collections.storage import write_private
from streamdash.core.http.cookies import CookieFileError, CookieJar
from streamdash.core.http.execute import Executor, load_collection_settings
from streamdash.core.http.prepare import prepare
from streamdash.core.http.transport import ClientPool
from streamdash.core.sse.stream import SSEStream
from tests.helpers.raw_server import Conn, RawServer


@pytest.fixture
async def pool():
    shared = ClientPool()
    yield shared
    await shared.aclose()


def get(path: str, **extra: object) -> SavedRequest:
    return SavedRequest(name=path, url="{{base}}" + path, extra=dict(extra))


def sent_cookies(execution) -> dict[str, str]:
    return json.loads(execution.summary.body)["cookies"]


async def test_a_cookie_set_on_a_redirect_is_sent_on_the_next_hop_and_listed(httpbin, pool):
    executor = Executor(pool)
    done = await executor.run(get("/cookies/set?session=abc123"), {"base": httpbin.url})
    assert done.summary.status == 200
    assert sent_cookies(done) == {"session": "abc123"}  # stored from the 302, sent to /cookies
    assert [(e.host, e.name, e.value, e.expiry_text()) for e in executor.cookies.entries()] == [
        ("127.0.0.1", "session", "abc123", "session")
    ]
    assert "sent 1 cookie from the jar (session)" in done.notes
    assert "abc123" in executor.secrets_of(done.prepared)  # masked wherever it shows


async def test_each_session_has_its_own_jar_though_they_share_one_client(httpbin, pool):
    """Before: the shared client's own jar carried one collection's cookie to the next."""
    first, second = Executor(pool), Executor(pool)
    await first.run(get("/cookies/set?session=abc123"), {"base": httpbin.url})
    other = await second.run(get("/cookies"), {"base": httpbin.url})
    assert sent_cookies(other) == {}
    assert len(second.cookies) == 0 and len(first.cookies) == 1
    assert pool.get().cookies.jar.__len__() == 0


async def test_cookies_false_in_the_request_sends_and_keeps_nothing(httpbin, pool):
    executor = Executor(pool)
    off = await executor.run(get("/cookies/set?session=abc123", cookies=False), {"base": httpbin.url})
    assert sent_cookies(off) == {}  # the 302's cookie was not kept for the next hop either
    assert len(executor.cookies) == 0
    await executor.run(get("/cookies/set?session=abc123"), {"base": httpbin.url})
    again = await executor.run(get("/cookies", cookies=False), {"base": httpbin.url})
    assert sent_cookies(again) == {}


async def test_cookies_false_in_the_collection_and_a_request_that_opts_back_in(httpbin, pool, tmp_path):
    (tmp_path / "collection.toml").write_text('name = "c"\ncookies = false\n')
    executor = Executor(pool, load_collection_settings(tmp_path))
    await executor.run(get("/cookies/set?a=1"), {"base": httpbin.url})
    assert len(executor.cookies) == 0
    await executor.run(get("/cookies/set?a=1", cookies=True), {"base": httpbin.url})
    assert [e.name for e in executor.cookies.entries()] == ["a"]


async def test_a_bad_cookies_setting_is_one_line_and_the_default_applies(tmp_path):
    (tmp_path / "collection.toml").write_text('name = "c"\ncookies = "no"\n')
    settings = load_collection_settings(tmp_path)
    assert settings.cookies is True
    assert settings.errors == (f"{tmp_path / 'collection.toml'}:2: cookies must be true or false, not 'no' "
                               "(the default, true, applies)",)


async def test_a_written_cookie_header_wins_for_its_names_and_the_jar_adds_the_rest(httpbin, pool):
    executor = Executor(pool)
    await executor.run(get("/cookies/set?a=jar&b=jar"), {"base": httpbin.url})
    req = SavedRequest(name="c", url="{{base}}/cookies", headers=[("Cookie", "a=mine")])
    done = await executor.run(req, {"base": httpbin.url})
    assert sent_cookies(done) == {"a": "mine", "b": "jar"}
    assert "sent 1 cookie from the jar (b)" in done.notes


async def test_a_deleted_cookie_is_not_sent_and_clear_empties_the_jar(httpbin, pool):
    executor = Executor(pool)
    await executor.run(get("/cookies/set?a=1&b=2"), {"base": httpbin.url})
    a = next(e for e in executor.cookies.entries() if e.name == "a")
    assert executor.cookies.delete(a)
    assert not executor.cookies.delete(a)  # already gone: says so, no exception
    assert sent_cookies(await executor.run(get("/cookies"), {"base": httpbin.url})) == {"b": "2"}
    executor.cookies.clear()
    assert sent_cookies(await executor.run(get("/cookies"), {"base": httpbin.url})) == {}


async def test_a_server_that_deletes_its_cookie_removes_it_from_the_jar(httpbin, pool):
    executor = Executor(pool)
    await executor.run(get("/cookies/set?a=1&b=2"), {"base": httpbin.url})
    done = await executor.run(get("/cookies/delete?a"), {"base": httpbin.url})
    assert sent_cookies(done) == {"b": "2"}
    assert [e.name for e in executor.cookies.entries()] == ["b"]


async def test_a_cached_get_is_keyed_on_the_jars_cookies(httpbin, pool):
    executor = Executor(pool)
    cached = get("/cookies", cache=True)
    first = await executor.run(cached, {"base": httpbin.url})
    await executor.run(get("/cookies/set?a=1"), {"base": httpbin.url})
    second = await executor.run(cached, {"base": httpbin.url})
    assert sent_cookies(first) == {} and sent_cookies(second) == {"a": "1"}
    assert not second.note.startswith("cache hit")


async def test_a_stream_sends_a_sticky_cookie_when_it_reconnects(raw_server: RawServer):
    seen: list[str | None] = []

    async def handler(conn: Conn) -> None:
        seen.append(conn.request.header("Cookie"))
        await conn.start(200, [("Set-Cookie", "lb=node7; Path=/; HttpOnly")])
        await conn.send(f"id: {conn.index}\ndata: x\n\n".encode())
        await conn.end()

    raw_server.handler = handler
    jar = CookieJar()
    prepared = prepare(SavedRequest(name="s", kind="sse", url=raw_server.url + "/s"), {})
    options = prepared.stream_options(jar=jar, base_delay=0.01, max_delay=0.01)
    pool = ClientPool()
    try:
        stream = SSEStream(pool.get(), prepared.url, options)
        events = 0
        async with asyncio.timeout(5):
            async for item in stream:
                events += getattr(item, "data", None) == "x"
                if events == 2:
                    break
    finally:
        await pool.aclose()
    assert seen[:2] == [None, "lb=node7"]


async def test_a_netscape_cookies_file_round_trips_and_is_private(httpbin, pool, tmp_path):
    executor = Executor(pool)
    await executor.run(get("/cookies/set?session=abc&theme=dark"), {"base": httpbin.url})
    path = tmp_path / "jar.txt"
    write_private(path, executor.cookies.netscape_text())  # as streamdash run --cookies writes it
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().startswith("# Netscape HTTP Cookie File")
    loaded = CookieJar()
    assert loaded.load(path) == 2
    assert [(e.name, e.value) for e in loaded.entries()] == [("session", "abc"), ("theme", "dark")]
    assert loaded.header_for(httpbin.url + "/cookies") == "session=abc; theme=dark"


def test_a_cookies_file_written_by_curl_loads(tmp_path):
    path = tmp_path / "curl.txt"
    path.write_text(
        "# Netscape HTTP Cookie File\n"
        "#HttpOnly_.example.com\tTRUE\t/\tTRUE\t4102444800\tsid\ts3cr3t\n"
        "api.example.com\tFALSE\t/v1\tFALSE\t0\tpref\tx\n"
    )
    jar = CookieJar()
    assert jar.load(path) == 2
    assert jar.header_for("https://api.example.com/v1/items") == "pref=x; sid=s3cr3t"
    assert jar.header_for("http://api.example.com/v1/items") == "pref=x"  # sid is Secure
    assert jar.header_for("https://other.example.org/") == ""


@pytest.mark.parametrize(
    ("text", "reason"),
    [(None, ": no such cookies file"), ("not a cookie file\n", ":1: not a Netscape cookies file")],
)
def test_a_bad_cookies_file_is_one_line(tmp_path, text, reason):
    path = tmp_path / "jar.txt"
    if text is not None:
        path.write_text(text)
    with pytest.raises(CookieFileError) as caught:
        CookieJar().load(path)
    message = str(caught.value)
    assert message.startswith(f"{path}{reason}") and "\n" not in message


def test_the_jar_never_shows_a_value_in_its_repr():
    jar = CookieJar()
    assert repr(jar) == "<CookieJar 0 cookies>"


async def test_copy_as_curl_carries_the_cookies_a_send_would_and_curl_sends_them(httpbin, pool):
    import shutil
    import subprocess

    from streamdash.core.http.as_curl import as_curl

    executor = Executor(pool)
    await executor.run(get("/cookies/set?a=jar&b=jar"), {"base": httpbin.url})
    req = SavedRequest(name="c", url="{{base}}/cookies", headers=[("Cookie", "a=mine")])
    prepared = executor.prepare(req, {"base": httpbin.url})
    command = as_curl(prepared, jar=executor.cookies)
    assert "Cookie: a=mine; b=jar" in command.text
    assert command.note == "it carries 1 cookie from the jar (b)"
    sent = sent_cookies(await executor.send(prepared))
    assert as_curl(executor.prepare(get("/cookies", cookies=False), {"base": httpbin.url}),
                   jar=executor.cookies).note is None
    if shutil.which("curl") is None:  # the text was checked above; running it needs curl
        return
    done = subprocess.run(["sh", "-c", command.text + " -s"], capture_output=True, text=True, timeout=10,
                          env={"PATH": "/usr/bin:/bin", "NO_PROXY": "*"})
    assert json.loads(done.stdout)["cookies"] == sent == {"a": "mine", "b": "jar"}
