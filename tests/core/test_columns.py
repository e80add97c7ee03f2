"""core/columns.py: JSON data as aligned columns or a template; anything else unchanged."""

from __future__ import annotations

import json

import pytest

from streamdash.core.buffer import LogEntry
from streamdash.core.collections.models import StreamSettings
from streamdash.core.columns import (
    COLUMN_MAX,
    DataLayout,
    Display,
    Layouts,
    display_problem,
    field_paths,
    template_problem,
)
from streamdash.core.session.display import engine_settings


def entry(data: str, stream: str = "logs", seq: int = 0) -> LogEntry:
    return (seq, stream, "message", data, None, 0.0)


def test_columns_align_to_the_widest_value_and_missing_is_a_dash():
    layouts = Layouts(lambda s: Display(("level", "service", "msg")) if s == "logs" else Display())
    rows = [
        entry(json.dumps({"level": "info", "service": "api", "msg": "started"})),
        entry(json.dumps({"level": "error", "msg": "boom"})),
        entry("plain text, not JSON"),
        entry("[1, 2]"),
        entry(json.dumps({"level": "info"}), stream="other"),
    ]
    shown, widened = layouts.texts(rows)
    assert shown == ["info   api  started", "error  -    boom", None, None, None]
    assert not widened  # nothing was laid out before this batch


def test_a_wider_value_later_says_the_earlier_lines_need_laying_out_again():
    layouts = Layouts(lambda s: Display(("level", "msg")))
    layouts.texts([entry('{"level": "info", "msg": "a"}')])
    shown, widened = layouts.texts([entry('{"level": "warning", "msg": "b"}')])
    assert widened and shown == ["warning  b"]
    _, widened = layouts.texts([entry('{"level": "info", "msg": "c"}')])
    assert not widened  # narrower: the widths hold


def test_a_column_is_capped_and_cut_with_an_ellipsis():
    layout = DataLayout(Display(("a", "b")))
    text = layout.text(json.dumps({"a": "x" * 100, "b": 1}))
    assert text == "x" * (COLUMN_MAX - 1) + "\u2026  1"


def test_values_nested_paths_lists_and_json_words():
    layout = DataLayout(Display(("user.id", "tags.0", "ok", "none", "obj")))
    data = json.dumps({"user": {"id": 7}, "tags": ["a", "b"], "ok": True, "none": None, "obj": {"k": [1]}})
    assert layout.text(data) == '7  a  true  null  {"k":[1]}'


def test_template_fills_fields_and_keeps_non_json_raw():
    layout = DataLayout(Display((), "{level} {service}: {msg} {{literal}} {user.id}"))
    assert layout.text('{"level": "info", "msg": "hi", "user": {"id": 3}}') == "info -: hi {literal} 3"
    assert layout.text("not json {level}") == "not json {level}"
    assert layout.text('"a string"') == '"a string"'


def test_columns_win_over_a_template():
    assert DataLayout(Display(("a",), "{b}")).text('{"a": 1, "b": 2}') == "1"


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("{a", "unmatched"),
        ("a}", "unmatched"),
        ("{}", "empty"),
        ("{a..b}", "bad field path"),
        ("ok {a} {{x}}", None),
    ],
)
def test_template_problems(template, problem):
    found = template_problem(template)
    assert (found is None) if problem is None else (problem in found)


def test_display_problem_names_a_bad_column():
    assert display_problem(Display(("a.",))) is not None
    assert display_problem(Display(("a.b",))) is None


def test_field_paths_lists_leaves_with_values():
    assert field_paths('{"a": {"b": 1, "c": [true]}, "d": null, "e": {}}') == [
        ("a.b", "1"),
        ("a.c.0", "true"),
        ("d", "null"),
        ("e", "{}"),
    ]
    assert field_paths("plain") == [] and field_paths("[1]") == []


def test_engine_settings_ignore_only_the_display():
    a = StreamSettings(columns=("a",), template="{a}")
    assert engine_settings(a) == engine_settings(StreamSettings())
    assert engine_settings(StreamSettings(read_timeout=1)) != engine_settings(StreamSettings())


def test_columns_read_json_as_the_filter_does_big_integers_and_nan_included():
    """Columns parse with the filter's parser (orjson, the stdlib for what it rounds or refuses):
    an id past 64 bits keeps every digit, NaN and lone surrogates still show."""
    layout = DataLayout(Display(("id", "x")))
    assert layout.text('{"id": 1180591620717411303425, "x": 1.5}') == "1180591620717411303425  1.5"
    assert layout.text('{"id": 1, "x": NaN}') == "1                       nan"
    assert layout.text('{"id": "\\ud800", "x": 2}').startswith("\ud800")
    assert DataLayout(Display((), "{id}")).text('{"id": 98765432109876543210}') == "98765432109876543210"
