"""End-to-end latency from a send-time field in each event's JSON data, inter-arrival gaps, and
the silence alarm.

A stream option names a dotted path (`meta.sent_at`, `items.0.ts`; the syntax of
`streamdash.core.jsonpath.json_path`) to the server's send time. Accepted values:

* ISO 8601 strings (`2024-05-01T12:00:00Z`, `...+02:00`, fractional seconds); a time without an
  offset is taken as UTC.
* Epoch seconds or epoch milliseconds, as JSON numbers or numeric strings. Which one is decided by
  magnitude: a value above 1e11 is milliseconds (1e11 s is the year 5138, 1e11 ms is March 1973,
  so neither unit is ambiguous for any real send time).

Latency is `received_at - send time` in milliseconds. It may be negative when the two clocks
disagree; it is reported as measured, never clamped, so skew stays visible.
Everything takes times as arguments (wall clock, like `Event.received_at`): no sleeping in tests.
"""

from __future__ import annotations

import json
import math
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from streamdash.core.jsonpath import json_path
from streamdash.core.percentile import percentile
from streamdash.core.sse.events import Event
from streamdash.core.sse.silence import DEFAULT_SILENCE_THRESHOLD, silence_alarm

__all__ = [
    "DEFAULT_SILENCE_THRESHOLD",
    "MS_THRESHOLD",
    "InterArrival",
    "InterArrivalSnapshot",
    "LatencySnapshot",
    "LatencyTracker",
    "event_latency_ms",
    "parse_send_time",
    "silence_alarm",
]

MS_THRESHOLD = 1e11


def _from_number(number: float) -> float | None:
    if not math.isfinite(number) or number < 0:
        return None
    return number / 1000 if number > MS_THRESHOLD else number


def parse_send_time(value: Any) -> float | None:
    """Epoch seconds for a send-time value, or None when it is not one (see the module doc)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _from_number(float(value))
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    try:
        return _from_number(float(text))
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def event_latency_ms(event: Event, field_path: str) -> float | None:
    """received_at minus the send time at `field_path` in the event's JSON data, in ms; None when
    the data is not JSON or the field is missing or unparseable."""
    try:
        document = json.loads(event.data)
    except ValueError:
        return None
    sent = parse_send_time(json_path(document, field_path))
    if sent is None:
        return None
    return (event.received_at - sent) * 1000


@dataclass(frozen=True, slots=True)
class LatencySnapshot:
    """Percentiles over the last `window` measurements; all None before the first one."""

    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    count: int  # measured events, all time
    missing: int  # events without a usable send time, all time
    last_ms: float | None


class LatencyTracker:
    def __init__(self, field_path: str, window: int = 1000) -> None:
        if window < 1:
            raise ValueError("window must be at least 1")
        self.field_path = field_path
        self.window = window
        self.count = 0
        self.missing = 0
        self.last: float | None = None
        self._values: deque[float] = deque(maxlen=window)

    def add(self, event: Event) -> float | None:
        latency = event_latency_ms(event, self.field_path)
        if latency is None:
            self.missing += 1
            return None
        self.count += 1
        self.last = latency
        self._values.append(latency)
        return latency

    def snapshot(self) -> LatencySnapshot:
        ordered = sorted(self._values)
        p50: float | None
        p95: float | None
        p99: float | None
        if ordered:
            p50, p95, p99 = (percentile(ordered, p) for p in (50, 95, 99))
        else:
            p50 = p95 = p99 = None
        return LatencySnapshot(p50, p95, p99, self.count, self.missing, self.last)


@dataclass(frozen=True, slots=True)
class InterArrivalSnapshot:
    last_s: float | None
    max_s: float | None
    p95_s: float | None  # over the last `window` gaps
    count: int  # gaps measured (events - 1)


class InterArrival:
    """The time between consecutive events. A time earlier than the previous one (clock step)
    counts as a gap of 0."""

    def __init__(self, window: int = 1000) -> None:
        if window < 1:
            raise ValueError("window must be at least 1")
        self.last_at: float | None = None
        self.last: float | None = None
        self.max: float | None = None
        self.count = 0
        self._gaps: deque[float] = deque(maxlen=window)

    def add(self, at: float | Event) -> float | None:
        """Record an arrival (a time, or an event's received_at); the gap since the previous."""
        when = at.received_at if isinstance(at, Event) else float(at)
        previous, self.last_at = self.last_at, when
        if previous is None:
            return None
        gap = max(0.0, when - previous)
        self.last = gap
        self.max = gap if self.max is None else max(self.max, gap)
        self.count += 1
        self._gaps.append(gap)
        return gap

    def snapshot(self) -> InterArrivalSnapshot:
        p95 = percentile(sorted(self._gaps), 95) if self._gaps else None
        return InterArrivalSnapshot(self.last, self.max, p95, self.count)
