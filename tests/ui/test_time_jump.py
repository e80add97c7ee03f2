"""Moving in time in the event log (issue 11 item 4): `t` jumps to a clock time or a relative
one, `D` shows the time since each stream's previous event (measured again over what a filter
shows), and the palette sets the gap threshold that `>`/`<` and D's highlight use."""

from __future__ import annotations

import asyncio

from rich.segment import Segment
from textual.widgets import Input, Static
from textual.widgets._key_panel import BindingsTable

from streamdash.core.buffer import ID, RECEIVED_AT, TYPE
from streamdash.ui.launch import build_app
from streamdash.ui.lines import SINCE_W, clock
from streamdash.ui.screens.dialogs import CheckedPromptScreen
from streamdash.ui.widgets.event_log import EventLog
from tests.ui.pilot import notes, palette, wait_for
from tests.ui.test_app_evidence import one_stream
from tests.ui.test_heartbeats import pinging

SIZE = (100, 30)  # wide enough for a whole notification line


def quiet_spell():
    """ids 1-3 (price, ping, price), a 2.4 s pause, 4-6 (price, ping, price), then quiet."""

    async def handler(conn) -> None:
        await conn.start()
        for n, kind, pause in ((1, "price", 0.01), (2, "ping", 0.01), (3, "price", 2.4)):
            await conn.send(f"id: {n}\nevent: {kind}\ndata: {{\"n\": {n}}}\n\n".encode(), pause)
        for n, kind in ((4, "price"), (5, "ping"), (6, "price")):
            await conn.send(f"id: {n}\nevent: {kind}\ndata: {{\"n\": {n}}}\n\n".encode(), 0.01)
        await asyncio.sleep(60)

    return handler


async def six_events(pilot, app) -> EventLog:
    log = app.query_one(EventLog)
    await wait_for(pilot, lambda: len(log.entries) >= 6, timeout=15, what="six events")
    log.focus()
    await pilot.pause()
    return log


def by_id(log: EventLog, ident: str) -> int:
    return next(y for y, entry in enumerate(log.entries) if entry[ID] == ident)


async def ask(pilot, text: str, key: str = "t") -> CheckedPromptScreen:
    """Open the dialog (t), type `text` over what it holds, Enter."""
    app = pilot.app
    if not isinstance(app.screen, CheckedPromptScreen):
        await pilot.press(key)
        await wait_for(pilot, lambda: isinstance(app.screen, CheckedPromptScreen), what="the dialog")
    screen = app.screen
    screen.query_one(Input).value = ""
    await pilot.press(*text, "enter")
    await pilot.pause(0.2)
    return screen


def problem(screen: CheckedPromptScreen) -> str:
    return str(screen.query_one("#checked-problem", Static).render())


async def test_t_jumps_to_a_time_and_says_where_it_landed(raw_server, tmp_path):
    raw_server.handler = quiet_spell()
    app = build_app(one_stream(tmp_path, raw_server.url), autostart=("watch",))
    async with app.run_test(size=SIZE) as pilot:
        log = await six_events(pilot, app)
        assert log.following
        fourth = log.entries[by_id(log, "4")]

        # A second before id 4 arrived: inside the pause, so the first event from then is id 4.
        screen = await ask(pilot, clock(fourth[RECEIVED_AT] - 1.0))
        assert app.screen is not screen  # landed: the dialog closed
        assert not log.following and log.current_entry == fourth
        assert f"{clock(fourth[RECEIVED_AT])} \u00b7 watch #4" in notes(app)

        # A bad time: one line in the dialog, which stays for another try; nothing moves.
        screen = await ask(pilot, "soon")
        assert app.screen is screen and "not a time: 'soon'" in problem(screen)
        assert "\n" not in problem(screen) and log.current_entry == fourth

        # After the newest event (and not yet a minute ahead, so today): said, in the dialog.
        newest = max(entry[RECEIVED_AT] for entry in log.entries)
        screen = await ask(pilot, clock(newest + 30.0))
        assert app.screen is screen
        assert f"no event at or after {clock(newest + 30.0)}" in problem(screen)
        assert f"the newest event shown is {clock(newest)}" in problem(screen)

        await pilot.press("escape")  # Esc cancels: the cursor stays where it was
        await pilot.pause()
        assert not isinstance(app.screen, CheckedPromptScreen) and log.current_entry == fourth

        # Before everything retained ("5m ago"): lands on the oldest and says what is retained.
        oldest = log.entries[0]
        await ask(pilot, "5m ago")
        assert log.current_entry == oldest
        assert any(
            "is before the oldest retained event, " + clock(oldest[RECEIVED_AT]) in text for text in notes(app)
        ), notes(app)

        # Retained, but the filter hides it: said so, and the cursor goes to the oldest shown.
        await pilot.press("slash", *"id:4,5,6", "enter")
        await pilot.pause(0.3)
        assert [entry[ID] for entry in log.entries] == ["4", "5", "6"]
        await ask(pilot, clock(oldest[RECEIVED_AT]))
        assert log.current_entry is not None and log.current_entry[ID] == "4"
        assert any("is retained but not among the lines shown" in text for text in notes(app)), notes(app)


async def test_jump_to_a_time_from_the_palette(raw_server, tmp_path):
    raw_server.handler = quiet_spell()
    app = build_app(one_stream(tmp_path, raw_server.url), autostart=("watch",))
    async with app.run_test(size=SIZE) as pilot:
        log = await six_events(pilot, app)
        await palette(pilot, "Jump to a time")
        assert isinstance(app.screen, CheckedPromptScreen)
        sixth = log.entries[by_id(log, "6")]
        await ask(pilot, clock(sixth[RECEIVED_AT]))
        assert log.current_entry is not None and log.current_entry[RECEIVED_AT] >= sixth[RECEIVED_AT] - 0.001


def since_cell(log: EventLog, y: int) -> tuple[str, str]:
    """Line y's since column: its text and the colour it is drawn in."""
    columns = log.columns
    cell = log.lines[y][columns.since_at : columns.data_at - 1]
    strip = log._render_line_strip(y, log.rich_style)
    x, colour = 0, ""
    for segment in strip:
        if isinstance(segment, Segment) and x <= columns.since_at < x + len(segment.text):
            colour = str(segment.style.color) if segment.style else ""
        x += len(segment.text)
    return cell, colour


async def test_d_shows_the_time_since_the_streams_previous_event_over_what_is_shown(raw_server, tmp_path):
    raw_server.handler = quiet_spell()
    app = build_app(one_stream(tmp_path, raw_server.url), autostart=("watch",))
    async with app.run_test(size=SIZE) as pilot:
        log = await six_events(pilot, app)
        plain_data_at = log.columns.data_at
        gap_colour = str(log.get_component_rich_style("event-log--gap").color)
        since_colour = str(log.get_component_rich_style("event-log--since").color)

        await pilot.press("D")
        await pilot.pause()
        assert log.columns.since == SINCE_W and log.columns.data_at == plain_data_at + SINCE_W + 1
        first, third, fourth = by_id(log, "1"), by_id(log, "3"), by_id(log, "4")
        assert since_cell(log, first)[0].strip() == ""  # the stream's first event: no previous
        text, colour = since_cell(log, third)
        assert text.strip().startswith("+0.0") and text.endswith("s") and colour == since_colour
        text, colour = since_cell(log, fourth)
        assert text.strip().startswith("+2.") and colour == gap_colour  # the pause stands out
        assert len({len(log.lines[y][: log.columns.data_at]) for y in range(len(log.entries))}) == 1  # aligned
        assert all(log.lines[y][log.columns.data_at :].startswith('{"n"') for y in range(len(log.entries)))

        # Filtered to the pings: measured again over what shows, so ping 5 follows ping 2 (a
        # heartbeat, dimmed, but its pause still stands out).
        await pilot.press("slash", *"type:ping", "enter")
        await pilot.pause(0.3)
        assert [entry[TYPE] for entry in log.entries] == ["ping", "ping"]
        assert since_cell(log, 1)[0].strip().startswith("+2.") and since_cell(log, 1)[1] == gap_colour

        app.events_pane.filter_bar.input.value = ""  # and back: ping 5 follows price 4 again
        app.events_pane.apply_filter()
        await pilot.pause(0.3)
        assert since_cell(log, by_id(log, "5"))[0].strip().startswith("+0.0")

        log.focus()
        await pilot.press("D")  # off: the data starts right after the id again
        await pilot.pause()
        assert log.columns.since == 0 and log.columns.data_at == plain_data_at
        assert log.lines[0][plain_data_at:].startswith('{"n"')


async def test_the_gap_threshold_is_set_from_the_palette_and_checked(raw_server, tmp_path):
    raw_server.handler = quiet_spell()
    app = build_app(one_stream(tmp_path, raw_server.url), autostart=("watch",))
    async with app.run_test(size=SIZE) as pilot:
        log = await six_events(pilot, app)
        await pilot.press("D")
        await pilot.pause()
        gap_colour = str(log.get_component_rich_style("event-log--gap").color)
        assert since_cell(log, by_id(log, "4"))[1] == gap_colour

        await palette(pilot, "Set the gap threshold")
        screen = await ask(pilot, "a while")
        assert app.screen is screen and "not seconds: 'a while'" in problem(screen)
        screen = await ask(pilot, "0")
        assert app.screen is screen and "over 0 s" in problem(screen)
        assert log.gap_seconds == 2.0
        await ask(pilot, "5")
        assert not isinstance(app.screen, CheckedPromptScreen) and log.gap_seconds == 5.0
        assert any("gap threshold: 5 s" in text for text in notes(app))

        log.focus()
        assert since_cell(log, by_id(log, "4"))[1] != gap_colour  # 2.4 s is no longer a gap
        await pilot.press("home", "greater_than_sign")
        await pilot.pause()
        assert any("no pause over 5 s" in text for text in notes(app))
        assert log.current_entry == log.entries[0]

        await palette(pilot, "Set the gap threshold")
        await ask(pilot, "500ms")
        assert log.gap_seconds == 0.5
        log.focus()
        await pilot.press("greater_than_sign")
        await pilot.pause()
        assert log.current_entry is not None and log.current_entry[ID] == "4"


async def test_t_and_d_are_remappable_and_listed_by_f1(raw_server, tmp_path):
    raw_server.handler = quiet_spell()
    app = build_app(one_stream(tmp_path, raw_server.url), autostart=("watch",))
    app.key_table = ({"jump_to_time": "J", "toggle_since": "W"}, {}, [])
    async with app.run_test(size=(160, 48)) as pilot:
        log = await six_events(pilot, app)
        assert not notes(app, "config.toml: key not changed")
        await pilot.press("t", "D")  # the old keys do nothing now
        await pilot.pause()
        assert not isinstance(app.screen, CheckedPromptScreen) and not log.show_since
        await pilot.press("W")
        await pilot.pause()
        assert log.show_since
        await pilot.press("J")
        await wait_for(pilot, lambda: isinstance(app.screen, CheckedPromptScreen), what="the dialog")
        await pilot.press("escape")
        await pilot.pause()
        log.focus()
        await pilot.press("f1")
        await wait_for(pilot, lambda: bool(app.screen.query(BindingsTable)), what="the key list")
        await pilot.pause()
        table = app.screen.query_one(BindingsTable).render_bindings_table()
        keys = {
            str(what): str(key)
            for key, what in zip(table.columns[0].cells, table.columns[1].cells, strict=True)
        }
        assert keys.get("Jump to a time") == "J" and keys.get("Time since previous") == "W", keys


async def test_a_time_after_what_a_paused_log_shows_catches_up_first(raw_server, tmp_path):
    """Paused, the log shows what was there when the reader paused; a time since then is in the
    buffer, so the log catches up (staying paused) and lands on it."""
    raw_server.handler = pinging(pause=0.05)
    app = build_app(one_stream(tmp_path, raw_server.url), autostart=("watch",))
    async with app.run_test(size=SIZE) as pilot:
        log = app.query_one(EventLog)
        await wait_for(pilot, lambda: len(log.entries) >= 5)
        log.focus()
        await pilot.press("up")
        assert not log.following
        shown_newest = max(entry[RECEIVED_AT] for entry in log.entries)
        await wait_for(pilot, lambda: app.events_pane.waiting >= 5, what="events to wait while paused")
        later = list(app.session.buffer)[-2]
        assert later[RECEIVED_AT] > shown_newest
        await ask(pilot, clock(later[RECEIVED_AT]))
        assert not isinstance(app.screen, CheckedPromptScreen)  # landed
        assert not log.following and log.current_entry is not None
        assert later[RECEIVED_AT] - 0.001 <= log.current_entry[RECEIVED_AT] <= later[RECEIVED_AT]
