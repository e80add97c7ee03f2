"""The session's display choices (issue 11, item 2): a column picked or a template set shows at
once for this session; saving writes [stream] columns and restarts nothing."""

from __future__ import annotations

import dataclasses

import pytest

from streamdash.core.collections import load_collection
from streamdash.core.columns import Display
from streamdash.core.session import Session
from tests.core.session.test_session import events_of, until
from tests.helpers.raw_server import RawServer, counting_events


@pytest.fixture
def server():
    s = RawServer().start()
    s.handler = counting_events(data=lambda n: f'{{"level": "info", "n": {n}, "user": {{"id": {n % 3}}}}}')
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture
async def session(tmp_path, server):
    root = tmp_path / "coll"
    root.mkdir()
    (root / "logs.toml").write_text(
        f'name = "logs"\nkind = "sse"\nurl = "{server.url}/logs"\n[stream]\ncolumns = ["level"]\nfuture_knob = 1\n'
    )
    s = Session(load_collection(root), recordings_dir=tmp_path / "rec")
    yield s
    await s.aclose()


async def test_picking_and_saving_columns_restarts_nothing(session, server):
    live = session.start(session.find("logs"))
    await until(lambda: len(events_of(session, "logs")) >= 3)
    displays = session.displays
    assert displays.of("logs") == Display(("level",))
    version = displays.version
    assert "added" in displays.toggle_column("logs", "user.id")
    assert displays.of("logs") == Display(("level", "user.id")) and displays.version > version
    assert "removed" in displays.toggle_column("logs", "level")
    assert displays.toggle_column("logs", "n") and displays.of("logs").columns == ("user.id", "n")

    assert displays.save("logs") is None
    text = (session.collection.root / "logs.toml").read_text()
    assert '"user.id"' in text and '"n"' in text and "future_knob = 1" in text
    assert live.request.stream.columns == ("user.id", "n")  # the stream follows its file
    seen = len(events_of(session, "logs"))
    await until(lambda: len(events_of(session, "logs")) >= seen + 5)
    assert server.connections == 1 and live.stats.reconnects == 0  # display only: no restart
    assert displays.of("logs") == Display(("user.id", "n"))


async def test_template_and_clear(session):
    displays = session.displays
    assert displays.set_template("logs", "{level} {n") is not None  # a bad one changes nothing
    assert displays.of("logs") == Display(("level",))
    assert displays.set_template("logs", "{level}: {n}") is None
    assert displays.of("logs") == Display((), "{level}: {n}")
    displays.clear("logs")
    assert displays.of("logs").is_raw


async def test_saving_what_no_saved_request_runs_is_a_reason(session):
    assert "nothing to save to" in (session.displays.save("nobody") or "")


async def test_an_edit_of_the_columns_in_the_file_is_seen_and_restarts_nothing(session, server):
    live = session.start(session.find("logs"))
    await until(lambda: len(events_of(session, "logs")) >= 3)
    before = session.displays.signature()
    request = live.request
    edited = dataclasses.replace(
        request, stream=dataclasses.replace(request.stream, template="{level}", columns=())
    )
    assert session.save(edited) is not None
    assert session.displays.signature() != before  # the log lays itself out again
    assert session.displays.of("logs") == Display((), "{level}")
    seen = len(events_of(session, "logs"))
    await until(lambda: len(events_of(session, "logs")) >= seen + 5)
    assert server.connections == 1
