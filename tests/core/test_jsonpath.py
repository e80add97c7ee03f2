"""Dotted JSON paths: the one helper paging, replay checks, latency and assembly share."""

from __future__ import annotations

import pytest

from streamdash.core.jsonpath import json_path

DOC = {"a": {"b": [10, {"c": None}, 30]}, "choices": [{"delta": {"content": "Hi"}}], "x.y": 1}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("", DOC),
        ("a.b.0", 10),
        ("a.b.-1", 30),
        ("a.b.1.c", None),
        ("choices.0.delta.content", "Hi"),
    ],
)
def test_found(path, expected):
    assert json_path(DOC, path, "missing") == expected


@pytest.mark.parametrize("path", ["nope", "a.b.3", "a.b.-4", "a.b.first", "a.b.0.c", "choices.0.delta.content.0"])
def test_missing_gives_the_default(path):
    assert json_path(DOC, path) is None
    assert json_path(DOC, path, "missing") == "missing"


def test_a_null_is_found_not_missing():
    assert json_path(DOC, "a.b.1.c", "missing") is None
