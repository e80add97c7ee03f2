"""The block plots: areas up to each bucket's max, the part below its min marked, runs of one
style joined (one escape sequence per run)."""

from __future__ import annotations

from streamdash.core.series import Bucket
from streamdash.ui.plot import band_rows, bar_row, resample, runs


def test_band_rows_fill_to_the_high_and_mark_below_the_low() -> None:
    rows = band_rows(
        [Bucket(0.0, 0.0, 0.0), None, Bucket(10.0, 20.0, 15.0), Bucket(20.0, 20.0, 20.0)], 2, 0.0, 20.0
    )
    assert ["".join(c for c, _ in row) for row in rows] == ["  ██", "▁ ██"]
    assert [under for _, under in rows[1]] == [False, False, True, True]  # wholly below 10 / 20
    assert [under for _, under in rows[0]] == [False, False, False, False]


def test_resample_merges_min_max_and_pads_the_left() -> None:
    buckets = [Bucket(1.0, 2.0, 2.0), Bucket(0.0, 5.0, 3.0), None, Bucket(4.0, 4.0, 4.0)]
    assert resample(buckets, 2) == [Bucket(0.0, 5.0, 3.0), Bucket(4.0, 4.0, 4.0)]
    assert resample(buckets[:1], 3) == [None, None, Bucket(1.0, 2.0, 2.0)]


def test_runs_and_bars() -> None:
    assert runs([("a", False), ("b", False), ("c", True), ("d", False)]) == [
        ("ab", False),
        ("c", True),
        ("d", False),
    ]
    assert bar_row([0.0, 5.0, 10.0], 10.0) == " ▄█"
    assert bar_row([1.0], 0.0) == " "
