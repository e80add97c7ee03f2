"""The session without any UI: streams follow their requests through rename, delete, edit and an
environment switch, against scripted servers on 127.0.0.1 that record what they were sent."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from streamdash.core.buffer import NOTE_STREAM, STREAM
from streamdash.core.collections import SavedRequest, load_collection
from streamdash.core.session import (
    CollectionChanged,
    LogChanged,
    Notice,
    Session,
    request_id,
)
from streamdash.core.sse.events import StreamState
from tests.helpers.raw_server import RawServer, counting_events

TOKEN = "session-token-0123456789"


@pytest.fixture
def servers():
    a, b = RawServer().start(), RawServer().start()
    a.handler = b.handler = counting_events()
    try:
        yield a, b
    finally:
        a.stop()
        b.stop()


@pytest.fixture
def root(tmp_path: Path, servers) -> Path:
    a, b = servers
    root = tmp_path / "coll"
    (root / "streams").mkdir(parents=True)
    (root / "env").mkdir()
    (root / "collection.toml").write_text(
        f'name = "c"\n[variables]\nbase_url = "{a.url}"\nteam = "core"\n'
        '[auth]\ntype = "bearer"\ntoken = "{{env:SD_SESSION_TOKEN}}"\n'
    )
    (root / "env" / "same-server.toml").write_text('[variables]\nteam = "edge"\n')
    (root / "env" / "other-server.toml").write_text(f'[variables]\nbase_url = "{b.url}"\n')
    (root / "env" / "no-team.toml").write_text('[variables]\nteam = "{{env:SD_SESSION_UNSET}}"\n')
    (root / "streams" / "feed.toml").write_text(
        'name = "feed"\nkind = "sse"\nurl = "{{base_url}}/feed"\n[headers]\nX-Team = "{{team}}"\n'
    )
    (root / "streams" / "other.toml").write_text('name = "other"\nkind = "sse"\nurl = "{{base_url}}/other"\n')
    (root / "items.toml").write_text('name = "items"\nurl = "{{base_url}}/items"\n')
    return root


@pytest.fixture
async def session(root, monkeypatch, tmp_path):
    monkeypatch.setenv("SD_SESSION_TOKEN", TOKEN)
    monkeypatch.delenv("SD_SESSION_UNSET", raising=False)
    s = Session(load_collection(root), recordings_dir=tmp_path / "rec")
    events: list = []
    s.subscribe(events.append)
    s.events = events  # type: ignore[attr-defined]
    yield s
    await s.aclose()


async def until(condition, timeout: float = 10.0) -> None:
    waited = 0.0
    while not condition():
        await asyncio.sleep(0.02)
        waited += 0.02
        if waited > timeout:
            raise AssertionError("condition not met in time")


def events_of(session: Session, name: str) -> list:
    return [e for e in session.buffer if e[STREAM] == name]


async def test_a_saved_stream_sends_its_collection_auth_and_variables(session, servers):
    a, _ = servers
    live = session.start(session.find("streams/feed"))
    await until(lambda: len(events_of(session, "feed")) >= 3)
    sent = a.requests[0]
    assert sent.header("Authorization") == f"Bearer {TOKEN}"
    assert sent.header("X-Team") == "core"
    assert live.key == str(session.find("feed").path) and live.host == f"127.0.0.1:{a.port}"


async def test_rename_keeps_the_stream_running_under_the_new_name(session, servers):
    a, _ = servers
    request = session.find("feed")
    live = session.start(request)
    await until(lambda: len(events_of(session, "feed")) >= 3)
    task = live.task
    renamed = session.rename(request, "Price feed")
    assert renamed is not None and renamed.path.name == "price-feed.toml"
    assert list(session.streams) == [request_id(renamed)]  # no orphan under the old key
    assert session.streams[request_id(renamed)] is live and live.task is task and live.running
    await until(lambda: len(events_of(session, "Price feed")) >= 6)
    assert events_of(session, "feed") == []  # retained events carry the new name too
    assert a.connections == 1  # no second connection
    assert live.tracker.sample(0).name == "Price feed"
    assert any(isinstance(e, LogChanged) for e in session.events)
    session.tick()
    assert "feed" not in session.chart.timelines and "Price feed" in session.chart.timelines
    assert {stream for stream, _ in session.chart.rates.counts} == {"Price feed"}


async def test_delete_stops_the_stream_and_its_rows_go(session, servers):
    request = session.find("feed")
    live = session.start(request)
    await until(lambda: live.state is StreamState.OPEN)
    assert [r.name for r in session.collection.requests] == ["items", "feed", "other"]
    assert session.delete(request)
    await until(lambda: live.task.done())
    assert session.streams == {} and session.sample() == []
    assert not request.path.exists()
    selected = [e.select for e in session.events if isinstance(e, CollectionChanged)][-1]
    assert selected == request_id(session.find("other"))  # the next request, not the top


async def test_delete_selects_the_next_request_then_the_previous(session):
    requests = list(session.collection.requests)
    session.delete(requests[0])
    assert [e.select for e in session.events if isinstance(e, CollectionChanged)][-1] == request_id(requests[1])
    session.delete(requests[-1])
    assert [e.select for e in session.events if isinstance(e, CollectionChanged)][-1] == request_id(requests[-2])


async def test_an_edit_with_the_same_url_restarts_resuming(session, servers):
    a, _ = servers
    request = session.find("feed")
    live = session.start(request)
    await until(lambda: len(events_of(session, "feed")) >= 3)
    edited = session.save(SavedRequest(**{**request.__dict__, "headers": [("X-Team", "{{team}}"), ("X-New", "1")]}))
    assert edited is not None
    await until(lambda: a.connections >= 2 and len(events_of(session, "feed")) >= 8)
    second = a.requests[1]
    assert second.header("X-New") == "1" and second.header("Last-Event-ID")
    ids = [int(e[4]) for e in events_of(session, "feed")]
    assert ids == list(range(1, len(ids) + 1))  # resumed: nothing lost, nothing twice
    assert session.streams[live.key] is live and live.stats.reconnects == 1


async def test_an_edit_with_a_new_url_starts_over(session, servers):
    a, _ = servers
    request = session.find("feed")
    session.start(request)
    await until(lambda: len(events_of(session, "feed")) >= 3)
    session.save(SavedRequest(**{**request.__dict__, "url": "{{base_url}}/feed2"}))
    await until(lambda: a.connections >= 2)
    await until(lambda: len(a.requests) >= 2)
    assert a.requests[1].target == "/feed2" and a.requests[1].header("Last-Event-ID") is None
    await until(lambda: session.streams[request_id(request)].stats.events >= 2)
    assert len(session.streams) == 1


async def test_environment_switch_restarts_what_changed_and_says_so_in_the_log(session, servers):
    a, b = servers
    feed, other = session.find("feed"), session.find("other")
    session.start(feed)
    session.start(other)
    await until(lambda: len(events_of(session, "feed")) >= 2 and len(events_of(session, "other")) >= 2)
    session.use_environment("same-server")  # feed's header changes; other's request does not
    await until(lambda: a.connections >= 3)
    await asyncio.sleep(0.2)
    assert a.connections == 3
    again = a.requests[2]
    assert again.target == "/feed" and again.header("X-Team") == "edge" and again.header("Last-Event-ID")
    notes = [e[3] for e in session.buffer if e[STREAM] == NOTE_STREAM]
    assert notes == ["environment same-server: restarted feed (resuming)"]
    session.use_environment("other-server")  # both URLs move to server b: from scratch
    await until(lambda: b.connections >= 2)
    assert all(r.header("Last-Event-ID") is None for r in b.requests)
    assert {live.environment for live in session.streams.values()} == {"other-server"}
    assert "from scratch" in [e[3] for e in session.buffer if e[STREAM] == NOTE_STREAM][-1]


async def test_reading_the_files_again_says_nothing_of_an_environment_nobody_switched(session, servers):
    # An import (or any reload) while a stream ran said "environment none: no running stream
    # changed" in the log and a notice (found in tmux).
    live = session.start(session.find("feed"))
    await until(lambda: live.state is StreamState.OPEN)
    session.reload()
    notes = [e[3] for e in session.buffer if e[STREAM] == NOTE_STREAM]
    assert notes == [] and not any(isinstance(e, Notice) and e.title == "environment" for e in session.events)
    assert live.running


async def test_environment_that_cannot_prepare_a_stream_stops_it_with_a_reason(session, servers):
    feed = session.find("feed")
    live = session.start(feed)
    await until(lambda: live.state is StreamState.OPEN)
    session.use_environment("no-team")
    await until(lambda: live.task.done())
    notes = [e[3] for e in session.buffer if e[STREAM] == NOTE_STREAM]
    assert "stopped feed" in notes[-1] and "SD_SESSION_UNSET" in notes[-1]
    assert any(isinstance(e, Notice) and "SD_SESSION_UNSET" in e.text for e in session.events)


async def test_a_request_that_cannot_be_sent_counts_in_no_error_rate(session, monkeypatch):
    monkeypatch.delenv("SD_SESSION_TOKEN")
    result = await session.send(session.find("items"))
    assert not result.sent and "SD_SESSION_TOKEN" in result.summary.error
    assert session.rest_stats.snapshot(0).requests == 0


async def test_copy_as_curl_with_an_unset_secret_is_a_command_not_a_crash(session, monkeypatch):
    monkeypatch.delenv("SD_SESSION_TOKEN")
    command = session.curl(session.find("items"))
    assert command is not None and "${SD_SESSION_TOKEN}" in command.text
    assert command.unset == ("SD_SESSION_TOKEN",)


async def test_restart_of_a_stream_that_has_not_connected_yet(session):
    """Start and restart in one breath (Enter, Ctrl+T in a burst): start called restart called
    start, until the stack ran out."""
    live = session.start(session.find("feed"))
    assert session.restart(live.key) is True
    await until(lambda: live.state is StreamState.OPEN)
    assert list(session.streams) == [live.key] and session.streams[live.key] is live


async def test_whatever_a_send_raises_comes_back_as_a_one_line_result(session, monkeypatch):
    """The app's send worker awaits this: an exception here once killed it and showed nothing."""

    async def broken(prepared, key=""):
        raise RuntimeError("a bug\nbelow the session")

    monkeypatch.setattr(session.executor, "send", broken)
    result = await session.send(session.find("items"))
    assert result.summary.status is None
    assert result.summary.error == "RuntimeError: a bug below the session"


async def test_a_stream_a_redirect_took_elsewhere_shows_the_host_it_reached(session, servers):
    """The state line and the stats row show where the events come from, and the collection's
    token stays on the origin it was written for."""
    a, b = servers

    async def moved(conn):
        await conn.start(307, {"Location": f"{b.url}/feed", "Content-Length": "0"}, content_type=None)
        await conn.end()

    a.handler = moved
    live = session.start(session.find("streams/feed"))
    await until(lambda: len(events_of(session, "feed")) >= 1)
    assert a.requests[0].header("Authorization") == f"Bearer {TOKEN}"
    assert b.requests[0].header("Authorization") is None and b.requests[0].header("X-Team") == "core"
    where = f"127.0.0.1:{b.port}"
    assert live.host == where and session.sample()[0].host == where
    assert live.last_change is not None and live.last_change.reason == (
        f"redirected to {where}; not sent there: Authorization"
    )


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="FIFOs are a POSIX thing")
async def test_importing_a_fifo_or_dev_zero_as_http_file_is_one_notice(session, tmp_path):
    import os

    fifo = tmp_path / "requests.http"
    os.mkfifo(fifo)
    before = len(session.collection.requests)
    for path, why in ((fifo, "a FIFO"), (Path("/dev/zero"), "a character device")):
        assert session.import_http_file(path) == 0  # read_text() blocked, or ate memory
        (notice,) = [e for e in session.events if isinstance(e, Notice) and e.title == "not imported"][-1:]
        assert notice.text == f"{path}: not a regular file ({why})"
    assert len(session.collection.requests) == before


async def test_a_skipped_oversized_event_is_a_log_line_and_one_notice(session, servers, root):
    """Under `oversize = "skip"` the dashboard once only counted the event in the stats: nothing
    in the log said an event was discarded, nor which one."""
    a, _ = servers

    async def big(conn):
        await conn.start()
        # One write: the events and the skipped ones arrive in one batch.
        await conn.send(
            b"id: 1\ndata: small\n\n"
            + b"id: 2\ndata: " + b"x" * 5000 + b"\n\n"
            + b"id: 3\ndata: " + b"y" * 5000 + b"\n\n"
            + b"id: 4\ndata: after\n\n"
        )
        await asyncio.sleep(30)

    a.handler = big
    (root / "streams" / "feed.toml").write_text(
        'name = "feed"\nkind = "sse"\nurl = "{{base_url}}/feed"\n'
        '[stream]\nmax_event_bytes = 1000\noversize = "skip"\n'
    )
    session.reload()
    live = session.start(session.find("streams/feed"))
    await until(lambda: len(events_of(session, "feed")) >= 2)
    await until(lambda: live.stats.skipped_oversize == 2)
    assert [e[3] for e in events_of(session, "feed")] == ["small", "after"]
    skipped = "feed: skipped an event of 5,011 bytes (id {}): over the 1,000 bytes cap (max_event_bytes)"
    # In the order they came, whatever the network reads grouped together.
    assert [e[3] for e in session.buffer] == ["small", skipped.format(2), skipped.format(3), "after"]
    warned = [e for e in session.events if isinstance(e, Notice) and "skipped an event" in e.text]
    assert len(warned) == 1 and "(id 2)" in warned[0].text


async def test_rename_keeps_the_columns_picked_this_session(session, servers):
    """Found in tmux: a column picked with `c` (not saved) was gone after the stream's rename."""
    request = session.find("feed")
    session.start(request)
    await until(lambda: len(events_of(session, "feed")) >= 1)
    session.displays.toggle_column("feed", "price")
    renamed = session.rename(request, "Price feed")
    assert renamed is not None
    assert session.displays.of("Price feed").columns == ("price",)
