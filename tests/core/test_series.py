"""The chart's data: bounded rings of time buckets, fed per tick from the buffer."""

from __future__ import annotations

import json

from streamdash.core.buffer import EventBuffer
from streamdash.core.series import Bucket, ChartFeed, Rates, Series, Timeline, numeric_paths
from streamdash.core.sse import Event, StreamState
from streamdash.core.sse.events import StateChange


def test_series_keeps_min_max_last_per_bucket_and_forgets_past_the_window() -> None:
    series = Series(buckets=3, width=1.0)
    for t, v in [(10.1, 5.0), (10.5, 1.0), (10.9, 9.0), (10.95, 4.0), (11.2, 7.0)]:
        series.add(t, v)
    assert series.buckets_at(11.5) == [None, Bucket(1.0, 9.0, 4.0), Bucket(7.0, 7.0, 7.0)]
    series.add(14.0, 2.0)  # the slot of 11 comes round again: 11 is gone, not merged
    assert series.buckets_at(14.0) == [None, None, Bucket(2.0, 2.0, 2.0)]
    series.add(3.0, 100.0)  # older than the window: ignored
    assert series.buckets_at(14.0)[-1] == Bucket(2.0, 2.0, 2.0)
    assert len(series.lows) == 3  # bounded, whatever came


def test_rates_count_per_key_per_bucket_and_reset_stale_slots() -> None:
    rates = Rates(buckets=2, width=0.5)
    rates.add(1.0, {("a", "tick"): 10, ("b", "x"): 1})
    rates.add(1.2, {("a", "tick"): 5})
    assert rates.per_second(("a", "tick"), 1.3) == [0.0, 30.0]
    rates.add(2.0, {("b", "x"): 2})  # bucket 4 takes slot 0 again: bucket 2's counts are gone
    assert rates.per_second(("a", "tick"), 2.0) == [0.0, 0.0]
    assert rates.per_second(("b", "x"), 2.0) == [0.0, 4.0]
    assert rates.keys() == [("a", "tick"), ("b", "x")]


def test_timeline_is_bounded_and_drops_repeats() -> None:
    timeline = Timeline()
    timeline.add(StateChange(StreamState.OPEN, at=1.0))
    timeline.add(StateChange(StreamState.OPEN, at=2.0))
    timeline.add(StateChange(StreamState.BACKOFF, "dropped", delay=1.0, at=3.0))
    timeline.add(StateChange(StreamState.OPEN, at=4.0))
    assert [state for _, state, _ in timeline.changes] == [
        StreamState.OPEN,
        StreamState.BACKOFF,
        StreamState.OPEN,
    ]
    assert timeline.state_at(3.5) is StreamState.BACKOFF
    assert timeline.state_at(0.5) is None
    for i in range(1000):
        timeline.add(StateChange(StreamState.BACKOFF, at=10.0 + i))
    assert len(timeline.changes) == timeline.changes.maxlen


def test_numeric_paths_lists_numbers_in_document_order() -> None:
    data = json.dumps({"sym": "ACME", "price": 12.5, "ok": True, "meta": {"latency_ms": 3, "v": [1, "x"]}})
    assert numeric_paths(data) == [("price", 12.5), ("meta.latency_ms", 3.0), ("meta.v.0", 1.0)]
    assert numeric_paths("not json") == []
    assert numeric_paths("7") == [("", 7.0)]


def test_feed_parses_only_plotted_streams_and_counts_all() -> None:
    buffer = EventBuffer(100)
    feed = ChartFeed(buckets=10, width=1.0)
    feed.plot("ticker", "price")
    buffer.extend("ticker", [Event("tick", json.dumps({"price": p}), received_at=100.2) for p in (3, 1, 2)])
    buffer.extend("other", [Event("m", "{not json", received_at=100.3)])
    buffer.extend("ticker", [Event("tick", '{"price": "n/a"}', received_at=100.4)])
    buffer.note("a note", 100.5)
    version = feed.version
    feed.feed(buffer.since(feed.seq), now=100.5, next_seq=buffer.next_seq)
    assert feed.version > version
    assert feed.plots[("ticker", "price")].buckets_at(100.5)[-1] == Bucket(1.0, 3.0, 2.0)
    assert feed.bad_values == 1  # the "n/a"; the other stream's bad JSON was never parsed
    assert feed.rates.keys() == [("other", "m"), ("ticker", "tick")]
    assert feed.rates.per_second(("ticker", "tick"), 100.5)[-1] == 4.0
    version = feed.version
    feed.feed(buffer.since(feed.seq), now=100.6, next_seq=buffer.next_seq)
    assert feed.version == version  # nothing new: nothing to redraw


def test_backfill_plots_what_the_buffer_still_holds() -> None:
    buffer = EventBuffer(100)
    buffer.extend(
        "ticker", [Event("tick", json.dumps({"q": {"p": p}}), received_at=50.0 + p) for p in range(3)]
    )
    feed = ChartFeed(buckets=10, width=1.0)
    feed.backfill("ticker", "q.p", buffer.since(0))
    assert [b.last if b else None for b in feed.plots[("ticker", "q.p")].buckets_at(52.0)][-3:] == [
        0.0,
        1.0,
        2.0,
    ]


def test_feed_parses_a_bounded_sample_of_a_fast_plotted_stream() -> None:
    buffer = EventBuffer(10_000)
    feed = ChartFeed(buckets=10, width=1.0)
    feed.parse_limit = 100
    feed.plot("fast", "v")
    buffer.extend("fast", [Event("m", json.dumps({"v": i}), received_at=7.5) for i in range(5_000)])
    feed.feed_from(buffer, now=7.5)
    last = feed.plots[("fast", "v")].buckets_at(7.5)[-1]
    assert last is not None and last.last == 4999.0 and last.low == 0.0  # the newest is always in
    assert feed.sampled == 1
    assert feed.rates.per_second(("fast", "m"), 7.5)[-1] == 5000.0  # counting is never sampled
    assert feed.seq == buffer.next_seq


def test_timeline_states_over_many_times_in_one_pass() -> None:
    timeline = Timeline()
    timeline.add(StateChange(StreamState.OPEN, at=1.0))
    timeline.add(StateChange(StreamState.FAILED, "refused", at=3.0))
    times = [0.0, 1.0, 2.0, 3.0, 4.0]
    assert timeline.states_over(times) == [timeline.state_at(t) for t in times]


def test_relabel_moves_plots_rates_and_timelines_to_the_new_name() -> None:
    """A renamed stream keeps its chart: the plot goes on getting the stream's values, its
    rate row and connection row carry the new name (they were left under the old one)."""
    buffer = EventBuffer(100)
    feed = ChartFeed(buckets=10, width=1.0)
    feed.plot("ticker", "price")
    feed.state("ticker", StateChange(StreamState.OPEN, at=99.0))
    buffer.extend("ticker", [Event("tick", '{"price": 5}', received_at=100.2)])
    feed.feed(buffer.since(feed.seq), now=100.3, next_seq=buffer.next_seq)
    version = feed.version
    feed.relabel("ticker", "prices")
    assert feed.version > version
    assert list(feed.plots) == [("prices", "price")] and list(feed.timelines) == ["prices"]
    assert feed.rates.keys() == [("prices", "tick")]
    assert feed.rates.per_second(("prices", "tick"), 100.3)[-1] == 1.0
    buffer.relabel("ticker", "prices")
    buffer.extend("prices", [Event("tick", '{"price": 9}', received_at=100.4)])
    feed.feed(buffer.since(feed.seq), now=100.5, next_seq=buffer.next_seq)
    assert feed.plots[("prices", "price")].buckets_at(100.5)[-1] == Bucket(5.0, 9.0, 9.0)
    assert feed.rates.per_second(("prices", "tick"), 100.5)[-1] == 2.0
