"""Marks in the event log (issue 11 item 4): `m` marks the cursor line, `u`/`U` jump between
marks, a mark is drawn in the first cell and survives a re-filter."""

from __future__ import annotations

import asyncio

import pytest
from rich.segment import Segment

from streamdash.core.buffer import SEQ, TYPE
from streamdash.ui.launch import build_app
from streamdash.ui.widgets.event_log import EventLog
from tests.ui.pilot import notes
from tests.ui.test_app import wait_for
from tests.ui.test_app_evidence import one_stream
from tests.ui.test_heartbeats import pinging


def first_cell_bg(log: EventLog, y: int) -> str:
    strip = log._render_line_strip(y, log.rich_style)
    first = next(seg for seg in strip if isinstance(seg, Segment) and seg.text)
    return str(first.style.bgcolor) if first.style else ""


@pytest.mark.parametrize("size", [(160, 48), (80, 24)])
async def test_marks_set_jump_and_survive_a_refilter(raw_server, tmp_path, size):
    raw_server.handler = pinging(pause=0.05)
    app = build_app(one_stream(tmp_path, raw_server.url), autostart=("watch",))
    async with app.run_test(size=size) as pilot:
        log = app.query_one(EventLog)
        await wait_for(pilot, lambda: len(log.entries) >= 12)
        log.focus()
        mark_bg = str(log.get_component_rich_style("event-log--mark").bgcolor)

        await pilot.press("u")  # no marks yet: a notification, nothing moves
        await pilot.pause()
        assert log.following

        await pilot.press("home", "m")  # the first line
        await pilot.press("down", "down", "down", "m")  # the fourth
        await pilot.pause()
        assert not log.following  # the jumps pause, like the cursor keys
        first, fourth = log.entries[0][SEQ], log.entries[3][SEQ]
        assert first in log.marks and fourth in log.marks and len(log.marks) == 2
        assert first_cell_bg(log, 0) == mark_bg and first_cell_bg(log, 1) != mark_bg

        await pilot.press("U")
        assert log.current_entry is not None and log.current_entry[SEQ] == first
        await pilot.press("u")
        assert log.current_entry is not None and log.current_entry[SEQ] == fourth
        await pilot.press("u")  # no later mark: stays
        assert log.current_entry[SEQ] == fourth

        await pilot.press("m")  # unmark
        assert fourth not in log.marks

        # A filter that hides the marked line keeps the mark; clearing it shows it again.
        kind = log.entries[0][TYPE]
        other = "ping" if kind != "ping" else "price"
        await pilot.press("slash")
        await pilot.press(*f"type:{other}")
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert all(e[SEQ] != first for e in log.entries)
        assert first in log.marks
        assert log.entries and all(e[TYPE] == other for e in log.entries)  # the filter did apply

        app.events_pane.filter_bar.input.value = ""  # the filter cleared: the mark shows again
        app.events_pane.apply_filter()
        await pilot.pause(0.3)
        y = next(i for i, e in enumerate(log.entries) if e[SEQ] == first)
        assert first_cell_bg(log, y) == mark_bg


def pausing_then_skipping():
    """ids 1-3, a 2.4 s pause, 4-5, then 9 (6-8 missing), then quiet."""

    async def handler(conn) -> None:
        await conn.start()
        for n, pause in ((1, 0.01), (2, 0.01), (3, 2.4), (4, 0.01), (5, 0.01), (9, 0.01)):
            await conn.send(f"id: {n}\nevent: price\ndata: {{\"n\": {n}}}\n\n".encode(), pause)
        await asyncio.sleep(30)

    return handler


@pytest.mark.parametrize("size", [(160, 48), (80, 24)])
async def test_next_and_previous_gap_find_the_pause_and_the_missing_ids(raw_server, tmp_path, size):
    raw_server.handler = pausing_then_skipping()
    app = build_app(one_stream(tmp_path, raw_server.url), autostart=("watch",))
    async with app.run_test(size=size) as pilot:
        log = app.query_one(EventLog)
        await wait_for(pilot, lambda: len([e for e in log.entries if e[TYPE] == "price"]) >= 6, timeout=15)
        log.focus()
        ids = [e[4] for e in log.entries]
        await pilot.press("home", "greater_than_sign")  # from the first line: the pause before id 4
        await pilot.pause()
        assert not log.following
        assert log.current_entry is not None and log.current_entry[4] == "4", ids
        assert any("pause of 2." in text for text in notes(app))
        await pilot.press("greater_than_sign")  # then the ids that skip
        await pilot.pause()
        assert log.current_entry[4] == "9"
        assert any("ids 5 -> 9" in text and "3 missing" in text for text in notes(app))
        await pilot.press("greater_than_sign")  # nothing after: stays, says so
        await pilot.pause()
        assert log.current_entry[4] == "9"
        assert any("no pause over 2 s" in text for text in notes(app))
        await pilot.press("less_than_sign")
        await pilot.pause()
        assert log.current_entry[4] == "4"
