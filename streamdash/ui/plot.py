"""Text plots for the chart pane, drawn with block characters: no plotting dependency.

Measured against Textual's `Sparkline` and plotext (see the chart pane's notes in the README):
a column of eighth-blocks per time bucket costs about what they cost per frame and writes
fewer bytes, with no dependency and the theme's colours. Each column is an area up to the
bucket's max, its part below the bucket's min dimmer, so a spike inside one second is not
hidden by its neighbours.
"""

from __future__ import annotations

from collections.abc import Sequence

from streamdash.core.series import Bucket

__all__ = ["band_rows", "bar_row", "resample", "runs"]

EIGHTHS = " ▁▂▃▄▅▆▇█"  # lower eighths: every terminal font has them (upper eighths: few)


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


def band_rows(
    columns: Sequence[Bucket | None], height: int, low: float, high: float
) -> list[list[tuple[str, bool]]]:
    """`height` rows, top first, of (character, under) cells: each column is filled from the
    floor up to its bucket's high in eighths; `under` marks the cells wholly below the bucket's
    low, drawn dimmer, so a bucket's min..max spread stands out from the area under it."""
    if height <= 0:
        return []
    steps = height * 8
    span = high - low
    grid = [[(" ", False)] * len(columns) for _ in range(height)]
    for x, bucket in enumerate(columns):
        if bucket is None:
            continue
        if span > 0:
            top = round((bucket.high - low) / span * (steps - 1)) + 1
            bottom = round((bucket.low - low) / span * (steps - 1))
        else:
            top = bottom = steps // 2
        for row in range(height):
            floor = row * 8
            if top <= floor:
                break
            char = "█" if top >= floor + 8 else EIGHTHS[top - floor]
            grid[height - 1 - row][x] = (char, floor + 8 <= bottom)
    return grid


def bar_row(values: Sequence[float], top: float) -> str:
    """One row of eighth-block bars, `top` the full-cell value."""
    if top <= 0:
        return " " * len(values)
    return "".join(EIGHTHS[min(8, max(0, round(v / top * 8)))] if v > 0 else " " for v in values)


def runs(row: Sequence[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """A row's cells joined into runs of one style: one escape sequence per run, not per cell
    (per cell, a full redraw of the chart wrote ten times the bytes)."""
    out: list[tuple[str, bool]] = []
    chars: list[str] = []
    current: bool | None = None
    for char, under in row:
        if under is not current and chars:
            out.append(("".join(chars), bool(current)))
            chars = []
        current = under
        chars.append(char)
    if chars:
        out.append(("".join(chars), bool(current)))
    return out
