"""The chart pane (C shows or hides it; 5/F8 go to it): the plotted fields against time, the
events/s of every (stream, type) and each stream's connection timeline, all over the same
last minutes, right edge = now.

It feeds `session.chart` from the buffer ten times a second, shown or not (so the rates have no
hole after it was hidden), and redraws at most four times a second, only while shown and only
when the data or the time window moved: a chart, not the log.
"""

from __future__ import annotations

import math
import time

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.widget import Widget

from streamdash.core.series import Bucket, ChartFeed
from streamdash.core.session import Session
from streamdash.core.sse import StreamState
from streamdash.ui.plot import band_rows, bar_row, resample, runs

__all__ = ["ChartPane"]

DRAW_INTERVAL = 0.25
MAX_HEIGHT = 20  # the pane's max-height beside the log (styles.tcss)
PLOT_HEIGHT = 5
LABEL = 18  # the label column's width
STATE_CELL = {
    StreamState.OPEN: ("█", "open"),
    StreamState.CONNECTING: ("▒", "connecting"),
    StreamState.BACKOFF: ("▒", "backoff"),
    StreamState.FAILED: ("✕", "failed"),
    StreamState.CLOSED: ("·", "closed"),
}


def _label(text: str) -> str:
    return (text if len(text) < LABEL else text[: LABEL - 2] + "…").ljust(LABEL)


def _rate(value: float) -> str:
    return f"{value:,.0f}/s" if value >= 10 else f"{value:.1f}/s"


def _merge_counts(values: list[float], width: int) -> list[float]:
    """Average neighbouring buckets down to `width` columns (pad the left when fewer)."""
    count = len(values)
    if count <= width:
        return [0.0] * (width - count) + values
    out = []
    for column in range(width):
        start, stop = column * count // width, (column + 1) * count // width
        out.append(sum(values[start:stop]) / (stop - start))
    return out


class ChartPane(Widget, can_focus=True):
    BINDINGS = [Binding("x,delete", "unplot", "Stop plotting")]

    COMPONENT_CLASSES = {
        "chart-pane--label",
        "chart-pane--line",
        "chart-pane--under",
        "chart-pane--rate",
        "chart-pane--open",
        "chart-pane--connecting",
        "chart-pane--backoff",
        "chart-pane--failed",
        "chart-pane--closed",
    }

    def __init__(self, session: Session, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.session = session
        self.shown = False
        self._drawn: tuple[int, int, int] | None = None
        self._last_draw = 0.0
        self._text = Text()
        self.draws = 0  # for tests and benchmarks: how often it really redrew

    @property
    def feed(self) -> ChartFeed:
        return self.session.chart

    def on_mount(self) -> None:
        self.border_title = "Chart"

    def set_shown(self, shown: bool) -> None:
        self.shown = shown
        if shown:
            self._drawn = None
            self.tick()

    def tick(self) -> None:
        """Redraw if due (the app's tick; the session has fed the chart by then)."""
        now = self.session.clock()
        if not self.shown or not self.display or self.app.screen is not self.screen:
            return  # hidden, or under a dialog (which would repaint the whole screen)
        # The window slides by one column's time, not one bucket's: idle, with 300 one-second
        # buckets in ~120 columns, that is a redraw every ~2.5 s instead of every second.
        column = self.feed.buckets * self.feed.width / max(8, self.size.width - LABEL - 12)
        key = (self.feed.version, int(now // max(column, self.feed.width)), self.size.width)
        moment = time.monotonic()
        if key == self._drawn or (moment - self._last_draw < DRAW_INTERVAL and self._drawn is not None):
            return
        self._drawn = key
        self._last_draw = moment
        lines = len(self._text.plain.splitlines())
        self._text = self.build(now, self.size.width, self._height())
        self.draws += 1
        self.refresh(layout=len(self._text.plain.splitlines()) != lines)  # its height is its lines

    def render(self) -> Text:
        return self._text

    def _height(self) -> int:
        """The lines the pane can show: its max-height beside the log, the screen when it is
        the narrow layout's only pane."""
        limit = self.styles.max_height
        cells = int(limit.value) if limit is not None and limit.is_cells else self.screen.size.height
        return max(4, min(cells, self.screen.size.height) - 2)

    def action_unplot(self) -> None:
        if not self.feed.plots:
            self.app.notify("nothing is plotted: v on an event in the log picks a field", timeout=4)
            return
        stream, path = next(reversed(self.feed.plots))
        self.feed.unplot(stream, path)
        self.app.notify(f"stopped plotting {stream} · {path or 'data'}", timeout=3)
        self.tick()

    # -- drawing ------------------------------------------------------------------------------

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"chart-pane--{name}", partial=True)

    def build(self, now: float, width: int, height: int = MAX_HEIGHT) -> Text:
        """The chart in `height` lines at most: the rate and connection rows beyond what fits
        are counted, not drawn (200 streams made 400 rows, 117 ms a draw, all but 20 unseen);
        the busiest rates and the streams that are not open come first."""
        feed = self.feed
        plot_width = max(8, width - LABEL - 12)
        label, line, rate = self._style("label"), self._style("line"), self._style("rate")
        dim = self._style("under")
        minutes = feed.buckets * feed.width / 60
        text = Text(no_wrap=True, overflow="crop")
        if not feed.plots:
            text.append(
                "Nothing plotted: select an event in the log and press v to plot a number of it.\n", label
            )
        for (stream, path), series in feed.plots.items():
            columns = resample(series.buckets_at(now), plot_width)
            values = [b for b in columns if b is not None]
            text.append(_label(f"{stream} · {path or 'data'}"), label)
            if not values:
                text.append("no numeric value yet\n", label)
                text.append("\n" * (PLOT_HEIGHT - 1))
                continue
            low, high = min(b.low for b in values), max(b.high for b in values)
            last = next(b for b in reversed(columns) if b is not None)
            text.append(f"last {_num(last)}  min {low:g}  max {high:g}  ({minutes:g} min)\n", label)
            rows = band_rows(columns, PLOT_HEIGHT - 1, low, high)
            for index, row in enumerate(rows):
                scale = f"{high:g}" if index == 0 else f"{low:g}" if index == len(rows) - 1 else ""
                text.append(scale.rjust(LABEL - 1)[: LABEL - 1] + " ", label)
                for chars, under in runs(row):
                    text.append(chars, dim if under else line)
                text.append("\n")
        text.append(_label("events/s"), label)
        text.append(f"per stream and type, last {minutes:g} min\n", label)
        used = text.plain.count("\n") + 2  # and the connections' heading
        room = max(2, height - used)
        keys = feed.rates.keys()
        lines_wanted = len(feed.timelines)
        if len(keys) + lines_wanted + 1 <= room:  # all of it fits
            rate_room = len(keys) or 1
        else:  # the connections get up to half, the rates the rest
            rate_room = max(2, room - 1 - min(lines_wanted, max(2, room // 2)))
        if not keys:
            text.append("  no events yet\n", label)
        last_whole = now - feed.width  # the current bucket is still filling
        if len(keys) > rate_room:
            keys = sorted(keys, key=lambda k: -feed.rates.at(k, last_whole))
        shown_keys = keys if len(keys) <= rate_room else keys[: rate_room - 1]
        for key in shown_keys:
            raw = feed.rates.per_second(key, now)
            merged = _merge_counts(raw, plot_width)
            text.append(_label(f"{key[0]} {key[1]}"), label)
            text.append(bar_row(merged, max(merged)), rate)
            # The last whole bucket: the current one is still filling.
            text.append(f" {_rate(raw[-2] if len(raw) > 1 else raw[-1])}\n", label)
        if len(shown_keys) < len(keys):
            text.append(f"  +{len(keys) - len(shown_keys)} more, quieter (the stats pane has every stream)\n", label)
        text.append(_label("connections"), label)
        text.append("█ open  ▒ connecting/backoff  ✕ failed  · closed\n", label)
        span = feed.buckets * feed.width
        times = [now - span + (i + 1) * span / plot_width for i in range(plot_width)]
        timelines = sorted(feed.timelines.items())
        line_room = max(1, room - len(shown_keys) - (len(shown_keys) < len(keys)) - 1)
        if len(timelines) > line_room:  # the streams in trouble first, then by name
            timelines.sort(key=lambda item: item[1].changes[-1][1] is StreamState.OPEN)
            hidden = len(timelines) - (line_room - 1)
            timelines = timelines[: line_room - 1]
        else:
            hidden = 0
        for stream, timeline in timelines:
            text.append(_label(stream), label)
            for state in timeline.states_over(times):
                if state is None:
                    text.append(" ")
                else:
                    char, name = STATE_CELL[state]
                    text.append(char, self._style(name))
            last_change = timeline.changes[-1]
            text.append(f" {last_change[1].value}\n", label)
        if hidden:
            text.append(f"  +{hidden} more streams\n", label)
        text.rstrip()
        return text


def _num(bucket: Bucket) -> str:
    return f"{bucket.last:g}" if math.isfinite(bucket.last) else "?"
