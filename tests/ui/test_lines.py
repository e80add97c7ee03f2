"""Log lines in fitted columns: as wide as the names shown need, never past the widest."""

from __future__ import annotations

from streamdash.ui.lines import MARK_GLYPH, NARROWEST, WIDEST, Columns, format_entry


def entry(stream: str, kind: str, ident: str, data: str = '{"a": 1}') -> tuple[int, str, str, str, str, float]:
    return (0, stream, kind, data, ident, 1_600_000_000.25)


def test_columns_fit_the_names_and_the_data_starts_after_them():
    columns = NARROWEST.fitted([entry("ticker", "price", "12"), entry("logs", "warning", "")])
    assert columns == Columns(6, 7, 2)
    line = format_entry(entry("logs", "warning", "7"), columns)
    assert line[columns.data_at :] == '{"a": 1}'
    assert line[columns.type_at : columns.id_at - 1] == "warning"


def test_columns_never_grow_past_the_widest_and_cut_with_an_ellipsis():
    columns = NARROWEST.fitted([entry("a-very-long-stream-name", "a-long-event-type", "1234567890123")])
    assert columns == WIDEST
    line = format_entry(entry("a-very-long-stream-name", "t", "1234567890123"), columns)
    assert line[columns.data_at :] == '{"a": 1}'
    assert "\u2026" in line[: columns.data_at]


def test_fitting_what_already_fits_keeps_the_same_columns():
    columns = Columns(6, 7, 3)
    assert columns.fitted([entry("logs", "info", "1")]) is columns


def test_the_gutter_and_the_since_column_move_the_columns_after_them():
    plain = NARROWEST.fitted([entry("logs", "warning", "7")])
    both = plain.with_extras(gutter=True, since=True)
    assert both.fitted([entry("logs", "info", "1")]) is both  # fitting keeps them
    assert (both.type_at, both.data_at) == (plain.type_at + 1, plain.data_at + 1 + 8)
    line = format_entry(entry("logs", "warning", "7"), both, marked=True, since="+0.012s")
    assert line[0] == MARK_GLYPH and line[1:].startswith(format_entry(entry("logs", "warning", "7"), plain)[:12])
    assert line[both.type_at : both.id_at - 1] == "warning"
    assert line[both.since_at : both.data_at] == "+0.012s "
    assert line[both.data_at :] == '{"a": 1}'
    unmarked = format_entry(entry("logs", "warning", "7"), both)  # a blank gutter, a blank cell
    assert unmarked[0] == " " and unmarked[both.since_at : both.data_at] == " " * 8
    assert unmarked[both.data_at :] == '{"a": 1}'
    assert plain.with_extras(gutter=False, since=False) is plain
