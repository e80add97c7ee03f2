"""Recordings of streams as JSON lines: write them while watching, read and replay them later.

One JSON object per line. The first line of every file (and of every recording session appended
to a file) is a header:

    {"kind": "header", "format": "streamdash-recording", "version": 1, "started": 1718000000.0,
     "source": "https://example.com/prices"}

(`source`, the URL, only where one stream is recorded: `tail --record`), then one line per item,
in arrival order:

    {"t": 1718000000.12, "stream": "prices", "kind": "event", "event": "update", "id": "7", "data": "..."}
    {"t": 1718000001.50, "stream": "prices", "kind": "state", "state": "backoff",
     "reason": "connection lost", "last_event_id": "7", "delay": 1.0, "status": null}
    {"t": 1718000002.00, "stream": "prices", "kind": "heartbeat", "comment": " ping"}

`t` is the wall-clock time the item arrived (an event's `received_at`, a state change's `at`).
State lines make a replay show the incident: opened, dropped, reconnecting from id X, failed.

Durability: each batch's lines go out in one write followed by a flush, so a crash loses at most
the lines of the batch being written, and a torn last line is reported as damaged on reading.

Decisions:
- Reading never stops on a bad line: bad JSON, a missing or mistyped key, a torn last line come
  back as a `DamagedLine` with its 1-based line number; everything else plays.
- Unknown `kind`s from a newer writer are damaged lines too (reported, skipped).
- Rotation: when a write takes the file to `max_bytes` or past it, the file becomes `PATH.1`
  (`.1` -> `.2` ... keeping `backups` old files) and a new file starts with a header.
- `play()` keeps the recorded gaps (divided by `speed`) unless `max_gap` caps them; timestamps
  that go backwards (two sessions, two streams) do not sleep.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from io import BufferedReader, BufferedWriter
from pathlib import Path
from typing import Any, final

from streamdash.core.files import describe_size
from streamdash.core.sse.events import Event, Heartbeat, StateChange, StreamState
from streamdash.core.sse.parser import DEFAULT_MAX_EVENT_BYTES

FORMAT = "streamdash-recording"
VERSION = 1
DEFAULT_MAX_BYTES = 100 * 1024 * 1024
DEFAULT_BACKUPS = 3
# A recorded line is bounded like a live event: twice the event cap leaves room for JSON's
# escaping of an event that passed the cap live. A longer line is damaged, and never read whole.
MAX_LINE_BYTES = 2 * DEFAULT_MAX_EVENT_BYTES
MAX_TIME = 1e11  # seconds since 1970 (the year 5138): a later or negative time is damage
MAX_PAUSE = 60.0  # real seconds: the longest single pause a replay makes, whatever the gap
MIN_SPEED, MAX_SPEED = 1e-3, 1e6
_READ_CHUNK = 1 << 16

__all__ = [
    "DEFAULT_MAX_BYTES",
    "MAX_LINE_BYTES",
    "MAX_PAUSE",
    "DamagedLine",
    "RecordedItem",
    "Recorder",
    "RecordingReadError",
    "play",
    "read_recording",
]

_STATES = frozenset(state.value for state in StreamState)


@final  # never subclassed: readers tell the two apart with `type(item) is`
@dataclass(frozen=True, slots=True)
class RecordedItem:
    """One recorded line: `kind` is "event", "state" or "heartbeat"."""

    t: float
    stream: str
    kind: str
    event: str = ""
    data: str = ""
    id: str = ""
    state: str = ""
    reason: str = ""
    last_event_id: str = ""
    delay: float | None = None
    status: int | None = None
    comment: str = ""
    line: int = 0

    def to_event(self) -> Event:
        return Event(self.event, self.data, self.id, received_at=self.t)

    def to_state_change(self) -> StateChange:
        return StateChange(
            state=StreamState(self.state),
            reason=self.reason,
            delay=self.delay,
            last_event_id=self.last_event_id,
            status=self.status,
            at=self.t,
        )

    def to_item(self) -> Event | StateChange | Heartbeat:
        """The item as a live stream would have yielded it."""
        if self.kind == "event":
            return self.to_event()
        if self.kind == "state":
            return self.to_state_change()
        return Heartbeat(self.comment, self.t)


@final
@dataclass(frozen=True, slots=True)
class DamagedLine:
    """A line that could not be read; `line` is 1-based."""

    line: int
    reason: str


class Recorder:
    """Appends a stream's items to a recording file, one JSON line each."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        max_bytes: int | None = DEFAULT_MAX_BYTES,
        stream: str,
        backups: int = DEFAULT_BACKUPS,
        heartbeats: bool = False,
        source: str = "",
    ) -> None:
        self.path = Path(path)
        self.source = source  # where the stream came from (a URL), kept in the header
        self.max_bytes = max_bytes
        self.stream = stream
        self.backups = max(backups, 0)
        self.heartbeats = heartbeats
        self._encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
        self._file = self._open()

    def _open(self) -> BufferedWriter:
        file = open(self.path, "ab")  # noqa: SIM115 - held open for the recorder's lifetime
        try:
            self._start(file)
        except BaseException:
            with contextlib.suppress(OSError):  # /dev/full: the header's flush fails again
                file.close()
            raise
        return file

    def _start(self, file: BufferedWriter) -> None:
        prefix = b""
        size = file.tell()
        if size:
            # An earlier writer may have died mid-line: never glue our header onto its tail.
            with open(self.path, "rb") as existing:
                existing.seek(size - 1)
                if existing.read(1) != b"\n":
                    prefix = b"\n"
        header = {"kind": "header", "format": FORMAT, "version": VERSION, "started": time.time()}
        if self.source:
            header["source"] = self.source
        file.write(prefix + self._encode(header).encode() + b"\n")
        file.flush()

    @property
    def closed(self) -> bool:
        return self._file.closed

    def write_items(self, items: Iterable[object], stream: str | None = None) -> int:
        """Append lines for the events, state changes (and heartbeats if asked); returns lines."""
        name = self.stream if stream is None else stream
        encode = self._encode
        # Events are most of a recording: their lines are put together from encoded strings
        # (the stream name once per batch) instead of a dict per event, which cost tail ~30 %.
        prefix = f', "stream": {encode(name)}, "kind": "event", "event": '
        lines: list[str] = []
        record: dict[str, object]
        for item in items:
            # `type(item) is` inline rather than once into a local: as fast for an event (the
            # first test) and the checker narrows `item` by it.
            if type(item) is Event:
                t, kind_text, ident, data = item[5], item[0], item[2], item[1]
                lines.append(
                    f'{{"t": {t!r}{prefix}{encode(kind_text)}, "id": {encode(ident)}, '
                    f'"data": {encode(data)}}}'
                )
                continue
            if type(item) is StateChange:
                record = {
                    "t": item.at,
                    "stream": name,
                    "kind": "state",
                    "state": str(item.state),
                    "reason": item.reason,
                    "last_event_id": item.last_event_id,
                    "delay": item.delay,
                    "status": item.status,
                }
            elif type(item) is Heartbeat and self.heartbeats:
                record = {
                    "t": item.received_at,
                    "stream": name,
                    "kind": "heartbeat",
                    "comment": item.comment,
                }
            else:
                continue
            lines.append(encode(record))
        if not lines:
            return 0
        lines.append("")
        self._file.write("\n".join(lines).encode("utf-8", "replace"))
        self._file.flush()
        if self.max_bytes is not None and self._file.tell() >= self.max_bytes:
            self.rotate()
        return len(lines) - 1

    def rotate(self) -> None:
        """Move the file to PATH.1 (older ones along) and start a new one."""
        self._file.close()
        if self.backups == 0:
            self.path.unlink(missing_ok=True)
        else:
            for n in range(self.backups - 1, 0, -1):
                older = self._backup(n)
                if older.exists():
                    os.replace(older, self._backup(n + 1))
            os.replace(self.path, self._backup(1))
        self._file = self._open()

    def _backup(self, n: int) -> Path:
        return self.path.with_name(f"{self.path.name}.{n}")

    def close(self) -> None:
        """Close the file; a flush that fails again here was already reported by the write."""
        if not self._file.closed:
            with contextlib.suppress(OSError):
                self._file.close()

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def read_recording(
    path: str | os.PathLike[str], *, max_line_bytes: int = MAX_LINE_BYTES
) -> Iterator[RecordedItem | DamagedLine]:
    """The items of a recording file in order, damaged lines reported in place.

    Opens the file at once, so a missing or unreadable file raises `OSError` here, not later.
    Header lines are checked and skipped. A line over `max_line_bytes` is damaged, and memory
    never holds more than that of it."""
    file = open(path, "rb")  # noqa: SIM115 - closed by the generator
    return _read(file, max_line_bytes)


def first_problem(path: str | os.PathLike[str], lines: int = 20) -> str | None:
    """Why the file is not a recording at all, judged by its first `lines` lines (None when one
    of them is an item). A replay that would only report damage, or play nothing (no lines, or
    headers only), says so first. Raises `OSError` when the file cannot be read."""
    problem = None
    header = False
    seen = 0
    with open(path, "rb") as file:
        for number, raw in _lines(file, MAX_LINE_BYTES):
            if seen >= lines:
                break
            if raw is not None and not raw.strip():
                continue
            seen += 1
            result = _too_long(number, MAX_LINE_BYTES) if raw is None else parse_line(raw, number)
            if result is None:
                header = True  # a recording, but not yet anything to play
            elif not isinstance(result, DamagedLine):
                return None
            else:
                problem = problem or f"line {number}: {result.reason}"
    if header and (problem or seen >= lines):
        return None  # a recording with damage in it: the replay reports each line
    return f"not a streamdash recording ({problem})" if problem else "empty: nothing to replay"


class RecordingReadError(Exception):
    """Reading the file failed part-way (an I/O error, not a damaged line)."""


def _lines(file: BufferedReader, limit: int) -> Iterator[tuple[int, bytes | None]]:
    """(1-based number, line) for each line; None for a line over `limit` bytes, which is read
    past in chunks and never held whole."""
    number = 0
    while True:
        try:
            raw = file.readline(limit + 1)
            over = len(raw) > limit and not raw.endswith(b"\n")
            if over:
                del raw  # the bytes are not kept while the rest of the line is read past
                while (rest := file.readline(_READ_CHUNK)) and not rest.endswith(b"\n"):
                    pass
        except OSError as exc:
            raise RecordingReadError(exc.strerror or str(exc)) from exc
        number += 1
        if over:
            yield number, None
        elif raw:
            yield number, raw
        else:
            return


def _too_long(number: int, limit: int) -> DamagedLine:
    return DamagedLine(number, f"line longer than {describe_size(limit)} (the limit for a recorded line)")


def _read(file: BufferedReader, limit: int) -> Iterator[RecordedItem | DamagedLine]:
    with file:
        for number, raw in _lines(file, limit):
            if raw is None:
                yield _too_long(number, limit)
                continue
            if not raw.strip():
                continue
            result = parse_line(raw, number)
            if result is not None:
                yield result


def parse_line(raw: bytes | str, number: int = 0) -> RecordedItem | DamagedLine | None:
    """One line: an item, a `DamagedLine`, or None for a header."""
    torn = not (raw.endswith(b"\n") if isinstance(raw, bytes) else raw.endswith("\n"))
    try:
        record = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        reason = "truncated line" if torn else f"not JSON ({exc})"
        return DamagedLine(number, reason)
    if not isinstance(record, dict):
        return DamagedLine(number, "not a JSON object")
    kind = record.get("kind")
    if kind == "header":
        if record.get("format") != FORMAT:
            return DamagedLine(number, "not a streamdash recording header")
        return None
    try:
        t = record["t"]
        if type(t) not in (int, float) or not 0 <= t <= MAX_TIME:  # NaN fails both tests
            raise ValueError(f"t is not a time: {t!r}")
        stream = _text(record, "stream")
        if kind == "event":
            return RecordedItem(
                float(t),
                stream,
                "event",
                event=_text(record, "event") or "message",
                data=_text(record, "data"),
                id=_text(record, "id", ""),
                line=number,
            )
        if kind == "state":
            state = _text(record, "state")
            if state not in _STATES:
                raise ValueError(f"unknown state {state!r}")
            delay = record.get("delay")
            status = record.get("status")
            if delay is not None and (type(delay) not in (int, float) or not 0 <= delay <= MAX_TIME):
                raise ValueError(f"delay is not a number of seconds: {delay!r}")
            if status is not None and type(status) is not int:
                raise TypeError("status")
            return RecordedItem(
                float(t),
                stream,
                "state",
                state=state,
                reason=_text(record, "reason", ""),
                last_event_id=_text(record, "last_event_id", ""),
                delay=None if delay is None else float(delay),
                status=status,
                line=number,
            )
        if kind == "heartbeat":
            return RecordedItem(
                float(t), stream, "heartbeat", comment=_text(record, "comment", ""), line=number
            )
    except KeyError as exc:
        return DamagedLine(number, f"missing key {exc.args[0]!r}")
    except (TypeError, ValueError) as exc:
        return DamagedLine(number, f"bad value: {exc}")
    return DamagedLine(number, f"unknown kind {kind!r}")


_MISSING = object()


def _text(record: dict[str, Any], key: str, default: object = _MISSING) -> str:
    value = record.get(key, default)
    if value is _MISSING:
        raise KeyError(key)
    if not isinstance(value, str):
        raise TypeError(f"{key} is not a string")
    return value


def check_speed(speed: float | None) -> float | None:
    """`speed` for `play`: None (or 0) is instant; otherwise a finite number from MIN_SPEED to
    MAX_SPEED, so that no pace can stretch a pause to for ever (ValueError if not)."""
    if speed is None or speed == 0:
        return None
    if not (math.isfinite(speed) and MIN_SPEED <= speed <= MAX_SPEED):
        raise ValueError(f"speed must be a number from {MIN_SPEED:g} to {MAX_SPEED:g}, not {speed!r}")
    return speed


async def play(
    items: Iterable[RecordedItem | DamagedLine],
    *,
    speed: float | None = 1.0,
    max_gap: float | None = None,
) -> AsyncIterator[RecordedItem | DamagedLine]:
    """Yield the items at their recorded pace: `speed` N plays N times faster, None instantly.

    Damaged lines pass straight through. `max_gap` (recorded seconds) caps any single pause, and
    no pause is longer than MAX_PAUSE real seconds whatever the recording says."""
    pace = check_speed(speed)
    loop = asyncio.get_running_loop()
    deadline: float | None = None
    previous: float | None = None
    for item in items:
        if pace is not None and isinstance(item, RecordedItem):
            now = loop.time()
            if previous is None or deadline is None:
                deadline = now
            else:
                gap = max(item.t - previous, 0.0)
                if max_gap is not None:
                    gap = min(gap, max_gap)
                deadline = min(max(deadline + gap / pace, now - 1.0), now + MAX_PAUSE)
                if deadline > now:
                    await asyncio.sleep(deadline - now)
            previous = item.t
        yield item
