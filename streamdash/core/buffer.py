"""The retained events of every stream in one ring buffer, bounded by count and by bytes.

Workers append here (never to a widget); the log view reads what is new since its last flush,
and a filter re-runs over everything retained, not over the lines a widget happens to hold.

The count bound alone let a server decide the memory: 100,000 events of 5 MB are 500 GB. The
byte bound (rule 37) counts each entry's type, data and id by `len()` at append (characters:
bytes for ASCII, cheap, and what a `str` of them holds), and the oldest entries go until both
bounds hold. An entry larger than the whole byte bound is kept alone, until the next one:
the newest event is always there to see. What was evicted is counted, never silently lost.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Final, NamedTuple

from streamdash.core.sse.events import Event

DEFAULT_BUFFER_SIZE = 100_000
# 64 MiB of event text: the count bound binds first for events under ~670 bytes (most feeds),
# so this only ever trims streams of big events; it still keeps the last dozen 5 MB events (or
# four at the engine's 16 MiB cap), and the whole dashboard stays a few hundred MB at worst.
DEFAULT_BUFFER_BYTES = 64 * 1024 * 1024
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


def entry_bytes(entry: LogEntry) -> int:
    """What an entry counts toward the byte bound: its type, data and id (the stream label is
    one string shared by all its entries)."""
    return len(entry[TYPE]) + len(entry[DATA]) + len(entry[ID])


class BufferFill(NamedTuple):
    """How full the buffer is against both bounds, and how many entries it evicted so far."""

    entries: int
    size: int
    bytes: int
    max_bytes: int
    evicted: int


def entry_event(entry: LogEntry) -> Event:
    """The entry as an `Event` again (for code that wants the httpx-sse type)."""
    return Event(entry[TYPE], entry[DATA], entry[ID], received_at=entry[RECEIVED_AT])


class EventBuffer:
    """A ring of the last entries within `size` entries and `max_bytes` bytes. Appending drops
    the oldest past either bound (counted in `evicted`); `seq` keeps counting."""

    def __init__(self, size: int = DEFAULT_BUFFER_SIZE, max_bytes: int = DEFAULT_BUFFER_BYTES) -> None:
        if size < 1:
            raise ValueError("buffer size must be at least 1")
        if max_bytes < 1:
            raise ValueError("buffer bytes must be at least 1")
        self.size = size
        self.max_bytes = max_bytes
        # No maxlen: the deque would drop entries without saying which, and their bytes must
        # be subtracted. A batch is appended whole, then the oldest go (amortised O(1)).
        self._entries: deque[LogEntry] = deque()
        self._next_seq = 0
        self.bytes = 0  # entry_bytes of everything retained
        self.evicted = 0  # entries pushed out by either bound (a clear by the user is not one)

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
        """How many entries are gone from the ring so far (evicted or cleared)."""
        return self._next_seq - len(self._entries)

    def fill(self) -> BufferFill:
        return BufferFill(len(self._entries), self.size, self.bytes, self.max_bytes, self.evicted)

    def extend(self, stream: str, events: Iterable[Event]) -> int:
        """Append one batch from one stream; returns how many were appended."""
        seq = self._next_seq
        entries = self._entries
        append = entries.append
        added_bytes = 0
        for event in events:
            kind, data, ident = event[0], event[1], event[2]
            append((seq, stream, kind, data, ident, event[5]))
            added_bytes += len(kind) + len(data) + len(ident)
            seq += 1
        added = seq - self._next_seq
        self._next_seq = seq
        self.bytes += added_bytes
        if len(entries) > self.size or self.bytes > self.max_bytes:
            self._evict()
        return added

    def _evict(self) -> None:
        """Drop the oldest until both bounds hold, keeping at least the newest entry. (Counted
        loops, not `while` tests: at steady state every append evicts, so this is hot.)"""
        entries = self._entries
        popleft = entries.popleft
        total = self.bytes
        over = len(entries) - self.size
        for _ in range(over):
            old = popleft()
            total -= len(old[2]) + len(old[3]) + len(old[4])
        gone = max(0, over)
        max_bytes = self.max_bytes
        while total > max_bytes and len(entries) > 1:
            old = popleft()
            total -= len(old[2]) + len(old[3]) + len(old[4])
            gone += 1
        self.bytes = total
        self.evicted += gone

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
        self.bytes += len(kind) + len(text)
        if len(self._entries) > self.size or self.bytes > self.max_bytes:
            self._evict()

    def relabel(self, old: str, new: str) -> int:
        """Retained entries of stream `old` are `new`'s from now on (a renamed request); seqs
        and bytes stay. Returns how many were relabelled."""
        count = 0
        rewritten: deque[LogEntry] = deque()
        for entry in self._entries:
            if entry[STREAM] == old:
                entry = (entry[SEQ], new, entry[TYPE], entry[DATA], entry[ID], entry[RECEIVED_AT])
                count += 1
            rewritten.append(entry)
        if count:
            self._entries = rewritten
        return count

    def clear(self) -> None:
        """Forget everything retained (the user asked: nothing is counted as evicted)."""
        self._entries.clear()
        self.bytes = 0
        self.evicted = 0
