"""How `tail` prints: one line per event, as readable text or as JSON lines.

Lines that one network read completed are written and flushed together, so a pipe sees every
event as soon as it arrived without paying a write per event on a fast stream.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import BinaryIO, TextIO

from streamdash.core.sse.events import Event, Heartbeat, StateChange, StreamState
from streamdash.core.sse.latency import event_latency_ms
from streamdash.core.text import escape_controls

_RESET = "\x1b[0m"
_DIM = "\x1b[2m"
_BY_TYPE = {
    "error": "\x1b[1;31m",
    "critical": "\x1b[1;31m",
    "fatal": "\x1b[1;31m",
    "warning": "\x1b[33m",
    "warn": "\x1b[33m",
    "info": "\x1b[32m",
    "debug": "\x1b[2;37m",
    "message": "\x1b[36m",
}
_PALETTE = ("\x1b[35m", "\x1b[34m", "\x1b[36m", "\x1b[33m", "\x1b[32m")


def use_colour(stream: TextIO) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def iso_time(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="microseconds").replace(
        "+00:00", "Z"
    )


class EventPrinter:
    """Formats items and writes each batch to a binary stream in one write and one flush."""

    def __init__(
        self,
        fmt: str = "text",
        out: BinaryIO | None = None,
        *,
        colour: bool = False,
        heartbeats: bool = False,
        latency_field: str | None = None,
    ) -> None:
        self.out = out if out is not None else sys.stdout.buffer
        self.colour = colour
        self.heartbeats = heartbeats and fmt == "text"
        self.latency_field = latency_field  # a JSON path to the server's send time
        self._format = self._jsonl if fmt == "jsonl" else self._text
        self._encode = json.JSONEncoder(ensure_ascii=False).encode
        self._stamp_for = -1.0
        self._stamp = ""
        self._type_colours: dict[str, str] = {}

    def write_from(self, pairs: Iterable[tuple[str, Event]]) -> None:
        """Text lines for (stream, event) pairs, e.g. a recording of several streams."""
        self._emit([self._text(event, stream) for stream, event in pairs])

    def write(self, items: Iterable[Event | Heartbeat]) -> int:
        """Print the events (and heartbeats if asked); returns how many events were printed."""
        lines: list[str] = []
        events = 0
        for item in items:
            if type(item) is Event:
                lines.append(self._format(item))
                events += 1
            elif self.heartbeats and type(item) is Heartbeat:
                lines.append(self._heartbeat(item))
        self._emit(lines)
        return events

    def _emit(self, lines: list[str]) -> None:
        """One write and one flush for the lines of a batch."""
        if lines:
            self.out.write("".join(lines).encode("utf-8", "replace"))
            self.out.flush()

    def _received(self, epoch: float, iso: bool) -> str:
        if epoch != self._stamp_for:  # a batch shares one arrival time: format it once
            self._stamp_for = epoch
            self._stamp = iso_time(epoch) if iso else _clock(epoch)
        return self._stamp

    def _jsonl(self, event: Event) -> str:
        row: dict[str, str | float | None] = {
            "event": event[0],
            "data": event[1],
            "id": event[2],
            "received_at": self._received(event[5], iso=True),
        }
        if self.latency_field is not None:
            latency = event_latency_ms(event, self.latency_field)
            row["latency_ms"] = None if latency is None else round(latency, 3)
        return self._encode(row) + "\n"

    def _text(self, event: Event, stream: str = "") -> str:
        """One readable line; `stream` (a recording's stream name) gets a column of its own."""
        stamp = self._received(event[5], iso=False)
        if stream:
            stamp = f"{stamp} {escape_controls(stream):<10}"
        kind = escape_controls(event[0])
        ident = escape_controls(event[2]) if event[2] else "-"
        data = escape_controls(event[1])
        if self.latency_field is not None:
            latency = event_latency_ms(event, self.latency_field)
            if latency is not None:
                data = f"{data}  (+{latency:.0f} ms)"
        if not self.colour:
            return f"{stamp} {kind:<10} {ident:>6} {data}\n"
        colour = self._type_colour(event[0])
        return f"{_DIM}{stamp}{_RESET} {colour}{kind:<10}{_RESET} {_DIM}{ident:>6}{_RESET} {data}\n"

    def _heartbeat(self, beat: Heartbeat) -> str:
        text = f"{_clock(beat.received_at)} :{escape_controls(beat.comment)}\n"
        return f"{_DIM}{text[:-1]}{_RESET}\n" if self.colour else text

    def _type_colour(self, kind: str) -> str:
        colour = self._type_colours.get(kind)
        if colour is None:
            colour = _BY_TYPE.get(kind.lower()) or _PALETTE[sum(map(ord, kind)) % len(_PALETTE)]
            self._type_colours[kind] = colour
        return colour


def _clock(epoch: float) -> str:
    local = time.localtime(epoch)
    return time.strftime("%H:%M:%S", local) + f".{int(epoch * 1000) % 1000:03d}"


def describe_change(change: StateChange, target: str = "") -> str:
    """A connection change as one line for stderr (`tail` and a headless replay); empty for
    changes not worth a line. `target` (the URL) goes after "connected to"."""
    reason = escape_controls(change.reason)
    state = change.state
    if state is StreamState.OPEN:
        where = f" to {target}" if target else ""
        return f"connected{where} (HTTP {change.status})" if change.status else f"connected{where}"
    if state is StreamState.BACKOFF:
        delay = f" in {change.delay:.1f} s" if change.delay is not None else ""
        resume = f" from id {escape_controls(change.last_event_id)}" if change.last_event_id else ""
        return f"{reason or 'disconnected'}; reconnecting{delay}{resume}"
    if state is StreamState.FAILED:
        return f"failed: {reason}"
    if state is StreamState.CLOSED and reason:
        return f"closed: {reason}"
    return ""
