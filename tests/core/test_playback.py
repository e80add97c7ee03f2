"""Counters rebuilt from a recording, and the recording's clock."""

from __future__ import annotations

import asyncio
import time

from streamdash.core.playback import RecordingClock, RecordingPlayer, apply_item
from streamdash.core.recording import DamagedLine, RecordedItem
from streamdash.core.sse import StreamState, StreamStats
from streamdash.core.stats import StreamTracker


def state(t: float, name: str, **kw) -> RecordedItem:
    return RecordedItem(t, "s", "state", state=name, **kw)


def event(t: float, ident: str, data: str = "x") -> RecordedItem:
    return RecordedItem(t, "s", "event", event="message", data=data, id=ident)


INCIDENT = [
    state(100.0, "connecting"),
    state(100.2, "open", status=200),
    event(101.0, "1", "abc"),
    RecordedItem(102.0, "s", "heartbeat", comment=" ping"),
    state(103.0, "backoff", reason="connection lost", last_event_id="1", delay=2.0),
    state(105.0, "connecting", last_event_id="1"),
    state(105.1, "open", status=200, last_event_id="1"),
    event(106.0, "2", "de"),
]


def test_counters_follow_the_incident():
    stats = StreamStats()
    for item in INCIDENT[:5]:
        apply_item(stats, item)
    assert stats.state is StreamState.BACKOFF
    assert stats.next_attempt_at == 105.0 and stats.connected_since is None
    assert stats.last_error == "connection lost" and stats.reconnects == 0
    for item in INCIDENT[5:]:
        apply_item(stats, item)
    assert stats.state is StreamState.OPEN and stats.connected_since == 105.1
    assert (stats.events, stats.bytes, stats.heartbeats) == (2, 5, 1)
    assert (stats.connects, stats.reconnects, stats.last_status) == (2, 1, 200)
    assert stats.last_event_id == "2" and stats.last_event_at == stats.last_byte_at == 106.0
    assert stats.last_heartbeat_at == 102.0


def test_an_event_recorded_mid_stream_means_the_stream_was_open():
    stats = StreamStats()
    apply_item(stats, event(50.0, "9"))
    assert stats.state is StreamState.OPEN and stats.connected_since == 50.0


def test_a_typed_heartbeat_counts_as_a_heartbeat_as_it_did_live():
    """Live, `event: ping` counts as a heartbeat (issue 10, 6b); a replay once counted it as an
    event, so the replayed stats disagreed with what the stream had shown."""
    stats = StreamStats()
    apply_item(stats, RecordedItem(50.0, "s", "event", event="ping", data="{}"))
    apply_item(stats, event(51.0, "1"))
    assert (stats.events, stats.heartbeats) == (1, 1)
    assert stats.last_heartbeat_at == 50.0 and stats.last_event_at == 51.0
    assert stats.state is StreamState.OPEN


def test_the_tracker_reads_the_recordings_time():
    player = RecordingPlayer(INCIDENT, speed=None)

    async def run() -> list:
        return [b async for b in player.batches()]

    batches = asyncio.run(run())
    assert sum(len(b) for b in batches) == len(INCIDENT)
    assert player.clock() == 106.0 and player.clock.finished
    snap = StreamTracker("s", player.stats["s"]).sample(player.clock())
    assert snap.connected_for is not None and abs(snap.connected_for - 0.9) < 1e-9
    assert snap.since_last_event == 0.0 and snap.reconnects == 1


def test_instant_play_comes_in_chunks_with_damaged_lines_counted():
    items = [event(float(n), str(n)) for n in range(1, 1201)]
    items.insert(7, DamagedLine(8, "not JSON"))
    player = RecordingPlayer(items, speed=None, chunk=500)

    async def run() -> list:
        return [len(b) async for b in player.batches()]

    assert asyncio.run(run()) == [500, 500, 201]
    assert player.played == 1200 and player.damaged == [DamagedLine(8, "not JSON")]
    assert player.stats["s"].events == 1200


def test_the_clock_moves_at_the_replay_speed_between_items():
    now = [1000.0]
    clock = RecordingClock(4.0, monotonic=lambda: now[0])
    assert abs(clock() - time.time()) < 5  # nothing played yet: the wall clock
    clock.advance(50.0)
    now[0] += 0.5
    assert clock() == 52.0
    clock.advance(49.0)  # a step back (a second session in the file) never moves it back
    assert clock.at == 50.0
    clock.finished = True
    assert clock() == 50.0
