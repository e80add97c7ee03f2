"""The data gets the room: the cells of event data actually drawn in the log, measured on the
rendered lines of the demo's streams, with the chat answer streaming and finished, wide and
narrow; and the assembled-text pane that shows only while it has something live to show."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import streamdash.demo
from streamdash.core.buffer import DATA
from streamdash.core.collections import load_collection
from streamdash.demo import DemoServer
from streamdash.ui.app import StreamdashApp
from streamdash.ui.launch import build_app
from streamdash.ui.widgets.assembled_text import AssembledText
from streamdash.ui.widgets.event_log import EventLog
from tests.ui.pilot import select, wait_for

DEMO_COLLECTION = Path(streamdash.demo.__file__).parent / "collection"
DEMO_STREAMS = ("streams/ticker", "streams/logs", "streams/flaky", "streams/chat")


@pytest.fixture(scope="module")
def demo():
    with DemoServer(seed=11, time_scale=0.05) as server:
        yield server


@pytest.fixture(autouse=True)
def own_folders(tmp_path, monkeypatch):
    for name in ("STREAMDASH_DATA_DIR", "STREAMDASH_STATE_DIR", "STREAMDASH_CONFIG_DIR"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))


def demo_app(tmp_path: Path, demo: DemoServer, chat_interval: float | None = None) -> StreamdashApp:
    """The demo collection with its four streams started, as `streamdash demo` does. A
    `chat_interval` slows the answer's tokens so the test sees it while it streams."""
    root = tmp_path / "demo"
    shutil.copytree(DEMO_COLLECTION, root)
    if chat_interval is not None:
        chat = root / "streams" / "chat.toml"
        chat.write_text(chat.read_text().replace("/api/chat", f"/api/chat?interval={chat_interval}"))
    return build_app(load_collection(root), variables={"base_url": demo.url}, autostart=DEMO_STREAMS)


def data_cells(app: StreamdashApp) -> int:
    """The most cells of an event's data drawn on one line of the log, as rendered: from where
    the data starts on the line to the log's right edge (or the data's end)."""
    log = app.query_one(EventLog)
    best = 0
    top = int(log.scroll_y)
    for y in range(log.size.height):
        row = top + y
        if row >= len(log.entries):
            break
        drawn = "".join(segment.text for segment in log.render_line(y))
        data = log.entries[row][DATA]
        at = drawn.find(data[:12])
        if at >= 0:
            best = max(best, len(drawn[at:].rstrip()))
    return best


def long_lines_shown(app: StreamdashApp, cells: int) -> bool:
    log = app.query_one(EventLog)
    return sum(len(entry[DATA]) > cells for entry in log.entries) >= 3


def assembled(app: StreamdashApp) -> AssembledText:
    return app.query_one(AssembledText)


def chat(app: StreamdashApp):
    return next(live for live in app.session.streams.values() if live.name == "chat")


@pytest.mark.parametrize(("size", "least"), [((160, 48), 100), ((80, 24), 40)])
async def test_a_finished_answer_leaves_the_data_its_room(tmp_path, demo, size, least):
    app = demo_app(tmp_path, demo)
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: app.session.streams and not chat(app).running, what="the answer done")
        await wait_for(pilot, lambda: long_lines_shown(app, least), what="long lines in the log")
        await pilot.pause(0.2)
        app.requests_tree.select_key("api/Health")  # not the chat stream
        await pilot.pause(0.2)
        cells = data_cells(app)
        assert not assembled(app).display, cells  # nothing assembling is selected or running
        assert data_cells(app) >= least


@pytest.mark.parametrize(("size", "least"), [((160, 48), 100), ((80, 24), 40)])
async def test_a_streaming_answer_shows_and_the_data_keeps_its_room(tmp_path, demo, size, least):
    app = demo_app(tmp_path, demo, chat_interval=0.5)
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: app.session.streams and chat(app).measures.assembler.tokens >= 2,
                       what="the answer streaming")
        await wait_for(pilot, lambda: long_lines_shown(app, least), what="long lines in the log")
        await pilot.pause(0.2)
        assert chat(app).running and not chat(app).measures.assembler.done
        text = assembled(app)
        assert text.display and text.size.width > 20 and text.size.height >= 3
        assert data_cells(app) >= least
        log_row = app.query_one("#log-row")
        assert app.query_one(EventLog).size.width >= 0.6 * log_row.size.width


async def test_a_finished_answer_shows_again_while_its_stream_is_selected(tmp_path, demo):
    app = demo_app(tmp_path, demo)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.session.streams and not chat(app).running, what="the answer done")
        await select(pilot, app, "api/Health")
        await wait_for(pilot, lambda: not assembled(app).display, what="the text gone")
        await select(pilot, app, "streams/chat")
        await wait_for(pilot, lambda: assembled(app).display, what="the text of the selected stream")
        assert "done" in str(app.query_one("#assembled-text").render())
        assert data_cells(app) >= 100  # under the log: the data keeps its width


async def test_keys_hide_show_and_resize_the_text(tmp_path, demo):
    app = demo_app(tmp_path, demo, chat_interval=0.5)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: assembled(app).display, what="the answer streaming")
        app.query_one(EventLog).focus()
        await pilot.pause()
        row = app.query_one("#log-row")
        assert row.has_class("-under")  # at 160 columns beside would leave the data under 60 %
        heights = [assembled(app).outer_size.height]
        for _ in range(3):
            await pilot.press("A")
            await pilot.pause(0.1)
            heights.append(assembled(app).outer_size.height)
        assert heights[0] < heights[1] and heights[1] > heights[2] and heights[3] == heights[0]
        await pilot.press("a")
        await wait_for(pilot, lambda: not assembled(app).display, what="hidden by a")
        await pilot.pause(0.3)  # tokens keep arriving: it stays hidden
        assert not assembled(app).display
        await pilot.press("a")
        await wait_for(pilot, lambda: assembled(app).display, what="shown again by a")


async def test_a_wide_terminal_has_the_text_beside_the_log_within_its_share(tmp_path, demo):
    app = demo_app(tmp_path, demo, chat_interval=0.5)
    async with app.run_test(size=(260, 48)) as pilot:
        await wait_for(pilot, lambda: assembled(app).display, what="the answer streaming")
        await wait_for(pilot, lambda: long_lines_shown(app, 150), what="long lines in the log")
        await pilot.pause(0.2)
        row = app.query_one("#log-row")
        assert not row.has_class("-under")
        log = app.query_one(EventLog)
        assert log.size.width - log.columns.data_at >= 0.6 * row.size.width
        assert data_cells(app) >= 0.6 * row.size.width
