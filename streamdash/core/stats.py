"""Live counters turned into immutable snapshots for the stats panel, and the formats it shows.

Streams and the REST client only bump counters; once a second the UI calls `sample(now)` /
`snapshot(now)` and renders what comes back. Everything here takes the time as an argument (wall
clock, like `StreamStats`), so it is pure arithmetic and tests need no sleeping.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from streamdash.core.percentile import percentile
from streamdash.core.sse.events import StreamState
from streamdash.core.sse.silence import DEFAULT_SILENCE_THRESHOLD, silence_alarm
from streamdash.core.sse.stream import StreamStats

if TYPE_CHECKING:
    from streamdash.core.sse.measures import StreamMeasures


__all__ = [
    "RestSnapshot",
    "RestStats",
    "StreamSnapshot",
    "StreamTracker",
    "format_bytes",
    "format_duration",
    "format_rate",
    "percentile",
    "silent_for",
]


# --------------------------------------------------------------------------------------------
# Streams


@dataclass(frozen=True, slots=True)
class StreamSnapshot:
    """One stream at one instant; the `*_per_s` rates cover the interval since the last sample."""

    name: str
    state: str
    state_detail: str
    connected_for: float | None
    events: int
    events_per_s: float
    events_history: tuple[float, ...]
    bytes: int
    bytes_per_s: float
    reconnects: int
    duplicates: int
    heartbeats: int
    last_event_id: str
    since_last_event: float | None
    since_last_heartbeat: float | None
    last_error: str
    # Measures (see `core.sse.measures`); None where nothing was measured.
    silent_for: float | None = None  # set only past the silence alarm, while the stream is open
    gap_last_s: float | None = None  # time between the last two events
    gap_max_s: float | None = None
    missing_ids: int | None = None  # None unless the ids are increasing integers
    missing_ranges: int = 0
    id_resets: int = 0
    latency_last_ms: float | None = None
    latency_p50_ms: float | None = None
    latency_p95_ms: float | None = None
    latency_p99_ms: float | None = None
    latency_missing: int = 0  # events without a usable send time
    tokens: int | None = None  # None unless the stream assembles text
    time_to_first_token_s: float | None = None
    tokens_per_s: float | None = None
    # Which stream this is: its key (the request's file), where it connects, under which
    # environment. A name alone is not unique: two groups may each have a "ticker".
    key: str = ""
    host: str = ""
    environment: str | None = None
    skipped_oversize: int = 0  # events over max_event_bytes discarded (oversize = "skip")


def _since(now: float, then: float | None) -> float | None:
    # Never negative: a sample taken a hair before a counter's own clock read is "just now".
    return None if then is None else max(0.0, now - then)


def _delta(current: int, previous: int) -> int:
    """Counters only grow; one that shrank was reset, so all of it is new."""
    return current - previous if current >= previous else current


def describe_state(stats: StreamStats, now: float) -> str:
    """A few words for the state column: what the stream does and, if it waits, for how long."""
    state = stats.state
    # A stream closed mid-backoff keeps its next_attempt_at: the state has the last word then.
    if stats.next_attempt_at is not None and state not in (StreamState.CLOSED, StreamState.FAILED):
        remaining = stats.next_attempt_at - now
        if remaining <= 0:
            return "reconnecting now"
        wait = f"{math.ceil(remaining)} s" if remaining < 60 else format_duration(remaining)
        return f"reconnecting in {wait}"
    if state == StreamState.FAILED:
        return f"failed: {stats.last_error}" if stats.last_error else "failed"
    if state == StreamState.CONNECTING:
        return "reconnecting" if stats.connects or stats.reconnects else "connecting"
    return str(state)  # "open", "closed"


def silent_for(stats: StreamStats, now: float, threshold: float) -> float | None:
    """Seconds an open stream has sent nothing at all (heartbeats and stray bytes count as
    something), once that passes `threshold`; None otherwise, and always with threshold 0."""
    if threshold <= 0 or stats.state is not StreamState.OPEN:
        return None
    marks = [t for t in (stats.last_byte_at, stats.connected_since) if t is not None]
    return silence_alarm(max(marks) if marks else None, now, threshold)


class StreamTracker:
    """Samples one stream's counters (and its measures, if it has them); keeps the last
    `history` event rates for a sparkline."""

    def __init__(
        self,
        name: str,
        stats: StreamStats,
        history: int = 60,
        *,
        measures: StreamMeasures | None = None,
        silence_after: float = DEFAULT_SILENCE_THRESHOLD,
    ) -> None:
        if history < 1:
            raise ValueError("history must be at least 1")
        self.name = name
        self.key = name
        self.host = ""
        self.environment: str | None = None
        self.stats = stats
        self.measures = measures
        self.silence_after = silence_after
        self.rates: deque[float] = deque(maxlen=history)  # events/s, oldest first
        self._at: float | None = None
        self._events = stats.events
        self._bytes = stats.bytes
        self._events_per_s = 0.0
        self._bytes_per_s = 0.0

    def sample(self, now: float) -> StreamSnapshot:
        """The stream now. The first sample (and one at a time not after the previous) has no
        interval to measure, so it repeats the previous rates and adds nothing to the history."""
        stats = self.stats
        if self._at is not None and now > self._at:
            elapsed = now - self._at
            self._events_per_s = _delta(stats.events, self._events) / elapsed
            self._bytes_per_s = _delta(stats.bytes, self._bytes) / elapsed
            self.rates.append(self._events_per_s)
        if self._at is None or now > self._at:
            self._at = now
            self._events, self._bytes = stats.events, stats.bytes
        return StreamSnapshot(
            name=self.name,
            state=str(stats.state),
            state_detail=describe_state(stats, now),
            connected_for=_since(now, stats.connected_since),
            events=stats.events,
            events_per_s=self._events_per_s,
            events_history=tuple(self.rates),
            bytes=stats.bytes,
            bytes_per_s=self._bytes_per_s,
            reconnects=stats.reconnects,
            duplicates=stats.duplicates,
            heartbeats=stats.heartbeats,
            last_event_id=stats.last_event_id,
            since_last_event=_since(now, stats.last_event_at),
            since_last_heartbeat=_since(now, stats.last_heartbeat_at),
            last_error=stats.last_error,
            silent_for=silent_for(stats, now, self.silence_after),
            key=self.key,
            host=self.host,
            environment=self.environment,
            skipped_oversize=stats.skipped_oversize,
            **(_measured(self.measures) if self.measures is not None else {}),
        )


def _measured(measures: StreamMeasures) -> dict[str, Any]:
    arrival = measures.inter_arrival
    gaps = measures.gaps
    fields: dict[str, Any] = {
        "gap_last_s": arrival.last,
        "gap_max_s": arrival.max,
        "missing_ids": gaps.missing if gaps.applicable else None,
        "missing_ranges": len(gaps.ranges),
        "id_resets": gaps.resets,
    }
    if measures.latency is not None:
        latency = measures.latency.snapshot()
        fields.update(
            latency_last_ms=latency.last_ms,
            latency_p50_ms=latency.p50_ms,
            latency_p95_ms=latency.p95_ms,
            latency_p99_ms=latency.p99_ms,
            latency_missing=latency.missing,
        )
    if (assembler := measures.assembler) is not None:
        fields.update(
            tokens=assembler.tokens,
            time_to_first_token_s=assembler.time_to_first_token,
            tokens_per_s=assembler.tokens_per_s,
        )
    return fields


# --------------------------------------------------------------------------------------------
# REST requests


@dataclass(frozen=True, slots=True)
class RestSnapshot:
    """Counts and rates over every request recorded; response times over the last `window`."""

    requests: int
    errors: int  # 4xx + 5xx + transport errors
    transport_errors: int  # no response at all (refused, timeout, TLS...)
    rate_4xx: float  # fractions of `requests`, 0.0 before the first one
    rate_5xx: float
    error_rate: float
    p50_ms: float | None  # None until a response arrived
    p95_ms: float | None
    p99_ms: float | None
    requests_per_s: float  # over the last RATE_WINDOW seconds
    last_status: int | None


RATE_WINDOW = 60.0




class RestStats:
    """What the REST panel knows about the requests sent so far."""

    def __init__(self, window: int = 1000) -> None:
        if window < 1:
            raise ValueError("window must be at least 1")
        self.window = window
        self.requests = 0
        self.client_errors = 0
        self.server_errors = 0
        self.transport_errors = 0
        self.last_status: int | None = None
        self._times: deque[float] = deque(maxlen=window)  # seconds, answered requests only
        self._recent: deque[float] = deque()  # when, for requests_per_s
        self._first_at: float | None = None

    def record(self, status: int | None, elapsed_s: float, at: float) -> None:
        """One finished request; `status` None means no response (a transport error), whose
        time is left out of the percentiles: it measures a timeout, not the server."""
        self.requests += 1
        self.last_status = status
        if status is None:
            self.transport_errors += 1
        else:
            self._times.append(elapsed_s)
            if 400 <= status < 500:
                self.client_errors += 1
            elif status >= 500:
                self.server_errors += 1
        self._recent.append(at)
        self._first_at = at if self._first_at is None else min(self._first_at, at)
        self._prune(at)

    def _prune(self, now: float) -> None:
        recent, cutoff = self._recent, now - RATE_WINDOW
        while recent and recent[0] <= cutoff:
            recent.popleft()

    def snapshot(self, now: float) -> RestSnapshot:
        self._prune(now)
        requests = self.requests
        errors = self.client_errors + self.server_errors + self.transport_errors
        ordered = sorted(self._times)
        p50, p95, p99 = (
            (percentile(ordered, p) * 1000 for p in (50, 95, 99)) if ordered else (None,) * 3
        )
        # Until a full window has passed, divide by the time since the first request (at least
        # a second), or a burst of 10 requests would read as 0.17/s for the first minute.
        span = RATE_WINDOW
        if self._first_at is not None:
            span = min(RATE_WINDOW, max(1.0, now - self._first_at))
        recent = sum(1 for at in self._recent if at <= now)
        return RestSnapshot(
            requests=requests,
            errors=errors,
            transport_errors=self.transport_errors,
            rate_4xx=self.client_errors / requests if requests else 0.0,
            rate_5xx=self.server_errors / requests if requests else 0.0,
            error_rate=errors / requests if requests else 0.0,
            p50_ms=p50,
            p95_ms=p95,
            p99_ms=p99,
            requests_per_s=recent / span,
            last_status=self.last_status,
        )


# --------------------------------------------------------------------------------------------
# Formatting, shared by the UI and the CLI


def format_duration(seconds: float) -> str:
    """'850 ms', '12.3 s', '4 m 05 s', '2 h 03 m', '3 d 04 h': two units at most, the larger
    ones zero-padded so a ticking value keeps its width."""
    if seconds < 0:
        return "-" + format_duration(-seconds)
    millis = round(seconds * 1000)
    if millis < 1000:
        return f"{millis} ms"
    if round(seconds, 1) < 60:
        return f"{seconds:.1f} s"
    whole = round(seconds)  # 59.96 s is "1 m 00 s", not "0 m 59 s"
    if whole < 3600:
        return f"{whole // 60} m {whole % 60:02d} s"
    if whole < 86400:
        return f"{whole // 3600} h {whole % 3600 // 60:02d} m"
    return f"{whole // 86400} d {whole % 86400 // 3600:02d} h"


def _scaled(value: float, base: float, units: tuple[str, ...]) -> tuple[float, str]:
    """`value` in the largest unit that keeps it below `base` once rounded to one decimal."""
    for unit in units[:-1]:
        if round(value, 1) < base:
            return value, unit
        value /= base
    return value, units[-1]


def format_rate(per_s: float) -> str:
    """'0', '0.4/s', '12.5/s', '1.2k/s', '3.4M/s'."""
    if per_s <= 0:
        return "0"
    if per_s < 0.05:
        return "<0.1/s"
    value, unit = _scaled(per_s, 1000, ("", "k", "M", "G"))
    return f"{value:.1f}{unit}/s"


def format_bytes(n: float) -> str:
    """'512 B', '1.5 KiB', '3.2 MiB' (binary units)."""
    if n < 1024:
        return f"{int(n)} B"
    value, unit = _scaled(n / 1024, 1024, ("KiB", "MiB", "GiB", "TiB"))
    return f"{value:.1f} {unit}"
