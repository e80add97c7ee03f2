"""The assembled text's place beside or under the log: the data column keeps 60 % of the row."""

from __future__ import annotations

import pytest

from streamdash.ui.text_room import DATA_SHARE, MIN_BESIDE, SIZES, text_room


@pytest.mark.parametrize("width", [60, 78, 100, 133, 160, 173, 200, 260, 400])
@pytest.mark.parametrize("size", range(len(SIZES)))
def test_beside_the_log_the_data_keeps_sixty_percent(width, size):
    room = text_room(width, 40, 33, size)
    if room.beside:
        assert width - room.width - 33 >= DATA_SHARE * width
        assert room.width >= MIN_BESIDE
    else:
        assert 1 <= room.height <= 40 - 3


def test_a_wide_row_has_the_text_beside_and_a_narrow_one_under():
    assert not text_room(133, 40, 33, 1).beside  # 160 columns: the text goes under the log
    assert not text_room(78, 19, 33, 1).beside  # 80 columns
    assert text_room(260, 40, 33, 1).beside


def test_the_sizes_grow():
    under = [text_room(133, 40, 33, size).height for size in range(len(SIZES))]
    beside = [text_room(600, 40, 33, size).width for size in range(len(SIZES))]
    assert under == sorted(under) and len(set(under)) == 3
    assert beside == sorted(beside) and len(set(beside)) == 3


def test_a_tiny_row_still_gets_a_line_of_text():
    assert text_room(20, 3, 33, 2).height == 1
