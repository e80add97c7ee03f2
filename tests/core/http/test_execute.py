"""Sending saved requests with their collection's settings, against real servers."""

from __future__ import annotations

import json

import pytest

from streamdash.core.collections import SavedRequest
from streamdash.core.history import History
from streamdash.core.http.execute import Executor, load_collection_settings
from streamdash.core.http.transport import ClientPool
from streamdash.demo import DemoServer
from tests.helpers.raw_server import Conn, RawServer


@pytest.fixture(scope="module")
def demo():
    with DemoServer(seed=9, time_scale=0.05) as server:
        yield server


@pytest.fixture
async def executor(tmp_path):
    ex = Executor(ClientPool(), history=History(tmp_path / "state"), collection_root=tmp_path)
    yield ex
    await ex.aclose()


async def test_paging_from_the_request_file(demo, executor):
    request = SavedRequest(name="all items", url="{{base_url}}/api/items", query=[("per_page", "20")],
                           extra={"paging": {"follow": "link", "max_pages": 10}})
    result = await executor.run(request, {"base_url": demo.url}, "api/all")
    assert result.note == "3 pages, 57 items (last page)"
    assert len(json.loads(result.summary.body)) == 57


async def test_cache_from_the_request_file_and_history(demo, executor, tmp_path):
    request = SavedRequest(name="item", url="{{base_url}}/api/items/3", extra={"cache": True})
    first = await executor.run(request, {"base_url": demo.url}, "api/item")
    again = await executor.run(request, {"base_url": demo.url}, "api/item")
    assert first.note == "" and again.note.startswith("cache hit")
    assert [e.key for e in executor.history.entries()] == ["api/item", "api/item"]


async def test_collection_default_auth_and_a_request_that_opts_out(raw_server: RawServer, tmp_path, monkeypatch):
    async def handler(conn: Conn) -> None:
        await conn.start(200, {"Content-Length": "2"}, content_type="application/json")
        await conn.send(b"{}")

    raw_server.handler = handler
    (tmp_path / "collection.toml").write_text(
        'name = "c"\n[auth]\ntype = "bearer"\ntoken = "{{env:SD_TEST_TOKEN}}"\n'
    )
    monkeypatch.setenv("SD_TEST_TOKEN", "t0k3n")
    settings = load_collection_settings(tmp_path)
    assert settings.errors == ()
    executor = Executor(ClientPool(), settings)
    try:
        await executor.run(SavedRequest(name="a", url=raw_server.url + "/a"), {})
        await executor.run(SavedRequest(name="b", url=raw_server.url + "/b", extra={"auth": {"type": "none"}}), {})
    finally:
        await executor.aclose()
    assert raw_server.requests[0].header("Authorization") == "Bearer t0k3n"
    assert raw_server.requests[1].header("Authorization") is None


def test_bad_collection_settings_are_one_line_errors(tmp_path):
    (tmp_path / "collection.toml").write_text('[auth]\ntype = "kerberos"\n[transport]\nverify = "no"\n')
    settings = load_collection_settings(tmp_path)
    assert len(settings.errors) == 2 and all("\n" not in e for e in settings.errors)
    assert settings.auth is None and settings.transport.verify is True
    assert load_collection_settings(tmp_path / "missing").errors == ()


def test_curl_export_makes_auth_explicit_and_keeps_secrets_as_shell_references(monkeypatch):
    import shlex
    import subprocess

    from streamdash.core.collections.curl import parse_curl
    from streamdash.core.http.as_curl import curl_for
    from streamdash.core.http.execute import CollectionSettings

    monkeypatch.setenv("SD_CURL_TOKEN", "tok'en$x")
    request = SavedRequest(name="x", url="https://api.example.com/x")
    bearer = CollectionSettings(auth={"type": "bearer", "token": "{{env:SD_CURL_TOKEN}}"})
    command = curl_for(request, {}, bearer)
    assert command.note is None and "tok'en" not in command.text  # never the secret itself
    assert '"Authorization: Bearer ${SD_CURL_TOKEN}"' in command.text
    # A shell with the variable set runs it back to the same request.
    words = subprocess.run(
        ["bash", "-c", f"set -- {command.text}; printf '%s\\0' \"$@\""],
        capture_output=True, text=True, env={"SD_CURL_TOKEN": "tok'en$x"}, check=True,
    ).stdout.split("\0")[:-1]
    assert ("Authorization", "Bearer tok'en$x") in parse_curl(shlex.join(words)).headers
    basic = SavedRequest(name="y", url="https://api.example.com/y", extra={"auth": {"type": "basic", "username": "ann", "password": "p$w"}})
    assert "ann:p$w" in shlex.split(curl_for(basic, {}, CollectionSettings()).text)
    digest = curl_for(request, {}, CollectionSettings(auth={"type": "digest", "username": "a", "password": "b"}))
    assert "--digest" in shlex.split(digest.text) and digest.note is None
    monkeypatch.delenv("SD_CURL_TOKEN")
    unset = curl_for(request, {}, bearer)  # copying works even where the secret is not set
    assert unset.unset == ("SD_CURL_TOKEN",)


def test_collection_settings_from_a_fifo_is_an_error_not_a_hang(tmp_path):
    import os

    os.mkfifo(tmp_path / "collection.toml")
    settings = load_collection_settings(tmp_path)  # read_text() on a FIFO blocks for ever
    assert settings.errors == (f"{tmp_path / 'collection.toml'}: not a regular file (a FIFO)",)
