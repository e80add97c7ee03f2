"""Live filtering a person can trust (issue 11, item 3): matches highlighted in the lines, the
count live, find mode (`f`) with n/N, Esc leaves the filter box, Up/Down walk a filter history
kept in the state folder, and n/N in the event detail step through what the log shows."""

from __future__ import annotations

import asyncio
import json

import pytest
from rich.segment import Segment

from streamdash.core.buffer import DATA
from streamdash.core.filter_history import FILTER_HISTORY_FILE
from streamdash.ui.launch import build_app
from streamdash.ui.screens.event_detail import EventDetailScreen
from streamdash.ui.widgets.event_log import EventLog
from streamdash.ui.widgets.filter_bar import FilterBar
from tests.helpers.raw_server import Conn
from tests.ui.pilot import notes, wait_for
from tests.ui.test_app_evidence import one_stream

EVENTS = 20


async def twenty(conn: Conn) -> None:
    await conn.start()
    for n in range(1, EVENTS + 1):
        level = "error" if n % 5 == 0 else "info"
        await conn.send(f"id: {n}\nevent: log\ndata: {json.dumps({'n': n, 'level': level})}\n\n".encode())
    await asyncio.sleep(30)  # stay open: the stream runs on, nothing more arrives


def matched_text(log: EventLog, y: int) -> str:
    """The text of line `y` drawn in the match style."""
    match = log.get_component_rich_style("event-log--match")
    strip = log._render_line_strip(y, log.rich_style)
    return "".join(
        seg.text
        for seg in strip
        if isinstance(seg, Segment) and seg.style and seg.style.bgcolor == match.bgcolor
    )


def status(app) -> str:
    return str(app.query_one(FilterBar).query_one("#filter-status").render())


@pytest.mark.parametrize("size", [(160, 48), (80, 24)])
async def test_filter_find_history_and_detail_steps(raw_server, tmp_path, size):
    raw_server.handler = twenty
    history_dir = tmp_path / "state"
    app = build_app(one_stream(tmp_path, raw_server.url), autostart=("watch",), history_dir=history_dir)
    async with app.run_test(size=size) as pilot:
        log = app.query_one(EventLog)
        await wait_for(pilot, lambda: len(app.session.buffer) == EVENTS, what="all events")
        log.focus()
        await pilot.press("slash", *"level=error", "enter")
        await wait_for(pilot, lambda: len(log.entries) == 4, what="the filter")
        assert app.focused is log
        assert "4 of 20 match" in status(app)
        # Highlighted: the key and the value, in the line as drawn.
        assert matched_text(log, 0) == "levelerror"
        # The submitted filter is in the state folder's history.
        saved = json.loads((history_dir / FILTER_HISTORY_FILE).read_text(encoding="utf-8"))
        assert saved == ["level=error"]

        # Find mode: every event shows, the count stays, n/N walk the matches.
        await pilot.press("f")
        await wait_for(pilot, lambda: len(log.entries) == EVENTS, what="find mode")
        assert "FIND" in str(app.query_one("#filter-mode").render())
        assert "4 of 20 match" in status(app)
        await pilot.press("N")  # from the tail: the newest match
        assert json.loads(log.entries[log.cursor][DATA])["n"] == 20
        await pilot.press("N")
        assert json.loads(log.entries[log.cursor][DATA])["n"] == 15
        await pilot.press("n")
        assert json.loads(log.entries[log.cursor][DATA])["n"] == 20
        await pilot.press("n")
        await pilot.pause()
        assert any("no match after" in m for m in notes(app))
        assert not log.following  # n/N pause, as the cursor does
        assert matched_text(log, 0) == ""  # n=1 is info: not a match, nothing lit
        assert matched_text(log, 4) == "levelerror"

        # The detail screen steps through what the log shows; the log's cursor follows.
        await pilot.press("N", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, EventDetailScreen))
        assert json.loads(app.screen.entry[DATA])["n"] == 15
        await pilot.press("n")
        assert json.loads(app.screen.entry[DATA])["n"] == 16
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert json.loads(app.screen.entry[DATA])["n"] == 14
        assert log.cursor == 13
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, EventDetailScreen))

        # Esc leaves the filter box with the filter kept; Up/Down walk the history.
        bar = app.query_one(FilterBar)
        await pilot.press("slash", "ctrl+u", *"n>3")
        await pilot.press("up")
        assert bar.input.value == "level=error"
        await pilot.press("down")
        assert bar.input.value == "n>3"
        await pilot.press("escape")
        assert app.focused is log
        await pilot.pause(0.3)
        assert app.events_pane.view.text == "n>3"
        assert isinstance(app.screen, type(app.screen_stack[0]))
