"""What the chart pane plots, kept bounded and cheap to feed at 50,000 events/s.

Three things, all rings of fixed-width time buckets, so memory never grows with time or rate:
- `Series`: one numeric JSON field of one stream, min/max/last per bucket (O(1) per value);
- `Rates`: events per (stream, type) per bucket, counted per batch with a C-speed `Counter`;
- `Timeline`: a stream's connection changes (open, backoff, failed, closed), the last few hundred.

`ChartFeed` holds them and is fed once per refresh tick from `buffer.since(seq)`, never per event
in a worker: only the events of a plotted stream have their JSON parsed, and only once.
"""

from __future__ import annotations

import json
import math
from bisect import bisect_left
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, NamedTuple

from streamdash.core.buffer import DATA, NOTE_STREAM, RECEIVED_AT, SEQ, STREAM, EventBuffer, LogEntry
from streamdash.core.jsondoc import ABSENT, load_document
from streamdash.core.jsonpath import json_path
from streamdash.core.sse.events import StateChange, StreamState

__all__ = ["Bucket", "ChartFeed", "Rates", "Series", "Timeline", "numeric_paths"]

DEFAULT_BUCKETS = 300  # five minutes of one-second buckets
DEFAULT_WIDTH = 1.0
TIMELINE_SIZE = 256
BACKFILL_LIMIT = 2_000  # parses when a field starts being plotted from the retained events
PARSE_LIMIT = 250  # JSON parses per feed (at 10 feeds/s: ~2,500/s, a few ms of a core)


class Bucket(NamedTuple):
    low: float
    high: float
    last: float


class _Ring:
    """`buckets` slots of `width` seconds; a slot whose stamp is not its bucket number is stale,
    so old data needs no sweep: it is overwritten when its slot comes round again."""

    __slots__ = ("buckets", "stamps", "width")

    def __init__(self, buckets: int, width: float) -> None:
        if buckets < 1 or width <= 0:
            raise ValueError("a series needs at least one bucket of positive width")
        self.buckets = buckets
        self.width = width
        self.stamps: list[int] = [-1] * buckets

    def index(self, t: float) -> int:
        return int(t // self.width)

    def window(self, now: float) -> range:
        """The bucket numbers shown at `now`, oldest first."""
        newest = self.index(now)
        return range(newest - self.buckets + 1, newest + 1)


class Series(_Ring):
    """min/max/last of one value per time bucket."""

    __slots__ = ("highs", "lasts", "lows", "newest")

    def __init__(self, buckets: int = DEFAULT_BUCKETS, width: float = DEFAULT_WIDTH) -> None:
        super().__init__(buckets, width)
        self.lows = [0.0] * buckets
        self.highs = [0.0] * buckets
        self.lasts = [0.0] * buckets
        self.newest = -1

    def add(self, t: float, value: float) -> None:
        number = self.index(t)
        if number <= self.newest - self.buckets:
            return  # older than the window: nothing would show it
        slot = number % self.buckets
        if self.stamps[slot] != number:
            self.stamps[slot] = number
            self.lows[slot] = self.highs[slot] = self.lasts[slot] = value
        else:
            if value < self.lows[slot]:
                self.lows[slot] = value
            elif value > self.highs[slot]:
                self.highs[slot] = value
            self.lasts[slot] = value
        if number > self.newest:
            self.newest = number

    def buckets_at(self, now: float) -> list[Bucket | None]:
        """One entry per bucket in the window ending at `now`, None where no value came."""
        out: list[Bucket | None] = []
        for number in self.window(now):
            slot = number % self.buckets
            if self.stamps[slot] == number:
                out.append(Bucket(self.lows[slot], self.highs[slot], self.lasts[slot]))
            else:
                out.append(None)
        return out


class Rates(_Ring):
    """Event counts per key per time bucket; `add` takes a whole batch's counts at once."""

    __slots__ = ("counts",)

    def __init__(self, buckets: int = DEFAULT_BUCKETS, width: float = DEFAULT_WIDTH) -> None:
        super().__init__(buckets, width)
        self.counts: dict[tuple[str, str], list[int]] = {}

    def add(self, t: float, counts: dict[tuple[str, str], int]) -> None:
        number = self.index(t)
        slot = number % self.buckets
        if self.stamps[slot] != number:
            self.stamps[slot] = number
            for stale in self.counts.values():
                stale[slot] = 0
        for key, n in counts.items():
            row = self.counts.get(key)
            if row is None:
                row = self.counts[key] = [0] * self.buckets
            row[slot] += n

    def per_second(self, key: tuple[str, str], now: float) -> list[float]:
        """Events/s of `key` per bucket in the window ending at `now`, oldest first."""
        row = self.counts.get(key)
        out: list[float] = []
        for number in self.window(now):
            slot = number % self.buckets
            out.append(row[slot] / self.width if row is not None and self.stamps[slot] == number else 0.0)
        return out

    def at(self, key: tuple[str, str], t: float) -> float:
        """Events/s of `key` in the bucket of time `t` (0 when it is stale)."""
        number = self.index(t)
        slot = number % self.buckets
        row = self.counts.get(key)
        return row[slot] / self.width if row is not None and self.stamps[slot] == number else 0.0

    def relabel(self, old: str, new: str) -> None:
        """A renamed stream's counts go under its new name (added to any it has there)."""
        for key in [key for key in self.counts if key[0] == old]:
            moved = self.counts.pop(key)
            kept = self.counts.get((new, key[1]))
            self.counts[(new, key[1])] = moved if kept is None else [a + b for a, b in zip(kept, moved, strict=True)]

    def keys(self) -> list[tuple[str, str]]:
        return sorted(self.counts)


@dataclass
class Timeline:
    """A stream's connection changes, newest last, bounded."""

    changes: deque[tuple[float, StreamState, str]] = field(
        default_factory=lambda: deque(maxlen=TIMELINE_SIZE)
    )

    def add(self, change: StateChange) -> None:
        if self.changes and self.changes[-1][1] is change.state and change.state is not StreamState.BACKOFF:
            return  # the same state again says nothing new
        self.changes.append((change.at, change.state, change.reason))

    def state_at(self, t: float) -> StreamState | None:
        """The state in force at `t` (None before the first change)."""
        current: StreamState | None = None
        for at, state, _reason in self.changes:
            if at > t:
                break
            current = state
        return current

    def states_over(self, times: list[float]) -> list[StreamState | None]:
        """The state in force at each of `times` (ascending), in one pass."""
        out: list[StreamState | None] = []
        changes = self.changes
        index, current = 0, None
        for t in times:
            while index < len(changes) and changes[index][0] <= t:
                current = changes[index][1]
                index += 1
            out.append(current)
        return out


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def numeric_paths(data: str, limit: int = 50) -> list[tuple[str, float]]:
    """The dotted paths of the numbers in an event's JSON data (for the plot picker), in
    document order; [] when the data is not JSON."""
    try:
        document = json.loads(data)
    except (ValueError, RecursionError):
        return []
    found: list[tuple[str, float]] = []
    stack: list[tuple[str, Any]] = [("", document)]
    while stack and len(found) < limit:
        path, value = stack.pop()
        number = _number(value)
        if number is not None:
            found.append((path, number))
        elif isinstance(value, dict):
            items = [(f"{path}.{k}" if path else str(k), v) for k, v in value.items()]
            stack.extend(reversed(items))
        elif isinstance(value, list):
            stack.extend(reversed([(f"{path}.{i}" if path else str(i), v) for i, v in enumerate(value)]))
    return found


_stream_and_type = itemgetter(STREAM, 2)


def _sample(entries: list[LogEntry], limit: int) -> list[LogEntry]:
    """At most about `limit` of `entries`: every n-th and the newest. At 50,000 events/s
    parsing each one would take the event loop; the sample keeps the line's shape, and the
    newest value is always exact (min/max are then of the sample)."""
    if len(entries) <= limit:
        return entries
    step = -(-len(entries) // limit)
    sample = entries[::step]
    if sample[-1] is not entries[-1]:
        sample.append(entries[-1])
    return sample


class ChartFeed:
    """The chart's data, fed once per tick from the buffer; `version` moves when anything
    shown changed, so the pane redraws only then."""

    def __init__(self, buckets: int = DEFAULT_BUCKETS, width: float = DEFAULT_WIDTH) -> None:
        self.buckets = buckets
        self.width = width
        self.seq = 0
        self.plots: dict[tuple[str, str], Series] = {}
        self.rates = Rates(buckets, width)
        self.timelines: dict[str, Timeline] = {}
        self.version = 0
        self.bad_values = 0  # plotted-stream events whose field was missing or not a number
        self.parse_limit = PARSE_LIMIT
        self.sampled = 0  # feeds that parsed a sample of a plotted stream's events, not all

    def plot(self, stream: str, path: str) -> Series:
        """Start plotting `path` of `stream`'s events from now on (the buffer's past too, below)."""
        key = (stream, path)
        series = self.plots.get(key)
        if series is None:
            series = self.plots[key] = Series(self.buckets, self.width)
            self.version += 1
        return series

    def unplot(self, stream: str, path: str) -> None:
        if self.plots.pop((stream, path), None) is not None:
            self.version += 1

    def backfill(self, stream: str, path: str, entries: Iterable[LogEntry]) -> None:
        """Put the retained events of `stream` into a newly plotted series."""
        series = self.plot(stream, path)
        wanted = [entry for entry in entries if entry[STREAM] == stream]
        for entry in _sample(wanted, BACKFILL_LIMIT):
            self._add(series, path, entry)
        self.version += 1

    def relabel(self, old: str, new: str) -> None:
        """A stream was renamed (the buffer's entries were relabelled): its plots, rates and
        connection timeline follow it, so the plot goes on getting its values."""
        for stream, path in [key for key in self.plots if key[0] == old]:
            series = self.plots.pop((stream, path))
            self.plots.setdefault((new, path), series)
        self.rates.relabel(old, new)
        timeline = self.timelines.pop(old, None)
        if timeline is not None:
            self.timelines.setdefault(new, timeline)
        self.version += 1

    def state(self, stream: str, change: StateChange) -> None:
        timeline = self.timelines.get(stream)
        if timeline is None:
            timeline = self.timelines[stream] = Timeline()
        before = len(timeline.changes)
        timeline.add(change)
        if len(timeline.changes) != before or len(timeline.changes) == TIMELINE_SIZE:
            self.version += 1

    def feed(self, entries: list[LogEntry], now: float, next_seq: int) -> None:
        """One tick's new entries (`buffer.since(self.seq)`), then `seq` moves to `next_seq`.
        Entries before `seq` were fed already and are skipped: an event is counted once."""
        if entries and entries[0][SEQ] < self.seq:
            entries = entries[bisect_left(entries, self.seq, key=itemgetter(SEQ)) :]
        self.seq = max(self.seq, next_seq)
        if not entries:
            return
        counts = Counter(map(_stream_and_type, entries))
        for key in [key for key in counts if key[0] == NOTE_STREAM]:
            del counts[key]  # the session's own lines are not a stream's events
        self.rates.add(now, counts)
        plots = self.plots
        if plots:
            streams = {stream for stream, _path in plots}
            wanted = [entry for entry in entries if entry[STREAM] in streams]
            if len(wanted) > self.parse_limit:
                wanted = _sample(wanted, self.parse_limit)
                self.sampled += 1
            for entry in wanted:
                stream = entry[STREAM]
                for (plotted, path), series in plots.items():
                    if plotted == stream:
                        self._add(series, path, entry)
        self.version += 1

    def feed_from(self, buffer: EventBuffer, now: float) -> None:
        """What is new in `buffer` since the last feed."""
        if buffer.next_seq != self.seq:
            self.feed(buffer.since(self.seq), now, buffer.next_seq)

    def _add(self, series: Series, path: str, entry: LogEntry) -> None:
        document = load_document(entry[DATA])  # the filter's parser; ABSENT: not JSON
        number = None if document is ABSENT else _number(json_path(document, path))
        if number is None:
            self.bad_values += 1
            return
        series.add(entry[RECEIVED_AT], number)
