"""The `[stream]` keys of issue 10: `oversize` (rule 34) and `heartbeat_events`, through load,
save and prepare -> StreamOptions, the one path every saved stream takes."""

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
from streamdash.core.http.prepare import prepare
from streamdash.core.sse import OversizePolicy
from streamdash.core.sse.events import DEFAULT_HEARTBEAT_EVENTS

PATH = Path("requests") / "ticker.toml"
BASE = 'name = "t"\nkind = "sse"\nurl = "https://h/s"\n\n[stream]\n'


def test_defaults_are_fail_and_ping_heartbeat():
    settings = request_from_toml(BASE, PATH).stream
    assert settings.oversize is OversizePolicy.FAIL
    assert frozenset(settings.heartbeat_events) == DEFAULT_HEARTBEAT_EVENTS


def test_keys_load():
    text = BASE + 'oversize = "skip"\nheartbeat_events = ["keepalive", "ping"]\n'
    settings = request_from_toml(text, PATH).stream
    assert settings.oversize is OversizePolicy.SKIP
    assert settings.heartbeat_events == ("keepalive", "ping")
    assert request_from_toml(BASE + "heartbeat_events = []\n", PATH).stream.heartbeat_events == ()


@pytest.mark.parametrize(
    "line,needle",
    [
        ('oversize = "drop"', 'stream.oversize: must be "fail" or "skip"'),
        ("oversize = 1", "stream.oversize"),
        ('heartbeat_events = "ping"', "stream.heartbeat_events: must be a list of event types"),
        ("heartbeat_events = [1]", "stream.heartbeat_events"),
        ('heartbeat_events = ["a\\nb"]', "stream.heartbeat_events"),
    ],
)
def test_bad_values_are_one_line_reasons(line, needle):
    with pytest.raises(CollectionError) as caught:
        request_from_toml(BASE + line + "\n", PATH)
    message = str(caught.value.error)
    assert needle in message and "\n" not in message


def test_round_trip_on_disk(tmp_path):
    collection = ensure_collection(tmp_path / "c")
    request = SavedRequest(
        name="feed", kind="sse", url="https://h/s",
        stream=StreamSettings(oversize=OversizePolicy.SKIP, heartbeat_events=("keepalive",)),
    )
    saved = save_request(collection, request)
    text = saved.path.read_text()
    assert 'oversize = "skip"' in text and 'heartbeat_events = [' in text and '"keepalive"' in text
    (loaded,) = [r for r in load_collection(tmp_path / "c").requests if r.name == "feed"]
    assert loaded.stream == request.stream
    # "none" survives too, and the defaults are not written (plain stream files stay short).
    none = replace(request, stream=StreamSettings(heartbeat_events=()))
    assert request_from_toml(request_to_toml(none), PATH).stream.heartbeat_events == ()
    plain = request_to_toml(replace(request, stream=StreamSettings()))
    assert "oversize" not in plain and "heartbeat_events" not in plain


def test_prepare_carries_them_into_the_stream_options():
    request = SavedRequest(
        name="feed", kind="sse", url="https://h/s",
        stream=StreamSettings(oversize=OversizePolicy.SKIP, heartbeat_events=("keepalive",)),
    )
    options = prepare(request, {}, environ={}).stream_options()
    assert options.oversize is OversizePolicy.SKIP
    assert options.heartbeat_events == frozenset({"keepalive"})
    default = prepare(replace(request, stream=StreamSettings()), {}, environ={}).stream_options()
    assert default.heartbeat_events == DEFAULT_HEARTBEAT_EVENTS
    assert default.oversize is OversizePolicy.FAIL
