"""A recording played back as if it were live: each stream's counters rebuilt from the recorded
items, and a clock that reads the recording's own time.

The dashboard shows a replay with the same stats panel, state line and log as a live stream; they
read `StreamStats` and ask a clock for "now". Here both come from the file, so "up 2 m 10 s" or
"silent 40 s" mean what they meant when the recording was made, whatever the replay speed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterable

from streamdash.core.recording import DamagedLine, RecordedItem, RecordingReadError, check_speed, play
from streamdash.core.sse.events import DEFAULT_HEARTBEAT_EVENTS, StreamState
from streamdash.core.sse.stream import StreamStats

__all__ = ["INSTANT_CHUNK", "RecordingClock", "RecordingPlayer", "apply_item"]

INSTANT_CHUNK = 100  # items between two pauses for the event loop: smaller chunks, more frames


class RecordingClock:
    """The recording's time: the time of the item played last, moving on at `speed` (None: it
    stands still between items, as an instant replay has no time between them)."""

    def __init__(self, speed: float | None, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.speed = speed
        self.at: float | None = None
        self.finished = False
        self._monotonic = monotonic
        self._wall = 0.0

    def advance(self, t: float) -> None:
        if self.at is None or t >= self.at:  # two sessions in one file may step back: never go back
            self.at = t
        self._wall = self._monotonic()

    def __call__(self) -> float:
        if self.at is None:
            return time.time()
        if self.speed is None or self.finished:
            return self.at
        return self.at + (self._monotonic() - self._wall) * self.speed


def apply_item(stats: StreamStats, item: RecordedItem) -> None:
    """Update the counters as the live stream did when the item arrived."""
    t = item.t
    kind = item.kind
    if kind == "event":
        if stats.state is not StreamState.OPEN:  # recorded from mid-stream: it was open
            stats.state = StreamState.OPEN
            stats.connected_since = t
            stats.next_attempt_at = None
        stats.bytes += len(item.data)  # the wire framing is not recorded; the data is most of it
        if item.id:
            stats.last_event_id = item.id
        # A recording keeps no stream's own heartbeat types: the default set, as live by default.
        if item.event in DEFAULT_HEARTBEAT_EVENTS:
            stats.heartbeats += 1
            stats.last_heartbeat_at = stats.last_byte_at = t
        else:
            stats.events += 1
            stats.last_event_at = stats.last_byte_at = t
    elif kind == "heartbeat":
        stats.heartbeats += 1
        stats.last_heartbeat_at = stats.last_byte_at = t
    elif kind == "state":
        state = StreamState(item.state)
        if state is StreamState.CONNECTING and stats.state is StreamState.BACKOFF:
            stats.reconnects += 1
        stats.state = state
        if item.last_event_id:
            stats.last_event_id = item.last_event_id
        if state is StreamState.OPEN:
            stats.connects += 1
            stats.connected_since = t
            stats.last_status = item.status
            stats.next_attempt_at = None
        else:
            stats.connected_since = None
            stats.next_attempt_at = None
            if state is StreamState.BACKOFF:
                stats.next_attempt_at = t + item.delay if item.delay is not None else None
            if state in (StreamState.BACKOFF, StreamState.FAILED) and item.reason:
                stats.last_error = item.reason


class RecordingPlayer:
    """Plays recorded items in batches and keeps every stream's counters on the way."""

    def __init__(
        self,
        items: Iterable[RecordedItem | DamagedLine],
        *,
        speed: float | None = 1.0,
        chunk: int = INSTANT_CHUNK,
    ) -> None:
        self.items = items
        self.speed = None if speed is None or speed <= 0 else check_speed(speed)  # never sleeps for ever
        self.chunk = chunk
        self.clock = RecordingClock(self.speed)
        self.stats: dict[str, StreamStats] = {}
        self.played = 0
        self.damaged: list[DamagedLine] = []
        self.error = ""  # why reading stopped early (an I/O error), if it did

    def stats_for(self, stream: str) -> StreamStats:
        stats = self.stats.get(stream)
        if stats is None:
            stats = self.stats[stream] = StreamStats(state=StreamState.CONNECTING)
        return stats

    async def batches(self) -> AsyncIterator[list[RecordedItem | DamagedLine]]:
        """Lists of items in recorded order, counters already updated: at a pace, the items
        due together; instantly, `chunk` items with a pause for the event loop in between."""
        try:
            if self.speed is None:
                batch: list[RecordedItem | DamagedLine] = []
                for item in self.items:
                    batch.append(self._apply(item))
                    if len(batch) >= self.chunk:
                        yield batch
                        batch = []
                        await asyncio.sleep(0)
                if batch:
                    yield batch
            else:
                async for item in play(self.items, speed=self.speed):
                    yield [self._apply(item)]
        except RecordingReadError as exc:
            self.error = str(exc)
        finally:
            self.clock.finished = True

    def _apply(self, item: RecordedItem | DamagedLine) -> RecordedItem | DamagedLine:
        if type(item) is DamagedLine:
            self.damaged.append(item)
            return item
        self.played += 1
        apply_item(self.stats_for(item.stream), item)
        self.clock.advance(item.t)
        return item
