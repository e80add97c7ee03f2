"""Safe keys (issue 11, item 7): Ctrl+L redraws as in every terminal program and forgets nothing;
forgetting the retained events is a palette command that asks first."""

from __future__ import annotations

import asyncio

from textual._compositor import ChopsUpdate, LayoutUpdate

from streamdash.ui.app import StreamdashApp
from streamdash.ui.launch import build_app
from streamdash.ui.screens.dialogs import ConfirmScreen
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
