"""Marks, jump to a time, time since the previous event, and gaps (core/timeline.py)."""

from __future__ import annotations

from datetime import datetime

import pytest

from streamdash.core.buffer import NOTE_STREAM, EventBuffer, LogEntry
from streamdash.core.sse.events import Event
from streamdash.core.timeline import (
    Marks,
    SinceTracker,
    first_at_or_after,
    format_since,
    gaps,
    nearest_at,
    next_gap,
    parse_seconds,
    parse_time,
    received_range,
)


def entry(seq: int, stream: str, at: float, ident: str = "") -> LogEntry:
    return (seq, stream, "message", "{}", ident, at)


def test_marks_toggle_navigate_and_survive_a_filter() -> None:
    marks = Marks()
    assert marks.toggle(5) is True
    assert marks.toggle(9) is True
    assert marks.toggle(2) is True
    assert marks.toggle(9) is False
    assert 9 not in marks and 5 in marks
    assert marks.next_after(2) == 5
    assert marks.next_after(5) is None
    assert marks.previous_before(5) == 2
    # Only the marks among the shown lines count when the log is filtered.
    assert marks.next_after(0, shown=[3, 5, 7]) == 5
    assert marks.previous_before(9, shown=[3, 7]) is None


def test_marks_on_evicted_entries_are_forgotten() -> None:
    marks = Marks()
    for seq in (1, 4, 8):
        marks.toggle(seq)
    marks.prune(first_seq=5)
    assert len(marks) == 1 and 8 in marks


def test_parse_time_clock_today_and_relative() -> None:
    now = datetime(2026, 12, 2, 14, 30, 0).timestamp()
    assert parse_time("14:03:20", now) == datetime(2026, 12, 2, 14, 3, 20).timestamp()
    assert parse_time("14:03:20.250", now) == pytest.approx(
        datetime(2026, 12, 2, 14, 3, 20).timestamp() + 0.25
    )
    assert parse_time("9:05", now) == datetime(2026, 12, 2, 9, 5).timestamp()
    assert parse_time("-30s", now) == now - 30
    assert parse_time("5m ago", now) == now - 300
    assert parse_time("90 ago", now) == now - 90
    assert parse_time(" 2h ", now) == now - 7200


@pytest.mark.parametrize("text", ["", "soon", "25:00", "12:61", "14:03:99", "30"])
def test_parse_time_rejects_with_one_line(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_time(text, 0.0)
    assert "\n" not in str(caught.value)


def test_parse_time_a_clock_time_still_to_come_is_yesterday() -> None:
    """Just after midnight, "23:59" is the minute before it, not 24 hours on."""
    now = datetime(2026, 12, 2, 0, 5, 0).timestamp()
    assert parse_time("23:59", now) == datetime(2026, 12, 1, 23, 59).timestamp()
    assert parse_time("00:04:30", now) == datetime(2026, 12, 2, 0, 4, 30).timestamp()
    assert parse_time("00:05:30", now) == datetime(2026, 12, 2, 0, 5, 30).timestamp()  # a clock a bit ahead


def test_first_at_or_after_lands_on_the_first_arrival_from_then() -> None:
    entries = [entry(0, "a", 10.0), entry(1, "b", 12.0), entry(2, "a", 11.5), entry(3, "b", 12.0)]
    assert first_at_or_after(entries, 11.0) == entries[2]  # not in seq order: the earliest arrival
    assert first_at_or_after(entries, 12.0) == entries[1]  # at the time itself; a tie: the lower seq
    assert first_at_or_after(entries, 9.0) == entries[0]
    assert first_at_or_after(entries, 12.5) is None
    assert received_range(entries) == (10.0, 12.0)
    assert received_range([]) is None


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("2", 2.0), ("0.5", 0.5), (" 1.5s ", 1.5), ("500ms", 0.5), ("2m", 120.0), (".25", 0.25), ("1h", 3600.0)],
)
def test_parse_seconds(text: str, seconds: float) -> None:
    assert parse_seconds(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "0", "-1", "two", "2 weeks", "25h", "1e3", "nan"])
def test_parse_seconds_rejects_with_one_line(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_seconds(text)
    assert "\n" not in str(caught.value) and str(caught.value)


def test_nearest_at_picks_the_closest_arrival() -> None:
    entries = [entry(0, "a", 10.0), entry(1, "b", 12.0), entry(2, "a", 20.0)]
    assert nearest_at(entries, 11.9) == entries[1]
    assert nearest_at(entries, 100.0) == entries[2]
    assert nearest_at(entries, 11.0) == entries[0]  # a tie goes to the earlier
    assert nearest_at([], 1.0) is None


def test_since_previous_is_per_stream_and_skips_notes() -> None:
    tracker = SinceTracker()
    tracker.observe(
        [
            entry(0, "a", 10.0),
            entry(1, "b", 10.5),
            (2, NOTE_STREAM, "note", "switched", "", 11.0),
            entry(3, "a", 13.25),
            entry(4, "b", 10.75),
        ]
    )
    assert tracker.get(0) is None  # a stream's first event
    assert tracker.get(1) is None
    assert tracker.get(2) is None
    assert tracker.get(3) == pytest.approx(3.25)
    assert tracker.get(4) == pytest.approx(0.25)
    assert tracker.get(99) is None


def test_since_tracker_stays_within_the_buffer() -> None:
    """Fed from a real bounded buffer and pruned to it, the tracker holds no more than it."""
    buffer = EventBuffer(size=50)
    tracker = SinceTracker()
    for batch in range(40):
        start = buffer.next_seq
        buffer.extend(
            "feed",
            [Event("message", "x", str(batch * 10 + i), received_at=batch + i / 10) for i in range(10)],
        )
        tracker.observe(buffer.since(start))
        first = next(iter(buffer))[0]
        tracker.prune(first)
    assert len(tracker._values) == len(buffer)
    last = list(buffer)[-1]
    assert tracker.get(last[0]) == pytest.approx(0.1)
    assert tracker.get(0) is None  # evicted: forgotten


def test_format_since() -> None:
    assert format_since(None) == ""
    assert format_since(0.012) == "+0.012s"
    assert format_since(3.44) == "+3.4s"
    assert format_since(125.0) == "+2m05s"
    assert format_since(59.97) == "+1m00s"  # never "+60.0s"
    assert format_since(3 * 3600 + 7 * 60 + 20) == "+3h07m"
    assert format_since(2 * 86_400 + 5 * 3600) == "+2d05h"
    assert max(len(format_since(s)) for s in (0.999, 59.9, 3599.0, 86_399.0, 99 * 86_400.0)) <= 7


def test_gaps_pauses_and_missing_ids_per_stream() -> None:
    entries = [
        entry(0, "feed", 0.0, "1040"),
        entry(1, "other", 0.1, "7"),
        entry(2, "feed", 0.5, "1041"),
        entry(3, "other", 0.6, "8"),
        entry(4, "feed", 4.7, "1042"),  # a pause of 4.2 s in feed
        entry(5, "other", 0.7, "9"),
        entry(6, "feed", 4.8, "1046"),  # ids skip: 3 missing
        entry(7, "feed", 4.9, "1"),  # a reset (reconnect) is not a gap
    ]
    found = gaps(entries, threshold=2.0)
    assert [gap.seq for gap in found] == [4, 6]
    assert found[0].describe() == "pause of 4.2 s in feed"
    assert found[1].describe() == "ids 1042 -> 1046 in feed: 3 missing"
    assert next_gap(entries, cursor_seq=0).seq == 4  # type: ignore[union-attr]
    assert next_gap(entries, cursor_seq=4).seq == 6  # type: ignore[union-attr]
    assert next_gap(entries, cursor_seq=6) is None
    assert next_gap(entries, cursor_seq=6, backward=True).seq == 4  # type: ignore[union-attr]
    assert next_gap(entries, cursor_seq=4, backward=True) is None
    # A higher threshold hides the pause; the missing ids stay.
    assert [gap.seq for gap in gaps(entries, threshold=5.0)] == [6]
