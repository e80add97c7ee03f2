"""The app's chart actions (C, 5/F8, the log's `v`), kept out of app.py: showing the pane in
the wide and the narrow layout, and turning "plot this event's field" into a feed series."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import App

from streamdash.core.buffer import DATA, NOTE_STREAM, STREAM
from streamdash.core.series import numeric_paths
from streamdash.ui.screens.plot_picker import PlotPickerScreen
from streamdash.ui.widgets.chart_pane import ChartPane
from streamdash.ui.widgets.event_log import EventLog

if TYPE_CHECKING:
    from streamdash.core.session import Session
    from streamdash.ui.panes import PaneSwitcher
    from streamdash.ui.widgets.events_pane import EventsPane


class ChartActions(App[None]):
    session: Session
    panes: PaneSwitcher
    events_pane: EventsPane

    @property
    def chart_pane(self) -> ChartPane:
        return self.screen_stack[0].query_one(ChartPane)

    def sync_chart(self) -> None:
        """Tell the pane whether it is on screen (it draws only then)."""
        chart = self.chart_pane
        chart.set_shown(self.panes.shows("chart") and (self.panes.narrow or chart.has_class("-shown")))

    def action_toggle_chart(self) -> None:
        chart = self.chart_pane
        if self.panes.narrow:
            self.action_show_pane("events" if self.panes.pane == "chart" else "chart")
            return
        chart.set_class(not chart.has_class("-shown"), "-shown")
        if not chart.has_class("-shown") and chart.has_focus:
            self.events_pane.query_one(EventLog).focus()
        self.sync_chart()

    def show_chart(self) -> None:
        """5/F8: the chart comes on screen (shown if hidden) before the focus goes to it."""
        self.chart_pane.add_class("-shown")

    if TYPE_CHECKING:

        def action_show_pane(self, pane: str) -> None: ...

    def action_plot_field(self) -> None:
        self.events_pane.query_one(EventLog).action_plot()

    @on(EventLog.PlotEntry)
    def _plot_entry(self, message: EventLog.PlotEntry) -> None:
        entry = message.entry
        stream = entry[STREAM]
        if stream == NOTE_STREAM:
            self.notify("that line is streamdash's own note, not an event", timeout=4)
            return
        paths = numeric_paths(entry[DATA])
        if not paths:
            self.notify("this event's data holds no number to plot (it is not JSON, or has none)", timeout=5)
            return

        def chosen(path: str | None) -> None:
            if path is not None:
                self.plot(stream, path)

        self.push_screen(PlotPickerScreen(stream, paths), chosen)

    def plot(self, stream: str, path: str) -> None:
        """Plot `path` of `stream`'s events (the buffer's past too) and show the chart."""
        self.session.chart.backfill(stream, path, self.session.buffer.since(0))
        self.notify(f"plotting {stream} · {path or 'data'}", timeout=3)
        if not self.panes.narrow and not self.chart_pane.has_class("-shown"):
            self.action_toggle_chart()
        elif self.panes.narrow and self.panes.pane != "chart":
            self.action_show_pane("chart")
        else:
            self.sync_chart()
