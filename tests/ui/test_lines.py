"""Log lines in fitted columns: as wide as the names shown need, never past the widest."""

from __future__ import annotations

from streamdash.ui.lines import NARROWEST, WIDEST, Columns, format_entry


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
