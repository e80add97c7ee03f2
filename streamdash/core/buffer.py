"""The retained events of every stream in one bounded ring buffer.

Workers append here (never to a widget); the log view reads what is new since its last flush,
and a filter re-runs over everything retained, not over the lines a widget happens to hold.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Final

from streamdash.core.sse.events import Event

DEFAULT_BUFFER_SIZE = 100_000
NOTE_STREAM = "streamdash"  # the stream label of the session's own lines (an environment switch)


# One retained event: (seq, stream, type, data, id, received_at). A plain tuple of strings and
# numbers, because the garbage collector stops tracking those: with an object per event (a
# dataclass holding an Event) 100,000 retained events made every full collection take over
# 100 ms, stalling the event loop. `seq` orders all entries of all streams.
LogEntry = tuple[int, str, str, str, str, float]
# The columns, as literals, so that `entry[DATA]` is a str to the type checker.
SEQ: Final = 0
STREAM: Final = 1
TYPE: Final = 2
DATA: Final = 3
ID: Final = 4
RECEIVED_AT: Final = 5


def make_entry(seq: int, stream: str, event: Event) -> LogEntry:
    return (seq, stream, event[0], event[1], event[2], event[5])


def entry_event(entry: LogEntry) -> Event:
    """The entry as an `Event` again (for code that wants the httpx-sse type)."""
    return Event(entry[TYPE], entry[DATA], entry[ID], received_at=entry[RECEIVED_AT])


class EventBuffer:
    """A ring of the last `size` entries. Appending drops the oldest; `seq` keeps counting."""

    def __init__(self, size: int = DEFAULT_BUFFER_SIZE) -> None:
        if size < 1:
            raise ValueError("buffer size must be at least 1")
        self.size = size
        self._entries: deque[LogEntry] = deque(maxlen=size)
        self._next_seq = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[LogEntry]:
        return iter(self._entries)

    @property
    def next_seq(self) -> int:
        """The seq the next appended entry will get: a cursor for "what is new since"."""
        return self._next_seq

    @property
    def dropped(self) -> int:
        """How many entries were pushed out of the ring so far."""
        return self._next_seq - len(self._entries)

    def extend(self, stream: str, events: Iterable[Event]) -> int:
        """Append one batch from one stream; returns how many were appended."""
        seq = self._next_seq
        entries = self._entries
        for event in events:
            entries.append((seq, stream, event[0], event[1], event[2], event[5]))
            seq += 1
        added = seq - self._next_seq
        self._next_seq = seq
        return added

    def since(self, seq: int) -> list[LogEntry]:
        """Entries with seq >= `seq` that are still retained, oldest first."""
        entries = self._entries
        if not entries:
            return []
        first = entries[0][SEQ]
        start = max(0, seq - first)
        if start >= len(entries):
            return []
        if start == 0:
            return list(entries)
        # A deque cannot slice; walk back from the newest end, which is where "new" lives.
        newest = list(islice(reversed(entries), len(entries) - start))
        newest.reverse()
        return newest

    def note(self, text: str, at: float, kind: str = "note") -> None:
        """One line of the session's own, in order with the events (`stream` is NOTE_STREAM)."""
        self._entries.append((self._next_seq, NOTE_STREAM, kind, text, "", at))
        self._next_seq += 1

    def relabel(self, old: str, new: str) -> int:
        """Retained entries of stream `old` are `new`'s from now on (a renamed request); seqs
        stay. Returns how many were relabelled."""
        count = 0
        rewritten: deque[LogEntry] = deque(maxlen=self.size)
        for entry in self._entries:
            if entry[STREAM] == old:
                entry = (entry[SEQ], new, entry[TYPE], entry[DATA], entry[ID], entry[RECEIVED_AT])
                count += 1
            rewritten.append(entry)
        if count:
            self._entries = rewritten
        return count

    def clear(self) -> None:
        self._entries.clear()
