"""Text plots for the chart pane, drawn with block characters: no plotting dependency.

Measured against Textual's `Sparkline` and plotext (see the chart pane's notes in the README):
a column of eighth-blocks per time bucket draws a 160-column, 8-row chart in well under a
millisecond and writes only the cells that changed, which is what keeps the pane inside the
lag and bandwidth targets. Each column shows the bucket's min..max as a filled band, so a
spike inside one second is not hidden by its neighbours.
"""

from __future__ import annotations

from collections.abc import Sequence

from streamdash.core.series import Bucket

__all__ = ["band_rows", "bar_row", "resample"]

EIGHTHS = " ▁▂▃▄▅▆▇█"
# Upper-block eighths do not exist in most fonts beyond the half; a band's top uses the lower
# eighths of its cell and its bottom is drawn with full blocks above the first partial cell.


def resample(buckets: Sequence[Bucket | None], width: int) -> list[Bucket | None]:
    """Fit `buckets` to `width` columns, newest at the right: merge neighbours when there are
    more buckets than columns, pad the left with gaps when there are fewer."""
    if width <= 0:
        return []
    count = len(buckets)
    if count <= width:
        return [None] * (width - count) + list(buckets)
    out: list[Bucket | None] = []
    for column in range(width):
        start = column * count // width
        stop = (column + 1) * count // width
        merged: Bucket | None = None
        for bucket in buckets[start:stop]:
            if bucket is None:
                continue
            if merged is None:
                merged = bucket
            else:
                merged = Bucket(min(merged.low, bucket.low), max(merged.high, bucket.high), bucket.last)
        out.append(merged)
    return out


def band_rows(columns: Sequence[Bucket | None], height: int, low: float, high: float) -> list[str]:
    """`height` text rows, top first, drawing each column from its bucket's low to its high
    (at least one eighth, so a flat line shows)."""
    if height <= 0:
        return []
    steps = height * 8
    span = high - low
    grid = [[" "] * len(columns) for _ in range(height)]
    for x, bucket in enumerate(columns):
        if bucket is None:
            continue
        if span > 0:
            top = round((bucket.high - low) / span * (steps - 1)) + 1
            bottom = round((bucket.low - low) / span * (steps - 1))
        else:
            top, bottom = steps // 2, steps // 2 - 1
        bottom = min(bottom, top - 1)
        for row in range(height):
            cell_low = row * 8  # eighths below this cell, counted from the bottom
            filled = min(top, cell_low + 8) - max(bottom, cell_low)
            if filled <= 0:
                continue
            if top >= cell_low + 8 and bottom <= cell_low:
                char = "█"
            elif bottom <= cell_low:
                char = EIGHTHS[top - cell_low]
            else:
                char = "▀" if bottom - cell_low >= 4 and top >= cell_low + 8 else "█" if filled >= 4 else "▄"
            grid[height - 1 - row][x] = char
    return ["".join(line) for line in grid]


def bar_row(values: Sequence[float], top: float) -> str:
    """One row of eighth-block bars, `top` the full-cell value."""
    if top <= 0:
        return " " * len(values)
    return "".join(EIGHTHS[min(8, max(0, round(v / top * 8)))] if v > 0 else " " for v in values)
