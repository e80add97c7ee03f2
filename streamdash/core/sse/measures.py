"""What the app measures on one stream beyond its counters: the time between events, missing
integer ids, latency from a send-time field, and an LLM stream's assembled text.

The stream's worker feeds it one batch of events at a time (cheap per event: the JSON work is
only done for the options the request turned on); the stats tracker reads it once a second and
the detail view asks it about one event.
"""

from __future__ import annotations

from collections.abc import Iterable

from streamdash.core.sse.assemble import Assembler
from streamdash.core.sse.events import Event
from streamdash.core.sse.gaps import GapTracker
from streamdash.core.sse.latency import InterArrival, LatencyTracker, event_latency_ms

__all__ = ["StreamMeasures", "describe_ranges"]


class StreamMeasures:
    def __init__(
        self, *, latency_field: str = "", assemble: str = "", started_at: float | None = None
    ) -> None:
        self.inter_arrival = InterArrival()
        self.gaps = GapTracker()
        self.latency = LatencyTracker(latency_field) if latency_field else None
        self.assembler = Assembler(assemble, started_at) if assemble else None

    def add(self, events: Iterable[Event]) -> None:
        arrival = self.inter_arrival.add
        gap = self.gaps.add
        latency = self.latency.add if self.latency is not None else None
        assemble = self.assembler.add if self.assembler is not None else None
        for event in events:
            arrival(event.received_at)
            gap(event.id)
            if latency is not None:
                latency(event)
            if assemble is not None:
                assemble(event)

    def request_started(self, at: float) -> None:
        """When the request went out, if not known yet: time to first token counts from it."""
        if self.assembler is not None and self.assembler.started_at is None:
            self.assembler.started_at = at

    def latency_of(self, event: Event) -> float | None:
        """One event's latency in ms, when this stream measures latency and the event has it."""
        if self.latency is None:
            return None
        return event_latency_ms(event, self.latency.field_path)


def describe_ranges(ranges: Iterable[tuple[int, int]], limit: int = 20) -> str:
    """'4-6, 9, 20-27' (the newest `limit` ranges; older ones as '...')."""
    items = list(ranges)
    shown = items[-limit:]
    parts = [str(a) if a == b else f"{a}-{b}" for a, b in shown]
    if len(items) > len(shown):
        parts.insert(0, "...")
    return ", ".join(parts)
