"""Moving in time through the retained events: marks, jump to a clock time, the time since
the previous event of the same stream, and the next pause or missing id.

Pure functions and small state over `LogEntry` tuples (no Textual), so the log widget only
asks "where next?" and moves its cursor. Everything is keyed by entry `seq`: a seq survives a
re-filter, and anything about an evicted seq is forgotten (`prune`), so no state outgrows the
buffer.
"""

from __future__ import annotations

import re
import time
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from streamdash.core.buffer import ID, NOTE_STREAM, RECEIVED_AT, SEQ, STREAM, LogEntry

DEFAULT_GAP_SECONDS = 2.0


class Marks:
    """The marked entries, as a set of seqs (a filter change hides lines, never marks)."""

    def __init__(self) -> None:
        self._seqs: set[int] = set()

    def __contains__(self, seq: object) -> bool:
        return seq in self._seqs

    def __len__(self) -> int:
        return len(self._seqs)

    def toggle(self, seq: int) -> bool:
        """Mark or unmark `seq`; returns whether it is marked now."""
        if seq in self._seqs:
            self._seqs.discard(seq)
            return False
        self._seqs.add(seq)
        return True

    def clear(self) -> None:
        self._seqs.clear()

    def prune(self, first_seq: int) -> None:
        """Forget marks on entries older than `first_seq` (evicted from the buffer)."""
        if self._seqs and min(self._seqs) < first_seq:
            self._seqs = {seq for seq in self._seqs if seq >= first_seq}

    def next_after(self, seq: int, shown: Iterable[int] | None = None) -> int | None:
        """The nearest marked seq after `seq` (among `shown` seqs, if given)."""
        pool = self._seqs if shown is None else self._seqs.intersection(shown)
        later = [s for s in pool if s > seq]
        return min(later) if later else None

    def previous_before(self, seq: int, shown: Iterable[int] | None = None) -> int | None:
        pool = self._seqs if shown is None else self._seqs.intersection(shown)
        earlier = [s for s in pool if s < seq]
        return max(earlier) if earlier else None


_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?$")
_RELATIVE = re.compile(r"^-?\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?(?:\s+ago)?$")
_UNIT = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
_FUTURE_SLACK_S = 60.0  # a clock time up to a minute ahead is today (clocks differ a little)


def parse_time(text: str, now: float | None = None) -> float:
    """A wall-clock time (epoch seconds) from `HH:MM[:SS[.mmm]]` (local time, the last time the
    clock read that: today, or yesterday when it is still to come) or a relative `-30s`,
    `5m ago`, `2h` (before `now`). Raises ValueError with one clear line."""
    now = time.time() if now is None else now
    raw = text.strip().lower()
    clock = _CLOCK.match(raw)
    if clock:
        hours, minutes = int(clock[1]), int(clock[2])
        seconds = int(clock[3] or 0)
        fraction = float("0." + clock[4]) if clock[4] else 0.0
        if hours > 23 or minutes > 59 or seconds > 59:
            raise ValueError(f"not a time of day: {text.strip()!r}")
        day = datetime.fromtimestamp(now)
        at = day.replace(hour=hours, minute=minutes, second=seconds, microsecond=0)
        if at.timestamp() + fraction > now + _FUTURE_SLACK_S:
            # Still to come today: the reader means the last time the clock read that (yesterday,
            # just after midnight). Done on the date, not by 86,400 s, for the DST days.
            at = (day - timedelta(days=1)).replace(hour=hours, minute=minutes, second=seconds, microsecond=0)
        return at.timestamp() + fraction
    relative = _RELATIVE.match(raw)
    if relative and (raw.startswith("-") or raw.endswith("ago") or relative[2]):
        return now - float(relative[1]) * _UNIT[relative[2] or "s"]
    raise ValueError(f"not a time: {text.strip()!r} (try 14:03:20, 14:03:20.250, -30s or 5m ago)")


def nearest_at(entries: Iterable[LogEntry], at: float) -> LogEntry | None:
    """The entry received nearest to `at` (the earlier one on a tie). Linear, not a bisect:
    arrival times of different streams need not be in seq order."""
    best: LogEntry | None = None
    best_distance = 0.0
    for entry in entries:
        distance = abs(entry[RECEIVED_AT] - at)
        if best is None or distance < best_distance:
            best, best_distance = entry, distance
    return best


def first_at_or_after(entries: Iterable[LogEntry], at: float) -> LogEntry | None:
    """The entry received first at or after `at` (the lower seq on a tie): where "jump to
    14:03:12" lands. Linear, like `nearest_at`, for the same reason."""
    best: LogEntry | None = None
    for entry in entries:
        received = entry[RECEIVED_AT]
        if received >= at and (best is None or received < best[RECEIVED_AT]):
            best = entry
    return best


def received_range(entries: Iterable[LogEntry]) -> tuple[float, float] | None:
    """The earliest and the latest arrival among `entries` (None: no entries)."""
    low = high = None
    for entry in entries:
        received = entry[RECEIVED_AT]
        if low is None or received < low:
            low = received
        if high is None or received > high:
            high = received
    return None if low is None or high is None else (low, high)


MAX_GAP_SECONDS = 86_400.0
_SECONDS = re.compile(r"^(\d+(?:\.\d*)?|\.\d+)\s*(ms|s|m|h)?$")


def parse_seconds(text: str) -> float:
    """A gap threshold: `2`, `2.5`, `500ms`, `1.5s`, `2m`; over 0 and at most a day.
    Raises ValueError with one clear line."""
    raw = text.strip().lower()
    found = _SECONDS.match(raw)
    if not found:
        raise ValueError(f"not seconds: {text.strip()!r} (try 2, 0.5, 500ms or 1m)")
    seconds = float(found[1]) * _UNIT[found[2] or "s"]
    if not 0 < seconds <= MAX_GAP_SECONDS:
        raise ValueError(f"a gap threshold is over 0 s and at most a day, not {text.strip()!r}")
    return seconds


class SinceTracker:
    """Seconds since the previous event of the same stream, per entry seq.

    `observe` is O(1) per entry (the last arrival per stream); the values sit in a deque
    indexed by `seq - base`, trimmed by `prune` to what the buffer retains. Session notes and
    a stream's first event have no value (None)."""

    def __init__(self) -> None:
        self._base = 0
        self._values: deque[float | None] = deque()
        self._last: dict[str, float] = {}

    def observe(self, entries: Iterable[LogEntry]) -> None:
        values = self._values
        last = self._last
        for entry in entries:
            seq = entry[SEQ]
            if not values:
                self._base = seq
            elif seq != self._base + len(values):
                # A hole (entries never shown to us): fill with None so indices stay seq-based.
                for _ in range(max(0, seq - self._base - len(values))):
                    values.append(None)
            stream = entry[STREAM]
            if stream == NOTE_STREAM:
                values.append(None)
                continue
            received = entry[RECEIVED_AT]
            previous = last.get(stream)
            values.append(None if previous is None else received - previous)
            last[stream] = received

    def get(self, seq: int) -> float | None:
        index = seq - self._base
        if 0 <= index < len(self._values):
            return self._values[index]
        return None

    def prune(self, first_seq: int) -> None:
        """Drop values of seqs older than `first_seq` (evicted)."""
        values = self._values
        while values and self._base < first_seq:
            values.popleft()
            self._base += 1

    def clear(self) -> None:
        self._values.clear()
        self._last.clear()
        self._base = 0


def format_since(seconds: float | None) -> str:
    """The "+Δ" cell, at most 7 cells under 100 days: `+0.012s` under a second, `+3.4s`
    under a minute, `+2m05s` under an hour, `+3h07m` under a day, `+2d05h` beyond."""
    if seconds is None:
        return ""
    if seconds < 1.0:
        return f"+{max(0.0, seconds):.3f}s"
    if seconds < 59.95:  # not "+60.0s"
        return f"+{seconds:.1f}s"
    whole = round(seconds)
    if whole < 3600:
        minutes, rest = divmod(whole, 60)
        return f"+{minutes}m{rest:02d}s"
    if whole < 86_400:
        hours, rest = divmod(whole // 60, 60)
        return f"+{hours}h{rest:02d}m"
    days, rest = divmod(whole // 3600, 24)
    return f"+{days}d{rest:02d}h"


@dataclass(frozen=True, slots=True)
class Gap:
    """A pause or a skip of ids in one stream, found at entry `seq` (the one after it)."""

    seq: int
    stream: str
    pause: float | None = None  # seconds, for a pause
    id_from: int | None = None  # for missing ids: the ids either side
    id_to: int | None = None

    def describe(self) -> str:
        if self.id_from is not None and self.id_to is not None:
            missing = self.id_to - self.id_from - 1
            return f"ids {self.id_from} -> {self.id_to} in {self.stream}: {missing} missing"
        return f"pause of {self.pause or 0.0:.1f} s in {self.stream}"


def _numeric_id(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def gaps(entries: Iterable[LogEntry], threshold: float = DEFAULT_GAP_SECONDS) -> list[Gap]:
    """Every gap in the entries, in seq order: a pause over `threshold` seconds between two
    consecutive events of a stream, or numeric ids of a stream that skip forward (a reset to a
    lower id is a reconnect, not a gap). One gap per entry; missing ids win over a pause."""
    found: list[Gap] = []
    last_at: dict[str, float] = {}
    last_id: dict[str, int] = {}
    for entry in entries:
        stream = entry[STREAM]
        if stream == NOTE_STREAM:
            continue
        received = entry[RECEIVED_AT]
        ident = _numeric_id(entry[ID])
        previous_id = last_id.get(stream)
        previous_at = last_at.get(stream)
        if ident is not None and previous_id is not None and ident > previous_id + 1:
            found.append(Gap(entry[SEQ], stream, id_from=previous_id, id_to=ident))
        elif previous_at is not None and received - previous_at > threshold:
            found.append(Gap(entry[SEQ], stream, pause=received - previous_at))
        last_at[stream] = received
        if ident is not None:
            last_id[stream] = ident
    return found


def next_gap(
    entries: Sequence[LogEntry] | Iterable[LogEntry],
    cursor_seq: int,
    threshold: float = DEFAULT_GAP_SECONDS,
    *,
    backward: bool = False,
) -> Gap | None:
    """The first gap after `cursor_seq` (or the last one before it, `backward`)."""
    all_gaps = gaps(entries, threshold)
    if backward:
        earlier = [gap for gap in all_gaps if gap.seq < cursor_seq]
        return earlier[-1] if earlier else None
    return next((gap for gap in all_gaps if gap.seq > cursor_seq), None)
