"""What the event log shows of the retained events: the filter, its stream scope, invert,
whether typed heartbeats show, and how many match, kept up to date as events arrive.

An expression that does not compile matches nothing and stays reported until it is fixed: a
log that looked unfiltered under a broken filter would be read as "everything matches".

A heartbeat is an event whose type is one of its stream's `heartbeat_events` (issue 10, 6b):
the engine counts it as liveness, the log dims it, and hiding heartbeats only narrows what
shows (they stay in the buffer and are counted while hidden). Which types those are is the
stream's own setting; entries of a stream the session no longer has, or of a replay, use
DEFAULT_HEARTBEAT_EVENTS.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from streamdash.core.buffer import NOTE_STREAM, SEQ, STREAM, TYPE, EventBuffer, LogEntry
from streamdash.core.filter import EventFilter, FieldCache, FilterError, compile_filter
from streamdash.core.sse.events import DEFAULT_HEARTBEAT_EVENTS

if TYPE_CHECKING:
    from streamdash.core.session.live import LiveStream

__all__ = ["HeartbeatTypes", "LogView", "heartbeat_types"]

# A stream's label in the log -> the event types that are its heartbeats.
HeartbeatTypes = Callable[[str], frozenset[str]]


def _default_types(stream: str) -> frozenset[str]:
    return DEFAULT_HEARTBEAT_EVENTS


def heartbeat_types(streams: Mapping[str, LiveStream]) -> HeartbeatTypes:
    """The heartbeat types of the session's streams by their label (two streams of one name:
    either's), DEFAULT_HEARTBEAT_EVENTS for a label no engine of the session runs under."""

    def types(stream: str) -> frozenset[str]:
        found = [
            live.stream.options.heartbeat_events
            for live in streams.values()
            if live.name == stream and live.stream is not None
        ]
        return frozenset[str]().union(*found) if found else DEFAULT_HEARTBEAT_EVENTS

    return types


class LogView:
    def __init__(
        self,
        buffer: EventBuffer,
        cache: FieldCache | None = None,
        heartbeats: HeartbeatTypes = _default_types,
    ) -> None:
        self.buffer = buffer
        self.cache = cache or FieldCache(entries=buffer.size)  # JSON field values, sized to the ring
        self.text = ""
        self.invert = False
        self.scope: str | None = None
        self.error: str | None = None  # why the text does not compile; nothing matches then
        self.filter: EventFilter = compile_filter("")
        self.flushed_seq = 0  # entries before this seq have been looked at
        self._matched: deque[int] = deque()  # seqs of the retained entries that match
        self.took_ms = 0.0  # the last full re-filter
        self.hide_heartbeats = False
        self._heartbeats = heartbeats
        self._types: dict[str, frozenset[str]] = {}  # looked up once per tick, not per line
        self._hidden: deque[int] = deque()  # seqs of retained heartbeats not shown (hidden)
        # Find mode: every event shows (within the scope), the filter only counts and highlights.
        self.find = False

    @property
    def narrowed(self) -> bool:
        """Something narrows what shows: a filter, a scope, invert, or a broken expression."""
        return bool(self.error) or not self.filter.is_empty or self.scope is not None or self.invert

    def set_text(self, text: str) -> str | None:
        """Compile the expression; returns the error (and then nothing matches) or None."""
        self.text = text
        try:
            self.filter = compile_filter(text, invert=self.invert, cache=self.cache)
        except FilterError as exc:
            self.error = str(exc)
        else:
            self.error = None
        return self.error

    def toggle_invert(self) -> None:
        self.invert = not self.invert
        self.set_text(self.text)

    def scopes(self, running: list[str]) -> list[str | None]:
        """All streams, then each stream that has events or runs (not the session's own lines)."""
        names = {entry[STREAM] for entry in self.buffer} | set(running)
        names.discard(NOTE_STREAM)
        return [None, *sorted(names)]

    def cycle_scope(self, running: list[str]) -> str | None:
        options = self.scopes(running)
        index = options.index(self.scope) if self.scope in options else 0
        self.scope = options[(index + 1) % len(options)]
        return self.scope

    def is_heartbeat(self, entry: LogEntry) -> bool:
        """The entry's type is one of its stream's heartbeat types (the session's own lines
        never are)."""
        stream = entry[STREAM]
        types = self._types.get(stream)
        if types is None:
            types = self._types[stream] = frozenset() if stream == NOTE_STREAM else self._heartbeats(stream)
        return entry[TYPE] in types

    def toggle_heartbeats(self) -> None:
        """Hide or show typed heartbeats (they stay in the buffer either way)."""
        self.hide_heartbeats = not self.hide_heartbeats

    def visible(self, entries: list[LogEntry]) -> list[LogEntry]:
        return self._split(entries)[0]

    def _split(self, entries: list[LogEntry]) -> tuple[list[LogEntry], list[LogEntry]]:
        """(shown, hidden heartbeats) of these entries."""
        if self.error is not None:
            return [], []
        # The filter's cache keeps field values keyed by the data itself: sized to what the
        # buffer holds now, not to its count bound, so the events the byte bound evicted go.
        self.cache.entries = max(1, len(self.buffer))
        if self.scope is not None:
            entries = [e for e in entries if e[STREAM] == self.scope]
        if not self.filter.is_empty or self.invert:
            entries = self.filter.apply(entries)
        if not self.hide_heartbeats:
            return entries, []
        shown: list[LogEntry] = []
        hidden: list[LogEntry] = []
        is_heartbeat = self.is_heartbeat
        for entry in entries:
            (hidden if is_heartbeat(entry) else shown).append(entry)
        return shown, hidden

    def take_new(self) -> list[LogEntry]:
        """The entries that arrived since the last look and match; counted as they come."""
        buffer = self.buffer
        if buffer.next_seq == self.flushed_seq:
            return []
        new = buffer.since(self.flushed_seq)
        self.flushed_seq = buffer.next_seq
        self._types.clear()  # a restarted stream may have other heartbeat types now
        shown, hidden = self._split(new)
        if self.narrowed and shown:
            self._matched.extend(entry[SEQ] for entry in shown)
        if hidden:
            self._hidden.extend(entry[SEQ] for entry in hidden)
        return self._unfiltered(new) if self.find else shown

    def all_matches(self) -> list[LogEntry]:
        """Re-run over everything retained (a new filter, a catch-up)."""
        start = time.perf_counter()
        self._types.clear()
        retained = list(self.buffer)
        matches, hidden = self._split(retained)
        self.flushed_seq = self.buffer.next_seq
        self._matched = deque(entry[SEQ] for entry in matches) if self.narrowed else deque()
        self._hidden = deque(entry[SEQ] for entry in hidden)
        self.took_ms = (time.perf_counter() - start) * 1000
        return self._unfiltered(retained) if self.find else matches

    def _unfiltered(self, entries: list[LogEntry]) -> list[LogEntry]:
        """What find mode shows: the scope's events, heartbeats hidden if they are, the filter
        not applied (it only counts and highlights)."""
        if self.scope is not None:
            entries = [e for e in entries if e[STREAM] == self.scope]
        if self.hide_heartbeats:
            is_heartbeat = self.is_heartbeat
            entries = [e for e in entries if not is_heartbeat(e)]
        return entries

    def _prune(self, seqs: deque[int]) -> int:
        """How many of these seqs the ring still holds (the older ones are forgotten)."""
        first = self.buffer.next_seq - len(self.buffer)
        while seqs and seqs[0] < first:
            seqs.popleft()
        return len(seqs)

    def hidden_heartbeats(self) -> int:
        """Retained heartbeats that would show but for hiding them."""
        return self._prune(self._hidden) if self.hide_heartbeats else 0

    def counts(self) -> tuple[int, int]:
        """(shown, retained): the matches among what the ring still holds, less the hidden
        heartbeats."""
        total = len(self.buffer)
        if not self.narrowed:
            return total - self.hidden_heartbeats(), total
        return self._prune(self._matched), total

    def status(self) -> tuple[str, bool]:
        """The filter bar's status text, and whether it is an error."""
        if self.error is not None:
            return f"{self.error} \u00b7 nothing shown", True
        matching, total = self.counts()
        if not self.narrowed:
            return f"{total:,} events", False
        return f"{matching:,} of {total:,} match", False

    def heartbeat_status(self) -> str:
        """"N heartbeats hidden" while they are hidden (beside the status), else nothing."""
        if not self.hide_heartbeats:
            return ""
        hidden = self.hidden_heartbeats()
        return f"{hidden:,} heartbeat{'' if hidden == 1 else 's'} hidden"
