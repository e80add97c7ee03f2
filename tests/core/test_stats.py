"""Stats snapshots and formats: times are passed in, so nothing here sleeps."""

from __future__ import annotations

import dataclasses

import pytest

from streamdash.core.sse.events import StreamState
from streamdash.core.sse.stream import StreamStats
from streamdash.core.stats import (
    RestStats,
    StreamTracker,
    format_bytes,
    format_duration,
    format_rate,
    percentile,
)

T0 = 1_800_000_000.0  # a wall-clock time, like StreamStats holds


# ---------------------------------------------------------------------------------------------
# StreamTracker


def test_rates_come_from_deltas_between_samples():
    stats = StreamStats(state=StreamState.OPEN, events=100, bytes=5000)
    tracker = StreamTracker("ticker", stats)
    first = tracker.sample(T0)
    assert (first.events_per_s, first.bytes_per_s, first.events_history) == (0.0, 0.0, ())
    stats.events, stats.bytes = 130, 8000
    second = tracker.sample(T0 + 2)
    assert second.events == 130 and second.bytes == 8000
    assert second.events_per_s == 15.0
    assert second.bytes_per_s == 1500.0
    stats.events = 131
    third = tracker.sample(T0 + 2.5)
    assert third.events_per_s == 2.0
    assert third.bytes_per_s == 0.0
    assert third.events_history == (15.0, 2.0)


def test_a_sample_without_elapsed_time_repeats_the_last_rates():
    stats = StreamStats(events=0)
    tracker = StreamTracker("s", stats)
    tracker.sample(T0)
    stats.events = 10
    assert tracker.sample(T0 + 1).events_per_s == 10.0
    stats.events = 20
    again = tracker.sample(T0 + 1)  # same instant (or a clock step back): no interval
    assert again.events_per_s == 10.0 and again.events == 20
    assert again.events_history == (10.0,)
    assert tracker.sample(T0 + 2).events_per_s == 10.0  # the 10 events since T0 + 1


def test_a_reset_counter_counts_from_zero():
    stats = StreamStats(events=500)
    tracker = StreamTracker("s", stats)
    tracker.sample(T0)
    stats.events = 4
    assert tracker.sample(T0 + 1).events_per_s == 4.0


def test_history_is_bounded():
    stats = StreamStats()
    tracker = StreamTracker("s", stats, history=3)
    for second in range(10):
        stats.events += second
        snapshot = tracker.sample(T0 + second)
    assert snapshot.events_history == (7.0, 8.0, 9.0)
    with pytest.raises(ValueError):
        StreamTracker("s", stats, history=0)


def test_snapshot_copies_counters_and_ages():
    stats = StreamStats(
        state=StreamState.OPEN,
        events=7,
        reconnects=2,
        duplicates=3,
        heartbeats=4,
        last_error="server closed the stream",
        connected_since=T0 - 90,
        last_event_id="42",
        last_event_at=T0 - 1.5,
        last_heartbeat_at=T0 - 15,
    )
    snapshot = StreamTracker("logs", stats).sample(T0)
    assert snapshot.name == "logs"
    assert snapshot.state == "open"
    assert snapshot.state_detail == "open"
    assert snapshot.connected_for == 90
    assert (snapshot.reconnects, snapshot.duplicates, snapshot.heartbeats) == (2, 3, 4)
    assert snapshot.last_event_id == "42"
    assert snapshot.since_last_event == 1.5
    assert snapshot.since_last_heartbeat == 15
    assert snapshot.last_error == "server closed the stream"
    with pytest.raises(dataclasses.FrozenInstanceError):
        snapshot.events = 8  # type: ignore[misc]


def test_ages_are_none_before_anything_happened_and_never_negative():
    stats = StreamStats(last_event_at=T0 + 0.01)
    snapshot = StreamTracker("s", stats).sample(T0)
    assert snapshot.connected_for is None
    assert snapshot.since_last_heartbeat is None
    assert snapshot.since_last_event == 0.0


@pytest.mark.parametrize(
    ("fields", "detail"),
    [
        ({"state": StreamState.CONNECTING}, "connecting"),
        ({"state": StreamState.CONNECTING, "connects": 1, "reconnects": 1}, "reconnecting"),
        ({"state": StreamState.OPEN}, "open"),
        ({"state": StreamState.BACKOFF, "next_attempt_at": T0 + 2.2}, "reconnecting in 3 s"),
        ({"state": StreamState.BACKOFF, "next_attempt_at": T0 + 3}, "reconnecting in 3 s"),
        ({"state": StreamState.BACKOFF, "next_attempt_at": T0 + 90}, "reconnecting in 1 m 30 s"),
        ({"state": StreamState.BACKOFF, "next_attempt_at": T0 - 0.1}, "reconnecting now"),
        ({"state": StreamState.FAILED, "last_error": "HTTP 404"}, "failed: HTTP 404"),
        ({"state": StreamState.FAILED}, "failed"),
        ({"state": StreamState.CLOSED, "last_error": "old news"}, "closed"),
        ({"state": StreamState.CLOSED, "next_attempt_at": T0 + 2}, "closed"),
    ],
)
def test_state_detail(fields, detail):
    snapshot = StreamTracker("s", StreamStats(**fields)).sample(T0)
    assert snapshot.state_detail == detail
    assert snapshot.state == str(fields["state"])


# ---------------------------------------------------------------------------------------------
# RestStats


def test_percentiles_are_nearest_rank():
    data = [float(v) for v in range(1, 101)]  # 1..100
    assert percentile(data, 50) == 50
    assert percentile(data, 95) == 95
    assert percentile(data, 99) == 99
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.0
    assert percentile([7.0], 99) == 7.0
    assert percentile([1.0, 2.0], 0) == 1.0


def test_rest_percentiles_in_ms_over_the_window():
    rest = RestStats(window=100)
    for i in range(200):  # the first 100 (1 s each) fall out of the window
        rest.record(200, 1.0 if i < 100 else (i - 99) / 1000, at=T0)
    snapshot = rest.snapshot(T0)
    assert snapshot.requests == 200
    assert snapshot.p50_ms == pytest.approx(50)
    assert snapshot.p95_ms == pytest.approx(95)
    assert snapshot.p99_ms == pytest.approx(99)


def test_no_requests_no_percentiles_and_zero_rates():
    snapshot = RestStats().snapshot(T0)
    assert (snapshot.p50_ms, snapshot.p95_ms, snapshot.p99_ms) == (None, None, None)
    assert (snapshot.requests, snapshot.errors, snapshot.error_rate) == (0, 0, 0.0)
    assert (snapshot.rate_4xx, snapshot.rate_5xx, snapshot.requests_per_s) == (0.0, 0.0, 0.0)
    assert snapshot.last_status is None


def test_error_rates_keep_4xx_5xx_and_transport_apart():
    rest = RestStats()
    statuses = [200] * 12 + [201, 204, 301, 404, 404, 422, 500, 503] + [None] * 2
    for status in statuses:
        rest.record(status, 0.01, at=T0)
    snapshot = rest.snapshot(T0)
    assert snapshot.requests == 22
    assert snapshot.rate_4xx == pytest.approx(3 / 22)
    assert snapshot.rate_5xx == pytest.approx(2 / 22)
    assert snapshot.transport_errors == 2
    assert snapshot.errors == 7
    assert snapshot.error_rate == pytest.approx(7 / 22)
    assert snapshot.last_status is None


def test_transport_errors_stay_out_of_response_times():
    rest = RestStats()
    rest.record(200, 0.020, at=T0)
    rest.record(None, 10.0, at=T0)  # a connect timeout
    assert rest.snapshot(T0).p99_ms == pytest.approx(20)


def test_requests_per_second_over_the_last_minute():
    rest = RestStats()
    for i in range(120):  # one request every half second for a minute
        rest.record(200, 0.01, at=T0 + i / 2)
    assert rest.snapshot(T0 + 60).requests_per_s == pytest.approx(119 / 60)
    assert rest.snapshot(T0 + 90).requests_per_s == pytest.approx(59 / 60)  # 30.5 s .. 59.5 s
    assert rest.snapshot(T0 + 200).requests_per_s == 0.0
    assert rest.snapshot(T0 + 200).requests == 120


def test_requests_per_second_before_a_full_minute():
    rest = RestStats()
    for i in range(10):
        rest.record(200, 0.01, at=T0 + i * 0.5)
    assert rest.snapshot(T0 + 5).requests_per_s == pytest.approx(2.0)
    single = RestStats()
    single.record(200, 0.01, at=T0)
    assert single.snapshot(T0).requests_per_s == 1.0


def test_window_must_be_positive():
    with pytest.raises(ValueError):
        RestStats(window=0)


# ---------------------------------------------------------------------------------------------
# Formats


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 ms"),
        (0.0004, "0 ms"),
        (0.85, "850 ms"),
        (0.9996, "1.0 s"),
        (1, "1.0 s"),
        (12.34, "12.3 s"),
        (59.94, "59.9 s"),
        (59.96, "1 m 00 s"),
        (245, "4 m 05 s"),
        (3599.4, "59 m 59 s"),
        (3599.6, "1 h 00 m"),
        (2 * 3600 + 3 * 60 + 59, "2 h 03 m"),
        (86400 * 3 + 3600 * 4, "3 d 04 h"),
        (-2.5, "-2.5 s"),
    ],
)
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text


@pytest.mark.parametrize(
    ("per_s", "text"),
    [
        (0, "0"),
        (-1, "0"),
        (0.01, "<0.1/s"),
        (0.4, "0.4/s"),
        (12.5, "12.5/s"),
        (999.9, "999.9/s"),
        (999.96, "1.0k/s"),
        (1234, "1.2k/s"),
        (3_400_000, "3.4M/s"),
        (5e9, "5.0G/s"),
        (5e12, "5000.0G/s"),
    ],
)
def test_format_rate(per_s, text):
    assert format_rate(per_s) == text


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "0 B"),
        (512, "512 B"),
        (1023, "1023 B"),
        (1024, "1.0 KiB"),
        (1536, "1.5 KiB"),
        (1024 * 1024 - 1, "1.0 MiB"),
        (int(3.2 * 1024**2), "3.2 MiB"),
        (5 * 1024**3, "5.0 GiB"),
        (2 * 1024**4, "2.0 TiB"),
        (2 * 1024**5, "2048.0 TiB"),
    ],
)
def test_format_bytes(n, text):
    assert format_bytes(n) == text


def test_silence_is_measured_only_while_open_and_past_the_threshold():
    from streamdash.core.stats import silent_for

    stats = StreamStats(state=StreamState.OPEN, connected_since=100.0)
    assert silent_for(stats, 129.0, 30.0) is None
    assert silent_for(stats, 131.0, 30.0) == 31.0
    stats.last_byte_at = 125.0  # a heartbeat is a sign of life
    assert silent_for(stats, 131.0, 30.0) is None
    assert silent_for(stats, 131.0, 0.0) is None  # 0 turns the alarm off
    stats.state = StreamState.BACKOFF
    assert silent_for(stats, 500.0, 30.0) is None  # not open: the state says what is wrong


def test_a_tracker_with_measures_reports_them():
    from streamdash.core.sse import Event
    from streamdash.core.sse.measures import StreamMeasures

    stats = StreamStats(state=StreamState.OPEN, connected_since=0.0)
    measures = StreamMeasures(latency_field="ts")
    measures.add([Event("m", '{"ts": 1.0}', "1", received_at=1.5), Event("m", "{}", "4", received_at=2.0)])
    snap = StreamTracker("s", stats, measures=measures, silence_after=30).sample(2.0)
    assert snap.missing_ids == 2 and snap.missing_ranges == 1
    assert snap.latency_p50_ms == 500.0 and snap.latency_missing == 1
    assert snap.gap_last_s == 0.5 and snap.tokens is None
    plain = StreamTracker("s", stats).sample(2.0)
    assert plain.missing_ids is None and plain.latency_p50_ms is None
