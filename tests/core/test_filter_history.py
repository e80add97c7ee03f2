"""The filter history file: bounded, no repeats in a row, atomic, and a damaged file ignored."""

from __future__ import annotations

from pathlib import Path

from streamdash.core.filter_history import (
    FILTER_HISTORY_FILE,
    MAX_FILTERS,
    FilterHistory,
    HistoryWalk,
)


def test_add_persists_newest_last_without_repeats(tmp_path: Path) -> None:
    history, notice = FilterHistory.load(tmp_path)
    assert notice is None and history.entries == []
    assert history.add("level=error")
    assert not history.add(" level=error ")
    assert not history.add("   ")
    assert history.add("type:price")
    again, notice = FilterHistory.load(tmp_path)
    assert notice is None
    assert again.entries == ["level=error", "type:price"]


def test_bounded(tmp_path: Path) -> None:
    history, _ = FilterHistory.load(tmp_path)
    for n in range(MAX_FILTERS + 5):
        history.add(f"f{n}")
    again, _ = FilterHistory.load(tmp_path)
    assert len(again.entries) == MAX_FILTERS
    assert again.entries[-1] == f"f{MAX_FILTERS + 4}"


def test_damaged_file_is_ignored_with_one_line(tmp_path: Path) -> None:
    (tmp_path / FILTER_HISTORY_FILE).write_text("{not json", encoding="utf-8")
    history, notice = FilterHistory.load(tmp_path)
    assert history.entries == []
    assert notice is not None and "\n" not in notice and "damaged" in notice
    (tmp_path / FILTER_HISTORY_FILE).write_text('{"a": 1}', encoding="utf-8")
    assert FilterHistory.load(tmp_path)[1] is not None


def test_walk_up_and_down_back_to_what_was_typed() -> None:
    walk = HistoryWalk(["a", "b"], typed="xy")
    assert walk.older() == "b"
    assert walk.older() == "a"
    assert walk.older() is None
    assert walk.newer() == "b"
    assert walk.newer() == "xy"
    assert walk.newer() is None
