"""The chart pane, driven as a person does: C shows and hides it, 5/F8 go to it, `v` on an
event picks a number to plot; plus SVG snapshots of it at 160x48 and 80x24."""

from __future__ import annotations

import json

import pytest

from streamdash.core.sse import Event, StreamState
from streamdash.core.sse.events import StateChange
from streamdash.ui.app import StreamdashApp
from streamdash.ui.screens.plot_picker import PlotPickerScreen
from streamdash.ui.widgets.chart_pane import ChartPane
from streamdash.ui.widgets.event_log import EventLog
from tests.ui.pilot import palette, wait_for
from tests.ui.test_snapshots import FIXED_EPOCH as NOW
from tests.ui.test_snapshots import collection_dir, make_app  # noqa: F401 - the fixture is used by name

SIZES = pytest.mark.parametrize("size", [(160, 48), (80, 24)], ids=["160x48", "80x24"])


def ticks(count: int = 120) -> list[Event]:
    """Two minutes of a ticker, one price a second, with a fixed shape."""
    return [
        Event(
            "tick",
            json.dumps(
                {"symbol": "ACME", "price": 100 + (i % 20) - (i // 20), "meta": {"latency_ms": i % 7}}
            ),
            id=str(i),
            received_at=NOW - count + i + 0.5,
        )
        for i in range(count)
    ]


async def fill(pilot) -> StreamdashApp:
    app: StreamdashApp = pilot.app
    chart = app.session.chart
    chart.state("ticker", StateChange(StreamState.CONNECTING, at=NOW - 200))
    chart.state("ticker", StateChange(StreamState.OPEN, at=NOW - 199))
    chart.state("ticker", StateChange(StreamState.BACKOFF, "dropped", delay=1.0, at=NOW - 90))
    chart.state("ticker", StateChange(StreamState.OPEN, at=NOW - 80))
    chart.state("logs", StateChange(StreamState.OPEN, at=NOW - 250))
    chart.state("logs", StateChange(StreamState.FAILED, "refused", at=NOW - 30))
    buffer = app.session.buffer
    for event in ticks():  # fed a second at a time, as the pane's timer would have
        buffer.extend("ticker", [event])
        chart.feed_from(buffer, event[5])
    app.events_pane.flush()
    await pilot.pause()
    return app


async def plot_price(pilot, app: StreamdashApp) -> None:
    log = app.query_one(EventLog)
    log.focus()
    await pilot.press("v")
    await wait_for(pilot, lambda: isinstance(app.screen, PlotPickerScreen), what="the picker")
    listing = app.screen.query_one("#plot-list")
    assert [option.id for option in listing.options] == ["price", "meta.latency_ms"]
    await pilot.press("enter")
    await wait_for(pilot, lambda: not isinstance(app.screen, PlotPickerScreen))
    await pilot.pause(0.3)


@SIZES
async def test_v_plots_a_field_of_the_selected_event_and_shows_the_chart(collection_dir, size) -> None:  # noqa: F811
    app = make_app(collection_dir)
    async with app.run_test(size=size) as pilot:
        await fill(pilot)
        chart = app.query_one(ChartPane)
        assert not chart.display or app.panes.narrow
        assert not chart.shown
        await plot_price(pilot, app)
        assert ("ticker", "price") in app.session.chart.plots
        assert chart.shown and chart.display and chart.region.height > 0
        assert "ticker · price" in chart.render().plain
        assert "last 114  min 95  max 119" in chart.render().plain  # i = 119: 100 + 19 - 5


async def test_c_shows_and_hides_the_chart_and_hidden_it_never_draws(collection_dir) -> None:  # noqa: F811
    app = make_app(collection_dir)
    async with app.run_test(size=(160, 48)) as pilot:
        await fill(pilot)
        chart = app.query_one(ChartPane)
        log = app.query_one(EventLog)
        data_width = log.size.width
        await pilot.press("C")
        await pilot.pause(0.3)
        assert chart.display and chart.shown and chart.draws >= 1
        assert "events/s" in chart.render().plain
        await pilot.press("C")
        await pilot.pause()
        assert not chart.display and not chart.shown
        assert log.size.width == data_width  # hidden, it takes no room from the log
        draws = chart.draws
        app.session.buffer.extend("ticker", ticks(10))
        await pilot.pause(0.5)
        assert chart.draws == draws  # hidden: fed, never drawn
        assert app.session.chart.seq == app.session.buffer.next_seq


async def test_no_redraw_when_nothing_changed(collection_dir) -> None:  # noqa: F811
    app = make_app(collection_dir)
    async with app.run_test(size=(160, 48)) as pilot:
        await fill(pilot)
        chart = app.query_one(ChartPane)
        await pilot.press("C")
        await pilot.pause(0.4)
        draws = chart.draws
        await pilot.pause(0.8)  # the clock is fixed and no event comes: the picture is the same
        assert chart.draws == draws


@pytest.mark.parametrize("key", ["5", "f8"])
async def test_5_and_f8_go_to_the_chart_in_the_narrow_layout_and_c_goes_back(collection_dir, key) -> None:  # noqa: F811
    app = make_app(collection_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await fill(pilot)
        chart = app.query_one(ChartPane)
        await pilot.press(key)
        await pilot.pause(0.3)
        assert app.panes.pane == "chart" and chart.has_focus and chart.shown
        assert chart.region.width > 0 and not app.query_one(EventLog).region.width
        await pilot.press("C")
        await pilot.pause()
        assert app.panes.pane == "events" and not chart.shown


async def test_the_palette_plots_and_toggles(collection_dir) -> None:  # noqa: F811
    app = make_app(collection_dir)
    async with app.run_test(size=(160, 48)) as pilot:
        await fill(pilot)
        app.query_one(EventLog).focus()
        await palette(pilot, "Plot a field of the selected event")
        await wait_for(pilot, lambda: isinstance(app.screen, PlotPickerScreen), what="the picker")
        await pilot.press("down", "enter")
        await pilot.pause(0.3)
        assert ("ticker", "meta.latency_ms") in app.session.chart.plots
        await palette(pilot, "Show or hide the chart")
        assert not app.query_one(ChartPane).shown


async def test_v_on_an_event_without_numbers_says_so(collection_dir) -> None:  # noqa: F811
    app = make_app(collection_dir)
    async with app.run_test(size=(160, 48)) as pilot:
        app.session.buffer.extend("logs", [Event("log", "plain text", received_at=NOW - 1)])
        app.events_pane.flush()
        await pilot.pause()
        app.query_one(EventLog).focus()
        await pilot.press("v")
        await pilot.pause()
        assert not isinstance(app.screen, PlotPickerScreen)
        assert any("no number" in n.message for n in app._notifications)


@SIZES
def test_chart_snapshot(snap_compare, collection_dir, size) -> None:  # noqa: F811
    app = make_app(collection_dir)

    async def run_before(pilot) -> None:
        await fill(pilot)
        await plot_price(pilot, app)
        await pilot.pause(0.3)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
