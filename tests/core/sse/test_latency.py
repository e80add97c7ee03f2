from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from streamdash.core.sse.events import Event
from streamdash.core.sse.latency import (
    InterArrival,
    LatencyTracker,
    event_latency_ms,
    parse_send_time,
    silence_alarm,
)

MS = 1e-3  # epoch floats near 1.7e9 carry ~1e-4 ms of rounding
T = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC).timestamp()  # 1714564800.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-05-01T12:00:00Z", T),
        ("2024-05-01T12:00:00+00:00", T),
        ("2024-05-01T14:00:00+02:00", T),
        ("2024-05-01T07:00:00-05:00", T),
        ("2024-05-01T12:00:00", T),  # naive = UTC
        ("2024-05-01 12:00:00Z", T),
        ("2024-05-01T12:00:00.250Z", T + 0.25),
        ("2024-05-01T12:00:00.123456789Z", T + 0.123456),  # beyond microseconds: truncated
        (" 2024-05-01T12:00:00Z ", T),
        (T, T),  # epoch seconds, number
        (int(T), T),
        (T + 0.5, T + 0.5),
        (str(int(T)), T),  # numeric string
        ("1714564800.5", T + 0.5),
        (int(T * 1000), T),  # epoch ms
        (int(T * 1000) + 250, T + 0.25),
        (str(int(T * 1000)), T),
        (1e11, 1e11),  # the boundary itself is seconds
        (1e11 + 1, (1e11 + 1) / 1000),
        (0, 0.0),
    ],
)
def test_parse_send_time_accepts(value, expected):
    assert parse_send_time(value) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize(
    "value",
    [None, "", "  ", "yesterday", "2024-13-01T00:00:00Z", "12:00", True, False, [], {}, -5,
     "-1714564800", float("nan"), float("inf"), "nan"],
)
def test_parse_send_time_rejects(value):
    assert parse_send_time(value) is None


def ev(data: object, at: float) -> Event:
    return Event("message", data if isinstance(data, str) else json.dumps(data), received_at=at)


def test_event_latency_ms():
    assert event_latency_ms(ev({"ts": T}, T + 0.120), "ts") == pytest.approx(120, abs=MS)
    nested = ev({"m": {"sent": [int(T * 1000)]}}, T + 1)
    assert event_latency_ms(nested, "m.sent.0") == pytest.approx(1000, abs=MS)
    iso = ev({"ts": "2024-05-01T12:00:00Z"}, T + 0.005)
    assert event_latency_ms(iso, "ts") == pytest.approx(5, abs=MS)
    skewed = ev({"ts": T}, T - 0.2)
    assert event_latency_ms(skewed, "ts") == pytest.approx(-200, abs=MS)  # kept, not clamped
    assert event_latency_ms(ev({"other": T}, T), "ts") is None
    assert event_latency_ms(ev({"ts": "soon"}, T), "ts") is None
    assert event_latency_ms(ev("not json", T), "ts") is None
    assert event_latency_ms(ev("[1, 2]", T), "ts") is None


def test_latency_tracker_percentiles():
    tracker = LatencyTracker("ts")
    empty = tracker.snapshot()
    assert (empty.p50_ms, empty.p95_ms, empty.p99_ms, empty.last_ms) == (None,) * 4
    assert empty.count == 0
    for ms in range(1, 101):  # latencies 1..100 ms, in shuffled order
        at = T + ((ms * 37) % 100 + 1) / 1000
        assert tracker.add(ev({"ts": T}, at)) == pytest.approx((ms * 37) % 100 + 1, abs=MS)
    assert tracker.add(ev("ping", T)) is None
    snap = tracker.snapshot()
    assert snap.p50_ms == pytest.approx(50, abs=MS)
    assert snap.p95_ms == pytest.approx(95, abs=MS)
    assert snap.p99_ms == pytest.approx(99, abs=MS)
    assert snap.count == 100
    assert snap.missing == 1
    assert snap.last_ms == pytest.approx((100 * 37) % 100 + 1, abs=MS)


def test_latency_tracker_window():
    tracker = LatencyTracker("ts", window=3)
    for ms in (1000, 2000, 10, 20, 30):
        tracker.add(ev({"ts": T}, T + ms / 1000))
    snap = tracker.snapshot()
    assert snap.count == 5
    assert snap.p99_ms == pytest.approx(30, abs=MS)
    with pytest.raises(ValueError):
        LatencyTracker("ts", window=0)


@pytest.mark.parametrize(
    ("last", "now", "threshold", "expected"),
    [
        (100.0, 120.0, 30.0, None),
        (100.0, 130.0, 30.0, None),  # exactly the threshold: not over it
        (100.0, 131.0, 30.0, 31.0),
        (100.0, 105.5, 5.0, 5.5),
        (None, 1000.0, 30.0, None),
    ],
)
def test_silence_alarm(last, now, threshold, expected):
    assert silence_alarm(last, now, threshold) == expected


def test_silence_alarm_default_threshold():
    assert silence_alarm(0.0, 30.0) is None
    assert silence_alarm(0.0, 45.0) == 45.0


def test_inter_arrival():
    gaps = InterArrival()
    assert gaps.snapshot().last_s is None
    assert gaps.add(10.0) is None
    assert gaps.add(10.5) == pytest.approx(0.5)
    assert gaps.add(Event("message", "x", received_at=13.5)) == pytest.approx(3.0)
    assert gaps.add(14.0) == pytest.approx(0.5)
    assert gaps.add(13.0) == 0.0  # clock stepped back
    snap = gaps.snapshot()
    assert snap.last_s == 0.0
    assert snap.max_s == pytest.approx(3.0)
    assert snap.p95_s == pytest.approx(3.0)
    assert snap.count == 4


def test_inter_arrival_p95():
    gaps = InterArrival()
    at = 0.0
    for i in range(1, 101):
        gaps.add(at)
        at += i / 100
    gaps.add(at)
    snap = gaps.snapshot()
    assert snap.count == 100
    assert snap.p95_s == pytest.approx(0.95)
    assert snap.max_s == pytest.approx(1.0)
