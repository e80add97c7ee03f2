"""Percentiles by nearest rank: below both the stats snapshots and the per-stream measures."""

from __future__ import annotations

import math

__all__ = ["percentile"]


def percentile(ordered: list[float], p: float) -> float:
    """Nearest rank: the smallest value with at least p % of the values at or below it. Always
    one of the measured values, never an interpolation between two."""
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]
