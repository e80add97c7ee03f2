"""One event as one log line, in fixed columns so the log can colour them by position.

Pure text, no Textual: the log widget styles the columns it knows the offsets of.
"""

from __future__ import annotations

import time
from functools import lru_cache

from streamdash.core.buffer import LogEntry
from streamdash.core.text import escape_controls

TIME_W = 12
STREAM_W = 12
TYPE_W = 10
ID_W = 8
DATA_MAX = 1000  # the widget crops to its width; this only bounds memory per retained line

# Start offsets of each column (one space between columns).
STREAM_AT = TIME_W + 1
TYPE_AT = STREAM_AT + STREAM_W + 1
ID_AT = TYPE_AT + TYPE_W + 1
DATA_AT = ID_AT + ID_W + 1

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


def format_entry(entry: LogEntry) -> str:
    _, stream, kind, data, ident, received_at = entry
    ident = ident or "-"
    if len(ident) > ID_W:
        ident = "\u2026" + ident[-(ID_W - 1) :]
    if len(data) > DATA_MAX:
        data = data[:DATA_MAX] + "\u2026"
    return (
        f"{clock(received_at)} {fit(stream, STREAM_W)} {fit(kind, TYPE_W)} "
        f"{escape_controls(ident).rjust(ID_W)} {escape_controls(data)}"
    )
