"""Highlight spans follow the filter's own case rules and skip what matches by absence."""

from __future__ import annotations

from streamdash.core.filter import compile_filter
from streamdash.core.highlight import match_spans


def spans(expr: str, line: str, invert: bool = False) -> list[str]:
    return [line[a:b] for a, b in match_spans(compile_filter(expr, invert=invert), line)]


def test_text_term_ignores_case_and_finds_every_occurrence() -> None:
    assert spans("error", "Error then ERROR then err") == ["Error", "ERROR"]


def test_regex_keeps_its_flags() -> None:
    assert spans("/Ti+me/", "time Tiime") == ["Tiime"]
    assert spans("/ti+me/i", "time TIIME") == ["time", "TIIME"]


def test_type_names_are_exact_words() -> None:
    assert spans("type:price", "12:00 ticker price {} prices") == ["price"]


def test_field_term_lights_key_and_value() -> None:
    line = '{"level": "error", "levels": 1}'
    assert spans("level=error", line) == ["level", "error"]
    assert spans("msg~TIME", '{"msg": "a timeout"}') == ["msg", "time"]


def test_negated_and_inverted_highlight_nothing() -> None:
    assert spans("-error", "no error here") == []
    assert spans("error", "error", invert=True) == []


def test_overlaps_merge_and_empty_filter_is_empty() -> None:
    assert spans("abc bcd", "xabcdx") == ["abcd"]
    assert match_spans(compile_filter(""), "anything") == []
    assert match_spans(None, "anything") == []
    assert spans("/x*/", "aaa") == []  # empty matches are not spans


def test_column_names_stay_in_their_columns_and_data_terms_in_the_data() -> None:
    line = '12:00 ticker price {"price": 1, "ticker": 2}'
    data_at = line.index("{")
    lit = match_spans(compile_filter("type:price ticker"), line, data_at)
    assert [line[a:b] for a, b in lit] == ["price", "ticker"]
    assert lit[0][1] <= data_at <= lit[1][0]
