"""Columns from JSON fields in the dashboard (issue 11, item 2), driven as a person does: a
saved `[stream] columns` shows aligned values, `c` on an event picks a field, the palette saves,
clears and sets a template; non-JSON data stays raw and the detail view keeps the whole event."""

from __future__ import annotations

import json
import tomllib

import pytest
from textual.widgets import Input, OptionList, TextArea

from streamdash.core.buffer import DATA
from streamdash.ui.launch import build_app
from streamdash.ui.screens.column_picker import ColumnPickerScreen
from streamdash.ui.screens.dialogs import PromptScreen
from streamdash.ui.screens.event_detail import EventDetailScreen
from streamdash.ui.screens.request_editor import RequestEditorScreen
from streamdash.ui.widgets.event_log import EventLog
from tests.helpers.raw_server import Conn
from tests.ui.pilot import notes, palette, select, wait_for
from tests.ui.test_app_evidence import one_stream

LEVELS = ("info", "warning", "error")
SIZES = pytest.mark.parametrize("size", [(160, 48), (80, 24)], ids=["160x48", "80x24"])


def logging(pause: float = 0.03):
    async def handler(conn: Conn) -> None:
        n = int(conn.request.header("Last-Event-ID") or 0)
        await conn.start()
        while True:
            n += 1
            if n % 5 == 0:
                data = f"plain line {n}"
            else:
                data = json.dumps(
                    {
                        "level": LEVELS[n % 3],
                        "service": "api" if n % 2 else "billing",
                        "msg": f"m{n}",
                        "user": {"id": n},
                    }
                )
            await conn.send(f"id: {n}\ndata: {data}\n\n".encode(), pause)

    return handler


def lines(log: EventLog) -> list[str]:
    return [str(line) for line in log.lines]


def data_part(log: EventLog, y: int) -> str:
    return lines(log)[y][log.columns.data_at :]


@SIZES
async def test_saved_columns_align_and_plain_data_stays_raw(raw_server, tmp_path, size):
    raw_server.handler = logging()
    app = build_app(
        one_stream(tmp_path, raw_server.url, 'columns = ["level", "service", "msg"]'), autostart=("watch",)
    )
    async with app.run_test(size=size) as pilot:
        log = app.query_one(EventLog)
        await wait_for(pilot, lambda: len(log.entries) >= 8, what="events")
        await pilot.pause(0.1)
        shown = [data_part(log, y) for y in range(len(log.entries))]
        for entry, text in zip(log.entries, shown, strict=True):
            if entry[DATA].startswith("{"):
                value = json.loads(entry[DATA])
                # level padded to "warning" (7) and service to "billing" (7), two spaces apart
                assert text == f"{value['level']:<7}  {value['service']:<7}  {value['msg']}"
            else:
                assert text == entry[DATA]  # not JSON: the raw text, unchanged
        assert "level \u2502 service \u2502 msg" in str(app.events_pane.border_title)


async def test_c_picks_a_field_saves_it_and_the_stream_does_not_restart(raw_server, tmp_path):
    raw_server.handler = logging()
    app = build_app(one_stream(tmp_path, raw_server.url, 'columns = ["level"]'), autostart=("watch",))
    async with app.run_test(size=(160, 48)) as pilot:
        log = app.query_one(EventLog)
        await wait_for(pilot, lambda: len(log.entries) >= 6, what="events")
        log.focus()
        await pilot.press("up")  # the cursor on the last line: a JSON event or a plain one
        if not log.current_entry[DATA].startswith("{"):
            await pilot.press("up")
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ColumnPickerScreen), what="the picker")
        listing = app.screen.query_one(OptionList)
        paths = [listing.get_option_at_index(i).id for i in range(listing.option_count)]
        assert paths == ["level", "service", "msg", "user.id"]
        assert "\u2713 level" in str(listing.get_option_at_index(0).prompt)
        listing.highlighted = paths.index("user.id")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, ColumnPickerScreen))
        await pilot.press("end")
        await wait_for(pilot, lambda: log.following and len(log.entries) > 2)
        await pilot.pause(0.2)
        assert any("column user.id added" in n for n in notes(app))
        json_rows = [y for y, e in enumerate(log.entries) if e[DATA].startswith("{")]
        for y in json_rows:
            value = json.loads(log.entries[y][DATA])
            assert data_part(log, y) == f"{value['level']:<7}  {value['user']['id']}"

        await palette(pilot, "Save the columns to the request")
        await pilot.pause(0.2)
        text = (app.session.collection.root / "watch.toml").read_text()
        assert "columns = [" in text and '"user.id"' in text
        before = len(app.session.buffer)
        await wait_for(pilot, lambda: len(app.session.buffer) >= before + 4, what="more events")
        assert raw_server.connections == 1  # a display-only save restarts nothing

        await palette(pilot, "Clear the columns")
        await pilot.pause(0.2)
        await wait_for(pilot, lambda: len(log.entries) > 2)
        assert all(data_part(log, y) == e[DATA] for y, e in enumerate(log.entries))


async def test_a_template_from_the_palette_and_a_bad_one_is_one_line(raw_server, tmp_path):
    raw_server.handler = logging()
    app = build_app(one_stream(tmp_path, raw_server.url), autostart=("watch",))
    async with app.run_test(size=(80, 24)) as pilot:
        log = app.query_one(EventLog)
        await wait_for(pilot, lambda: len(log.entries) >= 3, what="events")
        await palette(pilot, "Set a display template")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
        await pilot.press(*"{level")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, PromptScreen))
        assert any("unmatched brace" in n for n in notes(app))
        await palette(pilot, "Set a display template")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
        app.screen.query_one(Input).value = "[{level}] {service}: {msg}"
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, PromptScreen))
        await wait_for(pilot, lambda: len(log.entries) >= 3)
        await pilot.pause(0.2)
        for y, entry in enumerate(log.entries):
            if entry[DATA].startswith("{"):
                v = json.loads(entry[DATA])
                assert data_part(log, y) == f"[{v['level']}] {v['service']}: {v['msg']}"
            else:
                assert data_part(log, y) == entry[DATA]


async def test_the_detail_view_keeps_the_whole_raw_event(raw_server, tmp_path):
    raw_server.handler = logging()
    app = build_app(one_stream(tmp_path, raw_server.url, 'columns = ["level"]'), autostart=("watch",))
    async with app.run_test(size=(160, 48)) as pilot:
        log = app.query_one(EventLog)
        await wait_for(pilot, lambda: len(log.entries) >= 3, what="events")
        log.focus()
        await pilot.press("up")
        if not log.current_entry[DATA].startswith("{"):
            await pilot.press("up")
        entry = log.current_entry
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, EventDetailScreen))
        shown = app.screen.query_one("#detail-data", TextArea).text
        assert json.loads(shown) == json.loads(entry[DATA])  # every field, not just the column
        assert "service" in shown and "user" in shown


async def test_c_on_plain_data_says_why_and_opens_nothing(raw_server, tmp_path):
    async def plain(conn: Conn) -> None:
        await conn.start()
        n = 0
        while True:
            n += 1
            await conn.send(f"data: plain {n}\n\n".encode(), 0.03)

    raw_server.handler = plain
    app = build_app(one_stream(tmp_path, raw_server.url), autostart=("watch",))
    async with app.run_test(size=(80, 24)) as pilot:
        log = app.query_one(EventLog)
        await wait_for(pilot, lambda: len(log.entries) >= 2, what="events")
        log.focus()
        await pilot.press("c")
        await pilot.pause(0.2)
        assert not isinstance(app.screen, ColumnPickerScreen)
        assert any("not a JSON object" in n for n in notes(app))


@SIZES
async def test_the_request_editor_edits_columns_and_template(raw_server, tmp_path, size):
    app = build_app(one_stream(tmp_path, raw_server.url, 'columns = ["level"]'))
    async with app.run_test(size=size) as pilot:
        await select(pilot, app, "watch")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, RequestEditorScreen))
        assert app.screen.query_one("#editor-display").display
        assert app.screen.query_one("#editor-columns", Input).value == "level"
        app.screen.query_one("#editor-columns", Input).value = "level a..b"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "column 'a..b' must be a dotted JSON path" in str(
            app.screen.query_one("#editor-error").render()
        )
        app.screen.query_one("#editor-columns", Input).value = "level, user.id"
        app.screen.query_one("#editor-template", Input).value = "{msg"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "template: has an unmatched brace" in str(app.screen.query_one("#editor-error").render())
        app.screen.query_one("#editor-template", Input).value = "{level}: {msg}"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, RequestEditorScreen))
    saved = tomllib.loads((tmp_path / "coll" / "watch.toml").read_text())
    assert saved["stream"]["columns"] == ["level", "user.id"]
    assert saved["stream"]["template"] == "{level}: {msg}"


async def test_picking_a_column_while_paused_keeps_the_place_and_the_cursor(raw_server, tmp_path):
    """Found in tmux: `c` on a line of a paused log re-filtered it, which sent the view to the
    first retained event and dropped the cursor. A column changes how lines look, not which."""
    raw_server.handler = logging(pause=0.01)
    app = build_app(one_stream(tmp_path, raw_server.url), autostart=("watch",))
    async with app.run_test(size=(160, 48)) as pilot:
        log = app.query_one(EventLog)
        await wait_for(pilot, lambda: len(log.entries) >= 120, what="events")
        log.focus()
        await pilot.press("up", "up")
        if not log.current_entry[DATA].startswith("{"):
            await pilot.press("up")
        here, top = log.current_entry, log.scroll_y
        assert not log.following and top > 0
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ColumnPickerScreen), what="the picker")
        await pilot.press("enter")  # the first field: level
        await wait_for(pilot, lambda: not isinstance(app.screen, ColumnPickerScreen))
        await pilot.pause(0.3)
        assert log.current_entry == here and log.scroll_y == top and not log.following
        value = json.loads(here[DATA])
        assert data_part(log, log.cursor) == value["level"]
