"""One event as one log line, in fixed columns so the log can colour them by position.

Pure text, no Textual: the log widget styles the columns it knows the offsets of.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from operator import itemgetter

from streamdash.core.buffer import LogEntry
from streamdash.core.text import escape_controls

TIME_W = 12
STREAM_W = 12
TYPE_W = 10
ID_W = 8
SINCE_W = 7  # "+0.012s", "+12m05s", "+3h07m" (core/timeline.py format_since)
DATA_MAX = 1000  # the widget crops to its width; this only bounds memory per retained line
MARK_GLYPH = "\u258c"  # the gutter of a marked line: a glyph, so a mark shows without colour too

# Start offsets of each column at the widest (one space between columns).
STREAM_AT = TIME_W + 1
TYPE_AT = STREAM_AT + STREAM_W + 1
ID_AT = TYPE_AT + TYPE_W + 1
DATA_AT = ID_AT + ID_W + 1
GUTTER_W = 1


@dataclass(frozen=True, slots=True)
class Columns:
    """The widths of the stream, type and id columns: as wide as what the log shows needs, up to
    the widths above. Fixed widths kept 46 cells before the data for names of four to seven
    letters, which left the demo's data 32 cells at 80 columns; fitted, they leave 40 or more."""

    stream: int = STREAM_W
    type: int = TYPE_W
    ident: int = ID_W
    # A one-cell gutter before the time, for the mark glyph (while there are marks), and the
    # time since the stream's previous event between the id and the data (while D shows it).
    gutter: int = 0
    since: int = 0

    @property
    def type_at(self) -> int:
        return self.gutter + TIME_W + 1 + self.stream + 1

    @property
    def id_at(self) -> int:
        return self.type_at + self.type + 1

    @property
    def since_at(self) -> int:
        return self.id_at + self.ident + 1

    @property
    def data_at(self) -> int:
        return self.since_at + (self.since + 1 if self.since else 0)

    def with_extras(self, *, gutter: bool, since: bool) -> Columns:
        """These widths with the mark gutter and the since column shown or not."""
        wanted = (GUTTER_W if gutter else 0, SINCE_W if since else 0)
        return (
            self if (self.gutter, self.since) == wanted else replace(self, gutter=wanted[0], since=wanted[1])
        )

    def fitted(self, entries: Iterable[LogEntry]) -> Columns:
        """These widths, widened (never past the widest) to fit every entry's stream, type and id.
        Over the distinct streams and types, and in C over the ids: a tick at 50,000 events/s
        hands 2,500 entries here (a loop of max() calls per entry took ~4 ms)."""
        rows = entries if isinstance(entries, Sequence) else list(entries)
        if not rows:
            return self
        stream = max(self.stream, *map(len, {entry[1] for entry in rows}))
        kind = max(self.type, *map(len, {entry[2] for entry in rows}))
        ident = max(self.ident, max(map(len, filter(None, map(itemgetter(4), rows))), default=1))
        fitted = Columns(min(stream, STREAM_W), min(kind, TYPE_W), min(ident, ID_W), self.gutter, self.since)
        return self if fitted == self else fitted


WIDEST = Columns()
NARROWEST = Columns(4, 4, 1)  # where fitting starts: "logs", "info", "-"

_LEVELS = {
    "error": "error",
    "err": "error",
    "critical": "error",
    "fatal": "error",
    "warning": "warning",
    "warn": "warning",
    "info": "info",
    "notice": "info",
    "debug": "debug",
    "trace": "debug",
}
OTHER_TYPE_STYLES = 5


def type_style(kind: str) -> str:
    """The style name for an event type: a level's own, else one of a few stable accents."""
    level = _LEVELS.get(kind.lower())
    if level is not None:
        return level
    return f"type-{sum(map(ord, kind)) % OTHER_TYPE_STYLES}"


def fit(text: str, width: int) -> str:
    """Exactly `width` cells of a single-line label, with an ellipsis when cut."""
    text = escape_controls(text)
    if len(text) > width:
        return text[: width - 1] + "\u2026"
    return text.ljust(width)


@lru_cache(maxsize=4096)
def _second(whole: int) -> str:
    return time.strftime("%H:%M:%S", time.localtime(whole))


def clock(epoch: float) -> str:
    """HH:MM:SS.mmm local time; the strftime is done once per second, not once per line."""
    whole = int(epoch)
    return f"{_second(whole)}.{int(epoch * 1000) % 1000:03d}"


def format_entry(
    entry: LogEntry,
    columns: Columns = WIDEST,
    shown: str | None = None,
    *,
    marked: bool = False,
    since: str = "",
) -> str:
    """`shown`: the data as the stream's columns or template show it (core/columns.py);
    `marked` and `since` fill the gutter and the since column when `columns` has them."""
    _, stream, kind, data, ident, received_at = entry
    if shown is not None:
        data = shown
    ident = ident or "-"
    id_w = columns.ident
    if len(ident) > id_w:
        ident = "\u2026" + ident[-(id_w - 1) :] if id_w > 1 else "\u2026"
    if len(data) > DATA_MAX:
        data = data[:DATA_MAX] + "\u2026"
    line = (
        f"{clock(received_at)} {fit(stream, columns.stream)} {fit(kind, columns.type)} "
        f"{escape_controls(ident).rjust(id_w)} "
    )
    if columns.gutter:
        line = (MARK_GLYPH if marked else " ") + line
    if columns.since:
        width = columns.since
        line += (since if len(since) <= width else since[: width - 1] + "\u2026").rjust(width) + " "
    return line + escape_controls(data)
