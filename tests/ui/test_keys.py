"""Safe keys (issue 11, item 7): Ctrl+L redraws as in every terminal program and forgets nothing;
forgetting the retained events is a palette command that asks first."""

from __future__ import annotations

import asyncio

import pytest
from textual._compositor import ChopsUpdate, LayoutUpdate
from textual.widgets import DataTable, Footer
from textual.widgets._footer import FooterKey
from textual.widgets._key_panel import BindingsTable

from streamdash.core.collections import load_collection
from streamdash.ui.app import StreamdashApp
from streamdash.ui.launch import build_app
from streamdash.ui.screens.dialogs import ConfirmScreen
from streamdash.ui.screens.environments import EnvironmentScreen
from streamdash.ui.screens.history import HistoryScreen
from streamdash.ui.widgets.event_log import EventLog
from tests.helpers.raw_server import Conn
from tests.ui.pilot import palette, wait_for
from tests.ui.test_app_evidence import one_stream

SIZE = (80, 24)


def five_then_quiet():
    """Five events, then an open and quiet stream: what is retained stays put while we look."""

    async def handler(conn: Conn) -> None:
        await conn.start()
        for n in range(1, 6):
            await conn.send(f"id: {n}\ndata: {{\"n\": {n}}}\n\n".encode())
        await asyncio.sleep(60)

    return handler


def rows_drawn(update: object, width: int) -> set[int]:
    """The screen rows a display update rewrites from the first column to the last."""
    if isinstance(update, LayoutUpdate):
        region = update.region
        return set(range(region.y, region.bottom)) if region.x == 0 and region.width >= width else set()
    if isinstance(update, ChopsUpdate):
        spans: dict[int, list[tuple[int, int]]] = {}
        for y, x1, x2 in update.spans:
            spans.setdefault(y, []).append((x1, x2))
        return {y for y, parts in spans.items() if min(p[0] for p in parts) == 0 and max(p[1] for p in parts) >= width - 1}
    return set()


async def started(pilot, app: StreamdashApp) -> EventLog:
    log = app.query_one(EventLog)
    await wait_for(pilot, lambda: len(app.session.buffer) == 5 and len(log.entries) == 5, what="five events")
    return log


async def test_ctrl_l_redraws_the_whole_screen_and_forgets_nothing(raw_server, tmp_path):
    raw_server.handler = five_then_quiet()
    app = build_app(one_stream(tmp_path, raw_server.url), autostart=("watch",))
    async with app.run_test(size=SIZE) as pilot:
        log = await started(pilot, app)
        await pilot.pause(0.3)
        drawn: set[int] = set()
        display = app._display

        def recording(screen, renderable):  # type: ignore[no-untyped-def]
            drawn.update(rows_drawn(renderable, SIZE[0]))
            return display(screen, renderable)

        app._display = recording  # type: ignore[method-assign]
        await pilot.pause(0.3)
        idle = set(drawn)
        assert len(idle) < SIZE[1], "the screen is not redrawn whole while nothing changes"
        drawn.clear()
        for widget in (log, app.requests_tree):  # the key works from any pane
            widget.focus()
            await pilot.press("ctrl+l")
            await pilot.pause(0.3)
            assert drawn >= set(range(SIZE[1])), f"rows not redrawn: {sorted(set(range(SIZE[1])) - drawn)}"
            drawn.clear()
        assert len(app.session.buffer) == 5
        assert len(log.entries) == 5
        assert not app.caught_errors


async def test_clearing_the_retained_events_is_a_palette_command_that_asks_first(raw_server, tmp_path):
    raw_server.handler = five_then_quiet()
    app = build_app(one_stream(tmp_path, raw_server.url), autostart=("watch",))
    async with app.run_test(size=SIZE) as pilot:
        log = await started(pilot, app)
        await palette(pilot, "Clear the retained events")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        assert "5" in str(app.screen.question)  # it says how many would go
        await pilot.press("enter")  # Enter is not a yes: this cannot be undone
        await pilot.pause(0.2)
        assert not isinstance(app.screen, ConfirmScreen)
        assert len(app.session.buffer) == 5 and len(log.entries) == 5

        await palette(pilot, "Clear the retained events")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        await pilot.press("n")
        await pilot.pause(0.2)
        assert len(app.session.buffer) == 5 and len(log.entries) == 5

        await palette(pilot, "Clear the retained events")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        await pilot.press("y")
        await wait_for(pilot, lambda: len(app.session.buffer) == 0 and not log.entries, what="cleared")
        assert app.screen is app.panes_screen


# -- every F-key action has a plain-key alternative ----------------------------------------------

# (F-key, its alternative, what it does). Many SSH terminals and multiplexers eat F-keys.
PANE_KEYS = [("f2", "1", "requests"), ("f3", "2", "events"), ("f4", "3", "response"), ("f5", "4", "stats")]
FOCUSED = {"requests": "requests", "events": "log", "response": "response-body", "stats": "stats-streams"}


def with_environment(tmp_path, url: str):
    collection = one_stream(tmp_path, url)
    (collection.root / "env").mkdir()
    (collection.root / "env" / "local.toml").write_text('[variables]\nx = "1"\n', "utf-8")
    return load_collection(collection.root)


@pytest.mark.parametrize("size", [(160, 48), SIZE], ids=["160x48", "80x24"])
async def test_every_f_key_action_has_a_plain_key_that_works_from_every_pane(raw_server, tmp_path, size):
    raw_server.handler = five_then_quiet()
    app = build_app(with_environment(tmp_path, raw_server.url), history_dir=tmp_path / "history")
    async with app.run_test(size=size) as pilot:
        for start, _, _ in PANE_KEYS:
            for _, plain, pane in PANE_KEYS:
                await pilot.press(start)  # focus on that pane's widget first
                await pilot.press(plain)
                await pilot.pause()
                focused = app.focused.id if app.focused else None
                assert focused == FOCUSED[pane], (start, plain, focused)
            for keys, dialog in ((("f6", "E"), EnvironmentScreen), (("f7", "ctrl+o"), HistoryScreen)):
                for key in keys:
                    await pilot.press(start, key)
                    await wait_for(pilot, lambda d=dialog: isinstance(app.screen, d), what=f"{key} from {start}")
                    await pilot.press("escape")
                    await wait_for(pilot, lambda: app.screen is app.panes_screen, what="closed")
        assert not app.caught_errors


async def test_the_plain_keys_still_type_into_the_filter(raw_server, tmp_path):
    raw_server.handler = five_then_quiet()
    app = build_app(with_environment(tmp_path, raw_server.url), history_dir=tmp_path / "history")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        await pilot.pause()
        await pilot.press("1", "2", "E", "4")
        await pilot.pause()
        assert app.focused is not None and getattr(app.focused, "value", None) == "12E4"
        assert app.screen is app.panes_screen


async def test_the_key_list_shows_each_alternative_beside_its_f_key(raw_server, tmp_path):
    raw_server.handler = five_then_quiet()
    app = build_app(with_environment(tmp_path, raw_server.url), history_dir=tmp_path / "history")
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("f1")
        await wait_for(pilot, lambda: bool(app.screen.query(BindingsTable)), what="the key list")
        await pilot.pause()
        table = app.screen.query_one(BindingsTable).render_bindings_table()
        keys = {str(key): str(what) for key, what in zip(table.columns[0].cells, table.columns[1].cells, strict=True)}
        for expected in ("f1 ?", "f2 1", "f3 2", "f4 3", "f5 4", "f6 E", "f7 ^o", "^l"):
            assert expected in keys, (expected, list(keys))


# -- the stats table keeps its stream column when it scrolls sideways ----------------------------


def row_text(table: DataTable, y: int) -> str:
    return "".join(segment.text for segment in table.render_line(y))


@pytest.mark.parametrize("table_id", ["stats-streams", "stats-measures"])
async def test_the_stats_tables_keep_the_stream_column_when_scrolled_sideways(raw_server, tmp_path, table_id):
    raw_server.handler = five_then_quiet()
    app = build_app(one_stream(tmp_path, raw_server.url), autostart=("watch",))
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, app)
        await pilot.press("4")  # the stats pane, alone at 80 columns
        app.refresh_stats()
        await pilot.pause()
        table = app.query_one(f"#{table_id}", DataTable)
        await wait_for(pilot, lambda: table.row_count == 1 and table.max_scroll_x > 0, what="a wide row")
        assert row_text(table, 0).lstrip().startswith("Stream") and "watch" in row_text(table, 1)
        table.scroll_to(x=table.max_scroll_x, animate=False)
        await pilot.pause()
        assert table.scroll_x == table.max_scroll_x > 0
        header, row = row_text(table, 0), row_text(table, 1)
        assert header.lstrip().startswith("Stream"), header
        assert row.lstrip().startswith("watch"), row


# -- at 80x24 the footer shows the focused pane's keys first -------------------------------------


def footer_keys(app: StreamdashApp) -> list[str]:
    """The footer's keys a person can read whole, left to right (the palette key sits at the
    right edge, over whatever runs under it)."""
    footer = app.screen.query_one(Footer)
    keys = list(footer.query(FooterKey))
    palette_key = [k for k in keys if k.has_class("-command-palette")]
    right = palette_key[0].region.x if palette_key else footer.region.right
    return [
        k.description or k.key_display
        for k in sorted(keys, key=lambda k: k.region.x)
        if not k.has_class("-command-palette") and k.region.width and k.region.right <= right
    ]


@pytest.mark.parametrize(
    ("pane_key", "wanted"),
    [("2", ["Filter", "Pause", "Follow"]), ("1", ["Run", "Edit", "New"]), ("3", ["Search body", "Headers"])],
    ids=["events", "requests", "response"],
)
async def test_at_80x24_the_footer_shows_the_focused_panes_keys_first(raw_server, tmp_path, pane_key, wanted):
    raw_server.handler = five_then_quiet()
    app = build_app(one_stream(tmp_path, raw_server.url))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(pane_key)
        await pilot.pause(0.3)
        shown = footer_keys(app)
        assert shown[: len(wanted)] == wanted, shown
        assert "Requests" in shown or "f2" in shown, shown  # and a way to the other panes
