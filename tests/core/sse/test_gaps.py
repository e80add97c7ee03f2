from __future__ import annotations

import pytest

from streamdash.core.sse.gaps import GapTracker, parse_int_id


def feed(ids: list[str], **kwargs: int) -> GapTracker:
    tracker = GapTracker(**kwargs)
    for event_id in ids:
        tracker.add(event_id)
    return tracker


@pytest.mark.parametrize(
    ("ids", "ranges", "missing", "resets", "repeats"),
    [
        ("1 2 3 7 8 10", [(4, 6), (9, 9)], 4, 0, 0),
        ("1 2 3", [], 0, 0, 0),
        ("5", [], 0, 0, 0),
        ("5 6 6 7", [], 0, 0, 1),
        ("1 2 3 1 2 5", [(3, 4)], 2, 1, 0),  # restart, then a gap after it
        ("10 4 6", [(5, 5)], 1, 1, 0),
        ("001 002 004", [(3, 3)], 1, 0, 0),
        ("0 1000000", [(1, 999999)], 999999, 0, 0),
    ],
)
def test_gap_table(ids, ranges, missing, resets, repeats):
    tracker = feed(ids.split())
    assert list(tracker.ranges) == ranges
    assert tracker.missing == missing
    assert tracker.resets == resets
    assert tracker.repeats == repeats
    assert tracker.applicable


def test_add_returns_newly_missing():
    tracker = GapTracker()
    assert [tracker.add(i) for i in "1 2 5 4 9".split()] == [0, 0, 2, 0, 4]


def test_non_integer_ids_are_ignored_and_make_it_not_applicable():
    tracker = feed(["1", "2", "abc", "4", "-5", "3.0", "٣"])
    assert tracker.missing == 1
    assert list(tracker.ranges) == [(3, 3)]
    assert tracker.non_integer == 4
    assert tracker.integers == 3
    assert not tracker.applicable


def test_empty_ids_are_ignored():
    tracker = feed(["", "1", "", "2"])
    assert tracker.applicable
    assert tracker.non_integer == 0
    assert tracker.missing == 0


def test_not_applicable_before_any_id():
    assert not GapTracker().applicable


def test_ranges_bounded_total_exact():
    ids = [str(i) for i in range(0, 1000, 2)]  # every odd id missing: 499 ranges
    tracker = feed(ids)
    assert tracker.missing == 499
    assert len(tracker.ranges) == 100
    assert tracker.ranges[-1] == (997, 997)
    assert tracker.ranges[0] == (799, 799)
    small = feed(["1", "3", "5", "7"], max_ranges=2)
    assert list(small.ranges) == [(4, 4), (6, 6)]
    assert small.missing == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0", 0), ("42", 42), (" 7 ", 7), ("007", 7), ("", None), ("x1", None), ("-1", None),
     ("1e3", None), ("١", None)],
)
def test_parse_int_id(text, expected):
    assert parse_int_id(text) == expected
