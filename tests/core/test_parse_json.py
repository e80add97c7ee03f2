"""parse_json (orjson first, the stdlib scanner for what orjson refuses) gives exactly what
json.loads gives, and ABSENT where json.loads raises."""

from __future__ import annotations

import json
import math

import pytest

from streamdash.core.filter import ABSENT, FieldCache, compile_filter, parse_json

SAME_AS_STDLIB = [
    '{"symbol":"ACME","price":101.25,"change":-0.31,"ts":"2026-12-02T14:00:00.123Z"}',
    '  {"a": [1, 2, {"b": null}]}  \n',
    '{"a": 1, "a": 2}',  # duplicate keys: the last wins
    '{"big": 123456789012345678901234567890}',  # past 64 bits: orjson refuses, json takes
    '{"n": NaN, "i": Infinity, "m": -Infinity}',  # not JSON, but json.loads takes them
    '{"s": "\\ud800"}',  # an escaped lone surrogate
    '"caf\u00e9 \u2603"',
    "-0",
    "1e400",
    "3",
    "true",
]
NOT_JSON = ["", "not json", "{", '{"a": 1} trailing', "[1, 2", "\ud800", "{'a': 1}"]


@pytest.mark.parametrize("text", SAME_AS_STDLIB)
def test_same_value_and_type_as_json_loads(text: str) -> None:
    want, got = json.loads(text), parse_json(text)
    assert repr(got) == repr(want)  # repr: nan == nan is False; types show (1 vs 1.0)


@pytest.mark.parametrize("text", NOT_JSON)
def test_absent_where_json_loads_raises(text: str) -> None:
    with pytest.raises((ValueError, UnicodeError)):
        json.loads(text)
    assert parse_json(text) is ABSENT


def test_infinity_and_ints_stay_exact() -> None:
    assert math.isinf(parse_json("1e400"))
    assert parse_json("18446744073709551616") == 2**64


def test_a_field_filter_compares_huge_ints_exactly_as_json_loads_reads_them() -> None:
    """orjson reads 2**64 + 1 as a float (== 2**64); the filter must still see the exact int."""
    entries = [
        (0, "s", "m", '{"n": 18446744073709551617}', "", 0.0),
        (1, "s", "m", '{"n": 18446744073709551616}', "", 0.0),
        (2, "s", "m", '{"n": NaN, "x": 1}', "", 0.0),
        (3, "s", "m", '  {"n": 5}', "", 0.0),
        (4, "s", "m", '{"n": "\\ud800"}', "", 0.0),
    ]
    got = compile_filter("n>18446744073709551616", cache=FieldCache()).apply(entries)
    assert [e[0] for e in got] == [0]
    assert [e[0] for e in compile_filter("x=1", cache=FieldCache()).apply(entries)] == [2]
    assert [e[0] for e in compile_filter("n=5", cache=FieldCache()).apply(entries)] == [3]
