"""Validation of request files: what loads, and how a bad value is reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from streamdash.core.collections.models import (
    Collection,
    CollectionError,
    LoadError,
    SavedRequest,
    StreamSettings,
    find_key_line,
)
from streamdash.core.collections.storage import request_from_toml
from streamdash.core.sse.stream import RetryPolicy

PATH = Path("requests") / "ticker.toml"

FULL = '''\
name = "Price ticker"
kind = "sse"
method = "get"
url = "{{base_url}}/streams/ticker"
description = "optional text"
body = \'\'\'{"a": 1}\'\'\'

[query]
symbol = "ACME"
depth = 5
live = true
tag = ["a", "b"]

[headers]
Accept = "application/json"

[stream]
retry_policy = "strict"
read_timeout = 0
max_event_bytes = 0
last_event_id = "41"
reconnect = false
'''


def error_of(text: str) -> LoadError:
    with pytest.raises(CollectionError) as caught:
        request_from_toml(text, PATH)
    return caught.value.error


def test_a_full_file_loads_every_field():
    req = request_from_toml(FULL, PATH, group=("streams",))
    assert req.name == "Price ticker"
    assert req.kind == "sse"
    assert req.method == "GET"
    assert req.url == "{{base_url}}/streams/ticker"
    assert req.description == "optional text"
    assert req.body == '{"a": 1}'
    assert req.query == [("symbol", "ACME"), ("depth", "5"), ("live", "true"), ("tag", "a"), ("tag", "b")]
    assert req.headers == [("Accept", "application/json")]
    assert req.stream == StreamSettings(RetryPolicy.STRICT, 0.0, 0, "41", False)
    assert isinstance(req.stream.read_timeout, float)
    assert req.extra == {}
    assert req.path == PATH
    assert req.group == ("streams",)


def test_an_empty_file_is_a_rest_get_named_after_the_file():
    req = request_from_toml("", PATH)
    assert (req.name, req.kind, req.method, req.url, req.body) == ("ticker", "rest", "GET", "", None)
    assert req.stream == StreamSettings()
    assert req.stream.retry_policy == "resilient"
    assert req.stream.read_timeout == 60.0
    assert req.stream.max_event_bytes == 16 * 1024 * 1024


def test_unknown_keys_are_kept_in_extra_including_those_inside_stream():
    text = 'future = 1\nauth = { kind = "basic" }\n[stream]\nreconnect = true\nresume = "x"\n'
    req = request_from_toml(text, PATH)
    assert req.extra == {"future": 1, "auth": {"kind": "basic"}, "stream": {"resume": "x"}}


def test_a_bad_kind_names_the_key_and_its_line():
    error = error_of('name = "x"\nkind = "websocket"\n')
    assert error.path == PATH
    assert error.line == 2
    assert "kind" in error.message and "websocket" in error.message
    assert str(error) == f'{PATH}:2: kind: must be "rest" or "sse", not "websocket"'


@pytest.mark.parametrize(
    ("text", "label", "line"),
    [
        ("method = 'GE T'\n", "method", 1),
        ("method = ''\n", "method", 1),
        ("url = 5\n", "url", 1),
        ("name = 3\n", "name", 1),
        ("body = 3\n", "body", 1),
        ("description = []\n", "description", 1),
        ("query = 'a=b'\n", "query", 1),
        ("[headers]\nAccept = 'x'\nX-Bad = { a = 1 }\n", "headers.X-Bad", 3),
        ("[query]\nids = [[1]]\n", "query.ids", 2),
        ("stream = 1\n", "stream", 1),
        ("[stream]\nretry_policy = 'sometimes'\n", "stream.retry_policy", 2),
        ("[stream]\nread_timeout = '60'\n", "stream.read_timeout", 2),
        ("[stream]\nread_timeout = -1\n", "stream.read_timeout", 2),
        ("[stream]\nread_timeout = true\n", "stream.read_timeout", 2),
        ("[stream]\nmax_event_bytes = 1.5\n", "stream.max_event_bytes", 2),
        ("[stream]\nmax_event_bytes = -1\n", "stream.max_event_bytes", 2),
        ("[stream]\nlast_event_id = 7\n", "stream.last_event_id", 2),
        ("[stream]\nlast_event_id = \"a\\nb\"\n", "stream.last_event_id", 2),
        ("[stream]\nreconnect = 'yes'\n", "stream.reconnect", 2),
        ("[stream]\nlatency_field = 3\n", "stream.latency_field", 2),
        ("[stream]\nlatency_field = 'meta..sent'\n", "stream.latency_field", 2),
        ("[stream]\nassemble = '.choices'\n", "stream.assemble", 2),
        ("[stream]\nsilence_alarm = -1\n", "stream.silence_alarm", 2),
        ("[stream]\nsilence_alarm = 'long'\n", "stream.silence_alarm", 2),
    ],
)
def test_each_bad_value_is_one_line_naming_the_key(text, label, line):
    error = error_of(text)
    assert error.message.startswith(f"{label}: ")
    assert error.line == line
    assert "\n" not in str(error)


def test_a_key_found_only_in_an_inline_table_points_at_the_table():
    error = error_of("stream = { reconnect = 'yes' }\n")
    assert error.message.startswith("stream.reconnect: ")
    assert error.line == 1


def test_a_toml_syntax_error_gives_its_line():
    error = error_of('name = "x"\nurl = \n')
    assert error.line == 2
    assert error.message.startswith("invalid TOML: ")
    assert str(error).startswith(f"{PATH}:2: invalid TOML")


def test_a_syntax_error_at_the_end_of_the_file_points_at_the_last_line():
    error = error_of('name = "x"\nbody = """never closed\n')
    assert error.line == 2


def test_kind_and_method_are_normalised():
    req = request_from_toml('kind = "SSE"\nmethod = " post "\n', PATH)
    assert (req.kind, req.method) == ("sse", "POST")


def test_load_error_is_always_one_line():
    assert str(LoadError(PATH, None, "two\nlines")) == f"{PATH}: two lines"
    assert str(LoadError(PATH, 3, "bad")) == f"{PATH}:3: bad"


def test_collection_error_is_a_value_error_carrying_the_load_error():
    error = LoadError(PATH, 1, "bad")
    exc = CollectionError(error)
    assert isinstance(exc, ValueError)
    assert exc.error is error
    assert str(exc) == str(error)


def test_find_key_line_looks_inside_the_right_table():
    text = 'name = "a"\n\n[query]\nname = "b"\n\n[headers]\n"Accept" = "x"\n'
    assert find_key_line(text, "name") == 1
    assert find_key_line(text, "name", "query") == 4
    assert find_key_line(text, "Accept", "headers") == 7
    assert find_key_line(text, "Accept") is None  # not a top-level key
    assert find_key_line(text, "missing", "nowhere") is None


def test_same_content_ignores_where_a_request_lives():
    a = SavedRequest(name="x", url="u", path=Path("a.toml"), group=("g",))
    b = SavedRequest(name="x", url="u", path=Path("b.toml"))
    assert a.same_content(b)
    assert not a.same_content(SavedRequest(name="x", url="v"))


def test_collection_sorts_root_requests_first_then_groups_then_names():
    reqs = [
        SavedRequest(name="b", group=("z",)),
        SavedRequest(name="B2", group=()),
        SavedRequest(name="a", group=("z",)),
        SavedRequest(name="a1", group=()),
        SavedRequest(name="c", group=("y", "deep")),
    ]
    collection = Collection(root=Path("."), name="c", requests=reqs)
    collection.sort()
    assert [(r.group, r.name) for r in collection.requests] == [
        ((), "a1"), ((), "B2"), (("y", "deep"), "c"), (("z",), "a"), (("z",), "b"),
    ]


def test_order_puts_requests_in_the_order_a_tool_ran_them_within_their_folder():
    # `order = N` (an import keeps Bruno's seq, Postman's item order, Insomnia's sort key): a
    # Login that captures a token runs before the requests that use it. Unordered ones follow.
    reqs = [
        SavedRequest(name="Get profile", extra={"order": 2}),
        SavedRequest(name="Login", extra={"order": 1}),
        SavedRequest(name="Added later"),
        SavedRequest(name="b", group=("z",), extra={"order": 1}),
        SavedRequest(name="a", group=("z",), extra={"order": 2}),
    ]
    collection = Collection(root=Path("."), name="c", requests=reqs)
    collection.sort()
    assert [r.name for r in collection.requests] == ["Login", "Get profile", "Added later", "b", "a"]


@pytest.mark.parametrize("value", ['"1"', "true", "-1", "1.5"])
def test_an_order_that_is_no_whole_number_is_a_file_line_error(value):
    with pytest.raises(CollectionError, match=r"order: must be a whole number >= 0"):
        request_from_toml(f'name = "x"\norder = {value}\n', Path("x.toml"))


def test_what_a_stream_measures_loads_from_its_stream_table():
    request = request_from_toml(
        'kind = "sse"\n[stream]\nlatency_field = "meta.sent_at"\n'
        'assemble = "choices.0.delta.content"\nsilence_alarm = 5\n',
        PATH,
    )
    assert request.stream.latency_field == "meta.sent_at"
    assert request.stream.assemble == "choices.0.delta.content"
    assert request.stream.silence_alarm == 5.0
    assert "latency_field" not in request.extra.get("stream", {})


def test_measures_are_off_by_default_and_the_silence_alarm_is_30_s():
    settings = request_from_toml('kind = "sse"\n', PATH).stream
    assert (settings.latency_field, settings.assemble, settings.silence_alarm) == ("", "", 30.0)
