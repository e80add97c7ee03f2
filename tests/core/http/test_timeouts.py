"""REST timeouts (issue 12 item 1): `timeout = S` and `connect_timeout = S` per request and in
`collection.toml`, sent per request on the one shared client; a send past its timeout is one
line naming the timeout, its value and where it is set. Against a raw server that accepts and
never answers, and a listener whose full accept queue leaves a connect hanging."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest

from streamdash.core.collections import SavedRequest
from streamdash.core.collections.models import CollectionError
from streamdash.core.collections.storage import load_collection
from streamdash.core.collections.timeouts import TimeoutSetting, timeout_setting
from streamdash.core.history import History
from streamdash.core.http.execute import Executor, load_collection_settings
from streamdash.core.http.prepare import PrepareError, prepare
from streamdash.core.http.settings import CollectionSettings
from streamdash.core.http.timeouts import Timeouts, resolve_timeouts, timed_out
from streamdash.core.http.transport import ClientPool
from streamdash.core.sse.stream import DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT
from tests.helpers.full_backlog import FullBacklog
from tests.helpers.raw_server import Conn, RawServer


async def never_answer(conn: Conn) -> None:
    await asyncio.sleep(30)  # holds the connection open; cancelled when the server stops


async def headers_then_silence(conn: Conn) -> None:
    await conn.start(200, {"Content-Length": "100"}, content_type="application/json")
    await conn.send(b'{"partial":')
    await asyncio.sleep(30)


@pytest.fixture
async def executor(tmp_path):
    ex = Executor(ClientPool(), history=History(tmp_path / "state"), collection_root=tmp_path)
    yield ex
    await ex.aclose()


# --- what applies ------------------------------------------------------------------------------


def test_defaults_and_where_each_value_comes_from():
    assert resolve_timeouts(TimeoutSetting(), TimeoutSetting()) == Timeouts(30.0, 10.0, "", "")
    both = resolve_timeouts(TimeoutSetting(timeout=5), TimeoutSetting(timeout=60, connect_timeout=3))
    assert both == Timeouts(5.0, 3.0, "the request", "collection.toml")
    # A short timeout bounds the connect too, unless a connect_timeout is set somewhere.
    short = resolve_timeouts(TimeoutSetting(timeout=0.2), TimeoutSetting())
    assert (short.timeout, short.connect, short.connect_from, short.connect_key) == (
        0.2, 0.2, "the request", "timeout"
    )
    long = resolve_timeouts(TimeoutSetting(timeout=120), TimeoutSetting())
    assert (long.connect, long.connect_from) == (10.0, "")
    assert long.httpx == httpx.Timeout(120.0, connect=10.0)


def test_the_editor_line():
    assert Timeouts().describe() == (
        "30 s (connect 10 s) \u00b7 the default; set timeout = S in the file or collection.toml"
    )
    mixed = resolve_timeouts(TimeoutSetting(timeout=5), TimeoutSetting(connect_timeout=2.5))
    assert mixed.describe() == (
        "5 s (connect 2.5 s) \u00b7 timeout from the request, connect_timeout from collection.toml"
    )
    short = resolve_timeouts(TimeoutSetting(), TimeoutSetting(timeout=0.5))
    assert short.describe() == "0.5 s (connect 0.5 s) \u00b7 timeout from collection.toml"


@pytest.mark.parametrize("bad", ["5s", 0, -1, True, float("inf"), float("nan"), [5]])
def test_a_bad_value_is_one_line(bad):
    with pytest.raises(ValueError, match=r"^timeout: must be a number of seconds > 0, such as 5 or 0.5, not "):
        timeout_setting({"timeout": bad})


def test_a_bad_value_in_a_request_file_names_file_and_line(tmp_path):
    (tmp_path / "slow.toml").write_text('name = "slow"\nurl = "http://x/"\ntimeout = "5s"\n')
    (tmp_path / "ok.toml").write_text('name = "ok"\nurl = "http://x/"\ntimeout = 2\nconnect_timeout = 0.5\n')
    collection = load_collection(tmp_path)
    assert [r.name for r in collection.requests] == ["ok"]
    (error,) = collection.errors
    assert str(error) == f'{tmp_path / "slow.toml"}:3: timeout: must be a number of seconds > 0, such as 5 or 0.5, not "5s"'
    assert collection.requests[0].extra == {"timeout": 2, "connect_timeout": 0.5}  # kept as written


def test_collection_toml_sets_them_and_a_bad_one_is_reported(tmp_path):
    (tmp_path / "collection.toml").write_text('name = "c"\ntimeout = 4\nconnect_timeout = 1.5\n')
    assert load_collection_settings(tmp_path).timeouts == TimeoutSetting(4.0, 1.5)
    (tmp_path / "collection.toml").write_text('name = "c"\n\nconnect_timeout = -2\n')
    settings = load_collection_settings(tmp_path)
    assert settings.timeouts == TimeoutSetting()
    assert settings.errors == (
        f"{tmp_path / 'collection.toml'}:3: connect_timeout: must be a number of seconds > 0, such as 5 or"
        " 0.5, not -2 (the default applies)",
    )


def test_prepare_applies_them_to_rest_and_leaves_streams_alone():
    settings = CollectionSettings(timeouts=TimeoutSetting(timeout=3))
    rest = prepare(SavedRequest(name="r", url="http://x/", extra={"connect_timeout": 1}), {}, settings)
    assert rest.timeout == httpx.Timeout(3.0, connect=1.0)
    assert (rest.timeouts.timeout_from, rest.timeouts.connect_from) == ("collection.toml", "the request")
    stream = prepare(SavedRequest(name="s", kind="sse", url="http://x/", extra={"timeout": 1}), {}, settings)
    assert stream.timeout == httpx.Timeout(DEFAULT_CONNECT_TIMEOUT, read=DEFAULT_READ_TIMEOUT)
    with pytest.raises(PrepareError, match=r"^r: timeout: must be a number"):
        prepare(SavedRequest(name="r", url="http://x/", extra={"timeout": "soon"}), {})


def test_the_default_says_where_to_set_one():
    request = httpx.Request("GET", "http://example.com:8080/x")
    assert timed_out(httpx.ReadTimeout("", request=request), None) == (
        "timed out after 30 s waiting for a response (read timeout, the default; set timeout = S in"
        " the request or collection.toml)"
    )
    assert timed_out(httpx.ConnectTimeout("", request=request), Timeouts()) == (
        "timed out after 10 s connecting to example.com:8080 (connect timeout, the default; set"
        " connect_timeout = S in the request or collection.toml)"
    )
    assert timed_out(httpx.WriteTimeout("", request=request), Timeouts(7, 2, "collection.toml", "")) == (
        "timed out after 7 s sending the request (write timeout, timeout = 7 in collection.toml)"
    )


# --- on the wire -------------------------------------------------------------------------------


async def test_a_request_past_its_timeout_is_one_line(raw_server: RawServer, executor):
    raw_server.handler = never_answer
    request = SavedRequest(name="slow", url=raw_server.url + "/slow", extra={"timeout": 0.2})
    start = time.perf_counter()
    summary = (await executor.run(request, {}, "slow")).summary
    took = time.perf_counter() - start
    assert summary.status is None and summary.error == (
        "timed out after 0.2 s waiting for a response (read timeout, timeout = 0.2 in the request)"
    )
    assert 0.2 <= took < 2.0, took
    assert len(raw_server.requests) == 1
    (entry,) = executor.history.entries()
    assert (entry.status, entry.error) == (None, summary.error)


async def test_the_collections_timeout_and_a_body_that_stalls(raw_server, tmp_path):
    raw_server.handler = headers_then_silence
    executor = Executor(ClientPool(), CollectionSettings(timeouts=TimeoutSetting(timeout=0.2)))
    try:
        summary = (await executor.run(SavedRequest(name="s", url=raw_server.url), {})).summary
    finally:
        await executor.aclose()
    assert summary.error == (
        "timed out after 0.2 s reading the response body (read timeout, timeout = 0.2 in collection.toml)"
    )


async def test_a_connect_past_its_timeout_names_the_connect_timeout(executor):
    with FullBacklog() as listener:
        request = SavedRequest(name="c", url=listener.url + "/", extra={"connect_timeout": 0.2})
        start = time.perf_counter()
        summary = (await executor.run(request, {})).summary
        took = time.perf_counter() - start
    assert summary.error == (
        f"timed out after 0.2 s connecting to 127.0.0.1:{listener.port} (connect timeout,"
        " connect_timeout = 0.2 in the request)"
    )
    assert 0.2 <= took < 2.0, took


async def test_timeouts_go_per_request_on_the_one_shared_client(raw_server, executor):
    """Two requests with different timeouts, one client; the quick answer is not cut by the
    other request's short limit."""

    async def answer_after(conn: Conn) -> None:
        await asyncio.sleep(0.4)
        await conn.start(200, {"Content-Length": "2"}, content_type="application/json")
        await conn.send(b"{}")
        await conn.end()

    raw_server.handler = answer_after
    short = SavedRequest(name="short", url=raw_server.url, extra={"timeout": 0.1})
    patient = SavedRequest(name="patient", url=raw_server.url, extra={"timeout": 5})
    first, second = await asyncio.gather(executor.run(short, {}), executor.run(patient, {}))
    assert first.summary.error is not None and "0.1 s" in first.summary.error
    assert (second.summary.status, second.summary.error) == (200, None)
    assert len(executor.pool) == 1
    client = executor.pool.get()
    assert client.timeout == httpx.Timeout(30.0, connect=10.0)  # the client's own never changes


def test_paths_in_messages_are_those_of_files(tmp_path: Path):
    """A request file's bad timeout is a load error, so `CollectionError` carries it too."""
    from streamdash.core.collections.models import request_from_data

    with pytest.raises(CollectionError, match=r"x.toml:2: connect_timeout: must be"):
        request_from_data({"url": "http://x/", "connect_timeout": 0}, tmp_path / "x.toml",
                          'url = "http://x/"\nconnect_timeout = 0\n')
