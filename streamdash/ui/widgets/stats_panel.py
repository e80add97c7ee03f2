"""Connection stats: one keyed row per stream (keyed by its request's file: two groups may each
have a "ticker"), updated cell by cell, a REST summary line, and the event buffer's fill."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from streamdash.core.buffer import BufferFill
from streamdash.core.stats import (
    RestSnapshot,
    StreamSnapshot,
    format_bytes,
    format_duration,
    format_rate,
)
from streamdash.core.text import escape_controls
from streamdash.ui.safety import SafeDispatch

SPARKS = "\u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588"
TREND_POINTS = 8

# key, label, width: fixed widths, because a DataTable sizes a column by its first values.
# Fits 160 columns with the cell padding; narrower screens scroll the table sideways.
COLUMNS = (
    ("stream", "Stream", 10),
    ("where", "Host \u00b7 env", 26),
    ("state", "State", 19),
    ("up", "Up", 8),
    ("events", "Events", 9),
    ("rate", "Ev/s", 7),
    ("trend", "Trend", TREND_POINTS),
    ("bytes", "Bytes/s", 10),
    ("reconnects", "Reconn", 6),
    ("duplicates", "Dups", 4),
    ("last_id", "Last id", 8),
    ("last_event", "Last ev", 8),
    ("last_beat", "Last hb", 8),
)


# The second table: what each stream's measures say (time between events, missing ids,
# latency from a send-time field, an LLM stream's tokens). "-" where nothing is measured.
MEASURE_COLUMNS = (
    ("stream", "Stream", 10),
    ("gap", "Gap last", 8),
    ("gap_max", "Gap max", 8),
    ("missing", "Missing ids", 11),
    ("lat_last", "Latency", 8),
    ("lat_p50", "p50", 8),
    ("lat_p95", "p95", 8),
    ("lat_p99", "p99", 8),
    ("tokens", "Tokens", 7),
    ("ttft", "1st token", 9),
    ("tok_rate", "Tok/s", 7),
    ("error", "Last error", 30),
)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f} ms"


def measure_cells(snap: StreamSnapshot) -> dict[str, str]:
    if snap.missing_ids is None:
        missing = "-"
    elif snap.missing_ids:
        missing = f"{snap.missing_ids:,} ({snap.missing_ranges})"
    else:
        missing = "0"
    # Rule 34: events discarded as oversized (oversize = "skip") lead the error cell when any.
    skipped = f"{snap.skipped_oversize:,} skipped (over max_event_bytes) \u00b7 " if snap.skipped_oversize else ""
    return {
        "stream": escape_controls(snap.name)[:10],
        "gap": _ago(snap.gap_last_s),
        "gap_max": _ago(snap.gap_max_s),
        "missing": missing,
        "lat_last": _ms(snap.latency_last_ms),
        "lat_p50": _ms(snap.latency_p50_ms),
        "lat_p95": _ms(snap.latency_p95_ms),
        "lat_p99": _ms(snap.latency_p99_ms),
        "tokens": "-" if snap.tokens is None else f"{snap.tokens:,}",
        "ttft": _ago(snap.time_to_first_token_s),
        "tok_rate": "-" if snap.tokens_per_s is None else f"{snap.tokens_per_s:,.1f}",
        "error": (skipped + escape_controls(snap.last_error))[:80] or "-",
    }


def sparkline(history: tuple[float, ...], points: int = TREND_POINTS) -> str:
    values = list(history[-points:])
    if not values:
        return ""
    top = max(values)
    if top <= 0:
        return SPARKS[0] * len(values)
    return "".join(SPARKS[min(7, int(v / top * 7.999))] for v in values)


def _ago(seconds: float | None) -> str:
    return "-" if seconds is None else format_duration(seconds)


def _state_text(snap: StreamSnapshot) -> str:
    if snap.silent_for is not None:  # the silence alarm: open, and nothing at all for too long
        return f"SILENT {format_duration(snap.silent_for)}"
    return snap.state_detail or snap.state


def stream_cells(snap: StreamSnapshot) -> dict[str, str]:
    return {
        "stream": escape_controls(snap.name)[:10],
        "where": where(snap),
        "state": _state_text(snap)[:19],
        "up": _ago(snap.connected_for),
        "events": f"{snap.events:,}",
        "rate": format_rate(snap.events_per_s),
        "trend": sparkline(snap.events_history),
        "bytes": format_bytes(int(snap.bytes_per_s)) + "/s",
        "reconnects": str(snap.reconnects),
        "duplicates": str(snap.duplicates),
        "last_id": escape_controls(snap.last_event_id)[-8:] or "-",
        "last_event": _ago(snap.since_last_event),
        "last_beat": _ago(snap.since_last_heartbeat),
    }


def where(snap: StreamSnapshot) -> str:
    """`127.0.0.1:8000 · staging`: the host a stream connects to and the environment it uses."""
    parts = [escape_controls(snap.host) or "-"]
    if snap.environment:
        parts.append(escape_controls(snap.environment))
    return " \u00b7 ".join(parts)


def rest_line(snap: RestSnapshot) -> str:
    if not snap.requests:
        return "REST  no requests yet"

    def ms(value: float | None) -> str:
        return "-" if value is None else f"{value:.0f} ms"

    return (
        f"REST  {snap.requests:,} requests \u00b7 errors {snap.error_rate:.0%} "
        f"(4xx {snap.rate_4xx:.0%}, 5xx {snap.rate_5xx:.0%}) \u00b7 "
        f"p50 {ms(snap.p50_ms)}  p95 {ms(snap.p95_ms)}  p99 {ms(snap.p99_ms)} \u00b7 "
        f"{format_rate(snap.requests_per_s)}"
    )


def buffer_line(fill: BufferFill) -> str:
    """How full the event buffer is against both bounds, and what it evicted (oldest first):
    an event pushed out is said, not silently gone."""
    return (
        f"Buffer  {fill.entries:,} of {fill.size:,} events \u00b7 "
        f"{format_bytes(fill.bytes)} of {format_bytes(fill.max_bytes)} \u00b7 "
        f"evicted {fill.evicted:,}"
    )


class StatsPanel(SafeDispatch, Vertical):
    def compose(self) -> ComposeResult:
        # The stream column stays put when a table scrolls sideways: a row of figures without
        # the stream's name is a row of nobody's figures.
        table: DataTable[Text] = DataTable(id="stats-streams", cursor_type="row", zebra_stripes=True, fixed_columns=1)
        yield table
        yield DataTable(id="stats-measures", cursor_type="row", zebra_stripes=True, fixed_columns=1)
        yield Static("REST  no requests yet", id="stats-rest", markup=False)
        yield Static("", id="stats-buffer", markup=False)

    def on_mount(self) -> None:
        self.border_title = "Stats"
        # Kept, not queried: the stats timer calls `show`, also while the app is closing.
        self._table = table = self.query_one("#stats-streams", DataTable)
        self._measures = measures = self.query_one("#stats-measures", DataTable)
        self._rest = self.query_one("#stats-rest", Static)
        self._buffer = self.query_one("#stats-buffer", Static)
        for key, label, width in COLUMNS:
            table.add_column(label, key=key, width=width)
        for key, label, width in MEASURE_COLUMNS:
            measures.add_column(label, key=key, width=width)
        self._cells: dict[str, dict[str, str]] = {}
        self._measure_cells: dict[str, dict[str, str]] = {}

    def show(
        self,
        streams: list[StreamSnapshot],
        rest: RestSnapshot,
        terminal: tuple[float, float] | None = None,
        buffer: BufferFill | None = None,
    ) -> None:
        _update(self._table, COLUMNS, self._cells, {s.key or s.name: stream_cells(s) for s in streams})
        _update(
            self._measures,
            MEASURE_COLUMNS,
            self._measure_cells,
            {s.key or s.name: measure_cells(s) for s in streams},
        )
        line = rest_line(rest)
        if terminal is not None:
            rate, hz = terminal
            line += f"   \u00b7   terminal {format_bytes(rate)}/s at {hz:g} Hz"
        _show_line(self._rest, line)
        if buffer is not None:
            _show_line(self._buffer, buffer_line(buffer))


def _show_line(static: Static, text: str) -> None:
    """Update a one-line Static once a second without a layout of the whole screen (8-17 ms at
    160x48, measured with the dashboard benchmark under a profiler), unless its height may
    change: the text, old or new, is wider than the widget and may wrap."""
    old = str(static.content)
    if text == old:
        return
    width = static.content_size.width
    fits = width > 0 and max(cell_len(text), cell_len(old)) <= width and "\n" not in text + old
    static.update(text, layout=not fits)


def _update(
    table: DataTable[Text],
    columns: tuple[tuple[str, str, int], ...],
    shown: dict[str, dict[str, str]],
    rows: dict[str, dict[str, str]],
) -> None:
    """Keyed rows, changed cell by cell: a full redraw each second would cost bytes over SSH."""
    for name, cells in rows.items():
        old = shown.get(name)
        if old is None:
            table.add_row(*(Text(cells[key]) for key, _, _ in columns), key=name)
        else:
            for key, value in cells.items():
                if old.get(key) != value:
                    table.update_cell(name, key, Text(value))
        shown[name] = cells
    for gone in set(shown) - set(rows):
        table.remove_row(gone)
        del shown[gone]
