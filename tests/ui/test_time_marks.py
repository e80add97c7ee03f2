"""Marks in the event log (issue 11 item 4): `m` marks the cursor line, `u`/`U` jump between
marks, a mark is a glyph in a one-cell gutter (there while there are marks), it survives a
re-filter, and it goes when the buffer evicts its event."""

from __future__ import annotations

import asyncio

import pytest
from rich.segment import Segment

from streamdash.core.buffer import SEQ, TYPE
from streamdash.ui.launch import build_app
from streamdash.ui.lines import MARK_GLYPH
from streamdash.ui.widgets.event_log import EventLog
from tests.ui.pilot import notes, wait_for
from tests.ui.test_app_evidence import one_stream
from tests.ui.test_heartbeats import pinging


def gutter(log: EventLog, y: int) -> tuple[str, str]:
    """Line y's first cell as drawn: its character and its colour."""
    strip = log._render_line_strip(y, log.rich_style)
    first = next(seg for seg in strip if isinstance(seg, Segment) and seg.text)
    return first.text[0], str(first.style.color) if first.style else ""


@pytest.mark.parametrize("size", [(160, 48), (80, 24)])
async def test_marks_set_jump_and_survive_a_refilter(raw_server, tmp_path, size):
    raw_server.handler = pinging(pause=0.05)
    app = build_app(one_stream(tmp_path, raw_server.url), autostart=("watch",))
    async with app.run_test(size=size) as pilot:
        log = app.query_one(EventLog)
        await wait_for(pilot, lambda: len(log.entries) >= 12)
        log.focus()
        mark_colour = str(log.get_component_rich_style("event-log--mark").color)
        assert not log.columns.gutter and log.lines[0][0].isdigit()  # no marks: no gutter

        await pilot.press("u")  # no marks yet: a notification, nothing moves
        await pilot.pause()
        assert log.following

        await pilot.press("home", "m")  # the first line
        await pilot.press("down", "down", "down", "m")  # the fourth
        await pilot.pause()
        assert not log.following  # the jumps pause, like the cursor keys
        first, fourth = log.entries[0][SEQ], log.entries[3][SEQ]
        assert first in log.marks and fourth in log.marks and len(log.marks) == 2
        assert gutter(log, 0) == (MARK_GLYPH, mark_colour)  # a glyph: it shows without colour too
        assert gutter(log, 3)[0] == MARK_GLYPH and gutter(log, 1)[0] == " "
        assert log.columns.gutter == 1
        assert log.lines[1][1:3].isdigit() and log.lines[1][3] == ":"  # the time, one cell on

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
        assert gutter(log, y) == (MARK_GLYPH, mark_colour)

        log.cursor = y  # the last mark unmarked: the gutter goes, the time is back in cell 0
        await pilot.press("m")
        await pilot.pause()
        assert not log.marks and not log.columns.gutter and log.lines[y][0].isdigit()


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


async def test_a_mark_goes_when_the_buffer_evicts_its_event(raw_server, tmp_path):
    """A buffer of 30 events under a steady stream: the marked event is evicted, and with it its
    mark and (the last one gone) the gutter; a mark on a retained event stays until it goes too."""
    raw_server.handler = pinging(pause=0.02)
    app = build_app(one_stream(tmp_path, raw_server.url), autostart=("watch",), buffer_size=30)
    async with app.run_test(size=(80, 24)) as pilot:
        log = app.query_one(EventLog)
        await wait_for(pilot, lambda: len(log.entries) >= 20)
        log.focus()
        await pilot.press("home", "m")
        marked = log.current_entry[SEQ]
        assert marked in log.marks and log.columns.gutter
        await pilot.press("end")  # following again: the log forgets what the buffer evicts
        await wait_for(pilot, lambda: app.session.buffer.next_seq - len(app.session.buffer) > marked + 1)
        await wait_for(pilot, lambda: not log.marks, what="the evicted event's mark to go")
        assert not log.columns.gutter and all(e[SEQ] > marked for e in log.entries)
        assert len(log.entries) <= 30
