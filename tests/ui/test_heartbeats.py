"""Typed heartbeats in the dashboard (issue 10, 6b): a real server sends `event: ping` between
its prices; the log dims them, `H` hides them (counted on the filter bar's line, kept in the
buffer) and shows them again."""

from __future__ import annotations

from rich.segment import Segment

from streamdash.core.buffer import ID, TYPE
from streamdash.ui.app import StreamdashApp
from streamdash.ui.launch import build_app
from streamdash.ui.widgets.event_log import EventLog
from streamdash.ui.widgets.filter_bar import FilterBar
from tests.helpers.raw_server import Conn
from tests.ui.pilot import palette
from tests.ui.test_app import wait_for
from tests.ui.test_app_evidence import one_stream


def pinging(pause: float = 0.02):
    async def handler(conn: Conn) -> None:
        await conn.start()
        n = 0
        while True:
            n += 1
            kind = "ping" if n % 3 == 0 else "price"
            await conn.send(f"id: {n}\nevent: {kind}\ndata: {{\"n\": {n}}}\n\n".encode(), pause)

    return handler


def line_styles(log: EventLog, y: int) -> set[str]:
    """The foreground colours a log line is drawn in."""
    strip = log._render_line_strip(y, log.rich_style)
    return {str(seg.style.color) for seg in strip if isinstance(seg, Segment) and seg.style and seg.style.color}


def status(app: StreamdashApp) -> str:
    """The filter bar's line: its status, and the heartbeats chip when it shows."""
    bar = app.query_one(FilterBar)
    chip = bar.query_one("#filter-heartbeats")
    parts = [str(bar.query_one("#filter-status").render())]
    if chip.display:
        parts.append(str(chip.render()))
    return " ".join(parts)


def pings(app: StreamdashApp) -> int:
    return sum(1 for e in app.session.buffer if e[TYPE] == "ping")


async def test_pings_are_dimmed_hidden_by_a_key_counted_and_shown_again(raw_server, tmp_path):
    raw_server.handler = pinging()
    app = build_app(one_stream(tmp_path, raw_server.url), autostart=("watch",))
    async with app.run_test(size=(160, 48)) as pilot:
        log = app.query_one(EventLog)
        await wait_for(pilot, lambda: sum(e[TYPE] == "ping" for e in log.entries) >= 2)
        # Dimmed by default: a ping line is drawn in the heartbeat colour only; a price is not.
        dim = str(log.get_component_rich_style("event-log--heartbeat").color)
        kinds = [e[TYPE] for e in log.entries]
        assert line_styles(log, kinds.index("ping")) == {dim}
        assert dim not in line_styles(log, kinds.index("price"))

        log.focus()
        await pilot.press("H")
        await pilot.pause(0.2)
        assert app.events_pane.view.hide_heartbeats
        assert log.entries and all(e[TYPE] == "price" for e in log.entries)
        # The count is live: it follows what arrives while hidden.
        first = app.events_pane.view.hidden_heartbeats()
        assert first > 0 and f"{first:,} heartbeat" in status(app)
        await wait_for(pilot, lambda: app.events_pane.view.hidden_heartbeats() >= first + 3)
        app.events_pane.flush()  # a tick, here, so that nothing arrives between it and the checks
        hidden = app.events_pane.view.hidden_heartbeats()
        assert hidden == pings(app)  # every retained ping, nothing lost from the buffer
        assert f"{hidden:,} heartbeats hidden" in status(app)
        assert all(e[TYPE] == "price" for e in log.entries)

        await pilot.press("H")
        await pilot.pause(0.2)
        assert not app.events_pane.view.hide_heartbeats
        assert "hidden" not in status(app)
        shown = [e[ID] for e in log.entries]
        ids = [int(i) for i in shown]
        assert ids == list(range(ids[0], ids[0] + len(ids)))  # every event again, pings too
        assert any(e[TYPE] == "ping" for e in log.entries)


async def test_the_palette_hides_and_shows_heartbeats(raw_server, tmp_path):
    raw_server.handler = pinging(pause=0.2)
    app = build_app(one_stream(tmp_path, raw_server.url), autostart=("watch",))
    async with app.run_test(size=(160, 48)) as pilot:
        log = app.query_one(EventLog)
        await wait_for(pilot, lambda: any(e[TYPE] == "ping" for e in log.entries))
        await palette(pilot, "show heartbeats")
        assert app.events_pane.view.hide_heartbeats
        assert all(e[TYPE] != "ping" for e in log.entries)
        await palette(pilot, "show heartbeats")
        assert not app.events_pane.view.hide_heartbeats
        assert any(e[TYPE] == "ping" for e in log.entries)


async def test_a_streams_own_heartbeat_types_are_the_ones_dimmed(raw_server, tmp_path):
    """`[stream] heartbeat_events` (when the request sets it) decides, not the default:
    here the engine's options say "price" is the heartbeat and "ping" is news."""
    raw_server.handler = pinging()
    app = build_app(one_stream(tmp_path, raw_server.url), autostart=("watch",))
    async with app.run_test(size=(160, 48)) as pilot:
        log = app.query_one(EventLog)
        await wait_for(pilot, lambda: len(app.session.streams) == 1)
        live = next(iter(app.session.streams.values()))
        assert live.stream is not None
        from dataclasses import replace

        live.stream.options = replace(live.stream.options, heartbeat_events=frozenset({"price"}))
        await wait_for(pilot, lambda: sum(e[TYPE] == "ping" for e in log.entries) >= 2)
        log.focus()
        await pilot.press("H")
        await pilot.pause(0.2)
        assert log.entries and all(e[TYPE] == "ping" for e in log.entries)
