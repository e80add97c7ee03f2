"""`[stream] columns` and `template` (issue 11, item 2): load, validation as one-line load
problems, save only when set, and unknown [stream] keys kept beside them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from streamdash.core.collections.models import CollectionError, SavedRequest, StreamSettings
from streamdash.core.collections.storage import (
    ensure_collection,
    load_collection,
    request_from_toml,
    request_to_toml,
    save_request,
)

PATH = Path("requests") / "logs.toml"
BASE = 'name = "logs"\nkind = "sse"\nurl = "https://h/s"\n\n[stream]\n'


def test_columns_and_template_load():
    text = BASE + 'columns = ["level", "service", "user.id"]\ntemplate = "{level} {service}: {msg}"\n'
    settings = request_from_toml(text, PATH).stream
    assert settings.columns == ("level", "service", "user.id")
    assert settings.template == "{level} {service}: {msg}"
    assert request_from_toml(BASE, PATH).stream.columns == ()


@pytest.mark.parametrize(
    "line,needle",
    [
        ('columns = "level"', "stream.columns: must be a list of dotted JSON paths"),
        ('columns = ["a..b"]', "stream.columns"),
        ('columns = [""]', "stream.columns"),
        ("columns = [1]", "stream.columns"),
        ('template = "{level"', "stream.template: has an unmatched brace"),
        ('template = "{}"', "stream.template: has an empty {}"),
        ("template = 3", "stream.template: must be a string"),
    ],
)
def test_a_bad_path_or_template_is_a_one_line_problem(line, needle):
    with pytest.raises(CollectionError) as caught:
        request_from_toml(BASE + line + "\n", PATH)
    message = str(caught.value.error)
    assert needle in message and "\n" not in message


def test_a_bad_file_is_a_load_problem_of_the_collection_not_a_crash(tmp_path):
    root = ensure_collection(tmp_path / "c").root
    (root / "logs.toml").write_text(BASE + 'columns = ["a..b"]\n')
    collection = load_collection(root)
    assert [str(e) for e in collection.errors] and "stream.columns" in str(collection.errors[0])


def test_round_trip_keeps_them_and_unknown_keys(tmp_path):
    root = ensure_collection(tmp_path / "c").root
    (root / "logs.toml").write_text(BASE + 'columns = ["level", "msg"]\nfuture_knob = 7\n')
    (request,) = [r for r in load_collection(root).requests if r.name == "logs"]
    assert request.extra["stream"] == {"future_knob": 7}
    edited = replace(request, stream=replace(request.stream, template="{msg}"))
    saved = save_request(load_collection(root), edited)
    text = saved.path.read_text()
    assert "columns = [" in text and '"level"' in text and 'template = "{msg}"' in text
    assert "future_knob = 7" in text
    (loaded,) = [r for r in load_collection(root).requests if r.name == "logs"]
    assert loaded.stream == edited.stream and loaded.extra == request.extra


def test_unset_they_are_not_written():
    plain = request_to_toml(SavedRequest(name="x", kind="sse", url="https://h", stream=StreamSettings()))
    assert "columns" not in plain and "template" not in plain
