"""What the event log shows of the retained events: the filter, its stream scope, invert, and
how many match, kept up to date as events arrive.

An expression that does not compile matches nothing and stays reported until it is fixed: a
log that looked unfiltered under a broken filter would be read as "everything matches".
"""

from __future__ import annotations

import time
from collections import deque

from streamdash.core.buffer import NOTE_STREAM, SEQ, STREAM, EventBuffer, LogEntry
from streamdash.core.filter import EventFilter, FieldCache, FilterError, compile_filter

__all__ = ["LogView"]


class LogView:
    def __init__(self, buffer: EventBuffer, cache: FieldCache | None = None) -> None:
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

    def visible(self, entries: list[LogEntry]) -> list[LogEntry]:
        if self.error is not None:
            return []
        if self.scope is not None:
            entries = [e for e in entries if e[STREAM] == self.scope]
        if self.filter.is_empty and not self.invert:
            return entries
        return self.filter.apply(entries)

    def take_new(self) -> list[LogEntry]:
        """The entries that arrived since the last look and match; counted as they come."""
        buffer = self.buffer
        if buffer.next_seq == self.flushed_seq:
            return []
        new = buffer.since(self.flushed_seq)
        self.flushed_seq = buffer.next_seq
        shown = self.visible(new)
        if self.narrowed and shown:
            self._matched.extend(entry[SEQ] for entry in shown)
        return shown

    def all_matches(self) -> list[LogEntry]:
        """Re-run over everything retained (a new filter, a catch-up)."""
        start = time.perf_counter()
        matches = self.visible(list(self.buffer))
        self.flushed_seq = self.buffer.next_seq
        self._matched = deque(entry[SEQ] for entry in matches) if self.narrowed else deque()
        self.took_ms = (time.perf_counter() - start) * 1000
        return matches

    def counts(self) -> tuple[int, int]:
        """(matching, retained), the matches among what the ring still holds."""
        total = len(self.buffer)
        if not self.narrowed:
            return total, total
        first = self.buffer.next_seq - total
        matched = self._matched
        while matched and matched[0] < first:
            matched.popleft()
        return len(matched), total

    def status(self) -> tuple[str, bool]:
        """The filter bar's status text, and whether it is an error."""
        if self.error is not None:
            return f"{self.error} \u00b7 nothing shown", True
        matching, total = self.counts()
        if not self.narrowed:
            return f"{total:,} events", False
        return f"{matching:,} of {total:,} match", False
