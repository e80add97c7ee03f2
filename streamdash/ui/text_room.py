"""Where an LLM stream's assembled text goes, so that it never takes the log's data from it.

Beside the log it may take only what leaves the data column 60 % of the log row's width; where
that is too little for readable text (below 30 cells) it goes under the log instead, at full
width. The person picks one of three sizes with a key. Pure arithmetic, no Textual: tested alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["DATA_SHARE", "MIN_BESIDE", "SIZES", "TextRoom", "text_room"]

DATA_SHARE = 0.6  # the data column keeps at least this share of the log row's width
MIN_BESIDE = 30  # narrower than this, the text is easier to read under the log
MIN_LOG_ROWS = 3  # under the log, the log keeps at least these rows
SIZES = ("small", "medium", "large")
_BESIDE = (0.6, 0.8, 1.0)  # of the room beside the log that the data column can spare
_UNDER = (0.25, 0.4, 0.55)  # of the row's height under the log


@dataclass(frozen=True, slots=True)
class TextRoom:
    beside: bool
    width: int  # cells, when beside
    height: int  # rows, when under


def text_room(row_width: int, row_height: int, data_at: int, size: int) -> TextRoom:
    """The text's place in a log row of `row_width` x `row_height` whose data starts at
    `data_at`, at size index `size` (into SIZES)."""
    size = max(0, min(size, len(SIZES) - 1))
    room = row_width - data_at - math.ceil(DATA_SHARE * row_width)
    if room >= MIN_BESIDE:
        width = min(room, max(MIN_BESIDE, round(_BESIDE[size] * room)))
        return TextRoom(beside=True, width=width, height=row_height)
    height = max(1, min(row_height - MIN_LOG_ROWS, round(_UNDER[size] * row_height)))
    return TextRoom(beside=False, width=row_width, height=height)
