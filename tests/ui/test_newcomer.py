"""What a newcomer hit in half an hour of driving the app in tmux, each met the way they met it,
with Pilot against real servers on 127.0.0.1. Every test here failed on the code before the
session model (issue 9)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from textual import events
from textual.widgets import TextArea

import streamdash.demo
from streamdash.core.collections import load_collection
from streamdash.demo import DemoServer
from streamdash.ui.launch import build_app
from streamdash.ui.screens.dialogs import ConfirmScreen, PasteScreen
from streamdash.ui.screens.request_editor import RequestEditorScreen
from streamdash.ui.widgets.event_log import EventLog
from streamdash.ui.widgets.response_view import ResponseView
from tests.helpers.raw_server import RawServer, counting_events
from tests.ui.pilot import notes, palette, select, wait_for

DEMO_COLLECTION = Path(streamdash.demo.__file__).parent / "collection"


@pytest.fixture(scope="module")
def demo():
    with DemoServer(seed=5, time_scale=0.05) as server:
        yield server


@pytest.fixture
def demo_dir(tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    shutil.copytree(DEMO_COLLECTION, root)
    return root


@pytest.fixture(autouse=True)
def own_folders(tmp_path, monkeypatch):
    """Screenshots, exports and recordings go to the test's own folders; no ~/Downloads."""
    monkeypatch.setenv("STREAMDASH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("STREAMDASH_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("SD_NEWCOMER_TOKEN", raising=False)


@pytest.fixture
def server():
    """Records every request; each connection sends events with increasing ids, forever."""
    server = RawServer(counting_events(pause=0.02, event="tick", data=lambda n: f'{{"n": {n}}}')).start()
    try:
        yield server
    finally:
        server.stop()


def authed_collection(root: Path, url: str) -> Path:
    root.mkdir(parents=True)
    (root / "collection.toml").write_text(
        f'name = "c"\n[variables]\nbase_url = "{url}"\n'
        '[auth]\ntype = "bearer"\ntoken = "{{env:SD_NEWCOMER_TOKEN}}"\n'
    )
    (root / "feed.toml").write_text('name = "feed"\nkind = "sse"\nurl = "{{base_url}}/feed"\n[headers]\nX-Team = "core"\n')
    (root / "own.toml").write_text(
        'name = "own"\nkind = "sse"\nurl = "{{base_url}}/own"\n'
        '[auth]\ntype = "basic"\nusername = "ann"\npassword = "{{env:SD_NEWCOMER_TOKEN}}"\n'
    )
    (root / "items.toml").write_text('name = "items"\nurl = "{{base_url}}/items"\n')
    return root


async def test_copy_as_curl_with_an_unset_secret_is_a_notification_not_a_crash(tmp_path, server):
    """Before: the app crashed, exit 0, and printed the process environment."""
    root = authed_collection(tmp_path / "c", server.url)
    app = build_app(load_collection(root))
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "items")
        await palette(pilot, "copy request as curl")
        assert app.is_running and app.caught_errors == []
        assert "${SD_NEWCOMER_TOKEN}" in app.clipboard
        assert any("SD_NEWCOMER_TOKEN" in n and "not set here" in n for n in notes(app))


async def test_a_saved_stream_sends_its_auth_like_tail_collection_does(tmp_path, server, monkeypatch):
    """Before: a stream's [auth] (its own or the collection's) was never sent. The same stream
    started in the app and by `tail --collection` sends the same headers."""
    monkeypatch.setenv("SD_NEWCOMER_TOKEN", "tok-abcdefghijklmnop")
    root = authed_collection(tmp_path / "c", server.url)
    tailed = subprocess.run(
        [sys.executable, "-m", "streamdash", "tail", "--collection", str(root), "feed", "--count", "1"],
        capture_output=True, text=True, timeout=20, env={**os.environ},
    )
    assert tailed.returncode == 0, tailed.stderr
    app = build_app(load_collection(root))
    async with app.run_test(size=(160, 48)) as pilot:
        for name in ("feed", "own"):
            await select(pilot, app, name)
            await pilot.press("enter")
        await wait_for(pilot, lambda: len(server.requests) >= 3)
    by_target = {}
    for request in server.requests:
        by_target.setdefault(request.target, []).append(request)
    from_tail, from_app = by_target["/feed"]
    assert from_app.header("Authorization") == "Bearer tok-abcdefghijklmnop"
    assert [(k.lower(), v) for k, v in from_app.headers] == [(k.lower(), v) for k, v in from_tail.headers]
    (own,) = by_target["/own"]
    assert own.header("Authorization").startswith("Basic ")  # its own auth wins


async def test_a_multi_line_curl_paste_imports_the_whole_command(demo_dir, demo):
    """Before: the one-line prompt kept only the first line of a browser's 'Copy as cURL'."""
    app = build_app(load_collection(demo_dir), variables={"base_url": demo.url})
    command = (
        f"curl '{demo.url}/api/items' \\\n"
        "  -H 'Accept: application/json' \\\n"
        "  -H 'X-Trace: abc' \\\n"
        "  --data-raw '{\"name\": \"pasted\", \"price\": 3}'\n"
    )
    async with app.run_test(size=(160, 48)) as pilot:
        await palette(pilot, "import a curl command")
        assert isinstance(app.screen, PasteScreen)
        app.post_message(events.Paste(command))  # as the terminal delivers a paste
        await pilot.pause()
        assert app.screen.query_one(TextArea).text == command
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: any(r.body and "pasted" in r.body for r in app.session.collection.requests))
    saved = next(r for r in load_collection(demo_dir).requests if r.body and "pasted" in r.body)
    assert ("X-Trace", "abc") in saved.headers and ("Accept", "application/json") in saved.headers
    assert saved.method == "POST"


async def test_a_bad_regex_stays_reported_and_nothing_shows_as_matching(demo_dir, demo):
    """Before: the error showed for 0.1 s, then the log looked unfiltered (a match-all)."""
    app = build_app(load_collection(demo_dir), variables={"base_url": demo.url}, autostart=("streams/ticker",))
    async with app.run_test(size=(160, 48)) as pilot:
        log = app.query_one(EventLog)
        await wait_for(pilot, lambda: len(log.entries) > 5)
        await pilot.press("slash", *"/[/")
        await pilot.pause(1.5)  # events keep arriving
        bar = app.events_pane.filter_bar
        assert bar.has_class("-error") and "nothing shown" in str(bar.query_one("#filter-status").render())
        assert log.entries == [] and len(app.session.buffer) > 10


async def test_the_match_count_keeps_up_while_matches_arrive(demo_dir, demo):
    app = build_app(load_collection(demo_dir), variables={"base_url": demo.url},
                    autostart=("streams/ticker", "streams/logs"))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: len(app.session.buffer) > 10)
        await pilot.press("slash", *"type:price", "enter")
        await pilot.pause(0.3)
        status = app.events_pane.filter_bar.query_one("#filter-status")
        first = int(str(status.render()).split(" of ")[0].replace(",", ""))
        await pilot.pause(1.0)
        later = int(str(status.render()).split(" of ")[0].replace(",", ""))
        assert later > first
        flushed = app.events_pane.view.flushed_seq  # what the last tick counted
        assert later == sum(1 for e in app.session.buffer if e[2] == "price" and e[0] < flushed)


async def test_after_a_delete_the_cursor_stays_near_not_on_the_top(demo_dir, demo):
    app = build_app(load_collection(demo_dir), variables={"base_url": demo.url})
    async with app.run_test(size=(160, 48)) as pilot:
        order = [r.name for r in app.session.collection.requests]
        await select(pilot, app, "api/Get item")
        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await pilot.pause(0.3)
        after = order[order.index("Get item") + 1]
        assert app.requests_tree.selected.name == after != order[0]


async def test_the_response_title_keeps_the_whole_request_name(demo_dir, demo):
    (demo_dir / "api" / "health-path.toml").write_text('name = "GET /api/health"\nurl = "{{base_url}}/api/health"\n')
    app = build_app(load_collection(demo_dir), variables={"base_url": demo.url})
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "api/GET /api/health")
        view = app.query_one(ResponseView)
        await pilot.press("enter")
        await wait_for(pilot, lambda: view.summary is not None)
        assert str(view.query_one("#response-status").render()).startswith("GET /api/health \u00b7 200")


async def test_resizing_under_a_dialog_and_focus_after_narrowing(demo_dir, demo):
    app = build_app(load_collection(demo_dir), variables={"base_url": demo.url}, autostart=("streams/ticker",))
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "api/Health")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, RequestEditorScreen))
        await pilot.resize_terminal(80, 24)
        await pilot.pause(0.3)
        await pilot.press("escape")
        await pilot.pause(0.3)
        assert app.screen.has_class("-narrow")  # the dashboard's screen, not the dialog's
        shown = [p for p in ("requests", "events", "response", "stats") if app.query_one(f"#{p}").region.area]
        assert shown == ["events"]
        focused = app.focused
        assert focused is not None and focused.region.area and app.query_one("#events").region.contains_region(focused.region)
        # Focus on the tree, then narrow: the focus goes to the pane that shows.
        await pilot.resize_terminal(160, 48)
        await select(pilot, app, "api/Health")
        await pilot.resize_terminal(80, 24)
        await pilot.pause(0.3)
        assert app.query_one("#events").region.contains_region(app.focused.region)


async def test_textual_messages_show_as_text_and_screenshots_need_no_downloads(demo_dir, demo, tmp_path):
    app = build_app(load_collection(demo_dir), variables={"base_url": demo.url})
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert "Press ctrl+q to quit the app" in notes(app)
        await palette(pilot, "screenshot")
        await wait_for(pilot, lambda: notes(app, "screenshot"))
        (saved,) = notes(app, "screenshot")
        folder = tmp_path / "data" / "screenshots"
        assert saved.startswith(f"saved {folder}") and "[" not in saved
        assert list(folder.glob("*.svg"))
        assert not (tmp_path / "home" / "Downloads").exists()


async def test_a_request_never_sent_is_not_an_error_in_the_rest_stats(tmp_path, server):
    root = authed_collection(tmp_path / "c", server.url)
    app = build_app(load_collection(root))
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "items")
        view = app.query_one(ResponseView)
        await pilot.press("enter")
        await wait_for(pilot, lambda: view.summary is not None)
        assert "not sent" in str(view.query_one("#response-status").render())
        app.refresh_stats()
        assert app.session.rest_stats.snapshot(0).requests == 0
        assert "no requests yet" in str(app.query_one("#stats-rest").render())


async def test_saving_in_the_demo_says_the_folder_is_temporary_and_offers_a_copy(demo_dir, demo, tmp_path):
    app = build_app(load_collection(demo_dir), variables={"base_url": demo.url}, scratch="demo")
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "api/Health")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, RequestEditorScreen))
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        assert any("temporary copy" in n and "Save the collection as" in n for n in notes(app))
        await palette(pilot, "save the collection as")
        target = tmp_path / "kept"
        app.screen.query_one("#prompt-input").value = str(target)
        await pilot.press("enter")
        await wait_for(pilot, (target / "api" / "health.toml").exists)
    assert load_collection(target).requests


async def test_the_demo_chat_stops_once_its_answer_is_complete(demo_dir, demo):
    """Before: a POST stream that assembles an answer sent its prompt again after every [DONE]."""
    app = build_app(load_collection(demo_dir), variables={"base_url": demo.url}, autostart=("streams/chat",))
    async with app.run_test(size=(160, 48)) as pilot:
        live = app.session.live(app.session.find("streams/chat"))
        await wait_for(pilot, lambda: live.measures.assembler.complete and not live.running, timeout=15)
        await pilot.pause(1.5)
        assert live.stats.connects == 1 and live.stats.reconnects == 0
        assert "not reconnecting" in live.stats.last_error or live.last_change.reason.endswith("send the request again)")


async def test_a_log_scoped_to_a_stream_follows_its_rename(demo_dir, demo):
    app = build_app(load_collection(demo_dir), variables={"base_url": demo.url}, autostart=("streams/ticker",))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: len(app.session.buffer) > 3)
        app.events_pane.log_view.focus()
        while app.events_pane.view.scope != "ticker":
            await pilot.press("s")
        await select(pilot, app, "streams/ticker")
        await pilot.press("r")
        await pilot.pause(0.3)
        app.screen.query_one("#prompt-input").value = "prices"
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.session.find("prices") is not None)
        await pilot.pause(0.5)
        assert app.events_pane.view.scope == "prices"
        assert app.query_one(EventLog).entries  # not "0 of N match"


async def test_a_filter_naming_a_stream_follows_its_rename(demo_dir, demo):
    """Found in tmux: after renaming `logs`, a typed `stream:logs` filter showed "0 of N match"
    while the stream ran on under its new name."""
    app = build_app(load_collection(demo_dir), variables={"base_url": demo.url}, autostart=("streams/ticker",))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: len(app.session.buffer) > 3)
        await pilot.press("slash", *"stream:ticker", "enter")
        await pilot.pause(0.3)
        assert app.events_pane.view.text == "stream:ticker"
        await select(pilot, app, "streams/ticker")
        await pilot.press("r")
        await pilot.pause(0.3)
        app.screen.query_one("#prompt-input").value = "prices"
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.session.find("prices") is not None)
        await pilot.pause(0.5)
        assert app.events_pane.filter_bar.input.value == "stream:prices"
        assert app.events_pane.view.text == "stream:prices"
        assert app.query_one(EventLog).entries  # not "0 of N match"
