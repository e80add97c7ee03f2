"""History on disk: masked, capped, trimmed, damaged lines skipped, entries re-sendable."""

from __future__ import annotations

import json

from streamdash.core.collections import SavedRequest
from streamdash.core.history import MAX_BODY_CHARS, History, format_entry_line
from streamdash.core.http.send import ResponseSummary


def summary(status=200, body=b'{"ok": true}', url="https://api.example.com/x?token=abcdef123456&page=2", **kw):
    return ResponseSummary(
        method="GET", url=url, status=status, reason="OK", elapsed_s=0.042, size=len(body),
        headers=(("Content-Type", "application/json"), ("Set-Cookie", "sid=s3cr3tvalue; Path=/")),
        body=body, sent_at=1_800_000_000.0, **kw,
    )


REQUEST = SavedRequest(
    name="Get x", method="GET", url="{{base_url}}/x",
    headers=[("Authorization", "Bearer {{env:API_TOKEN}}"), ("X-Api-Key", "literal-secret-9876")],
    body=None,
)


def test_record_masks_secrets_and_keeps_templates(tmp_path):
    history = History(tmp_path)
    history.record(collection=tmp_path / "c", key="api/Get x", request=REQUEST, summary=summary())
    raw = (tmp_path / "history.jsonl").read_text()
    assert "abcdef123456" not in raw and "s3cr3tvalue" not in raw and "literal-secret-9876" not in raw
    (entry,) = history.entries()
    assert dict(entry.headers)["Authorization"] == "Bearer {{env:API_TOKEN}}"  # a template, no secret
    assert dict(entry.headers)["X-Api-Key"] != "literal-secret-9876"
    assert "page=2" in entry.url and (entry.status, entry.size) == (200, 12)
    again = entry.to_request()
    assert (again.method, again.url, again.name) == ("GET", "{{base_url}}/x", "Get x")


def test_body_is_capped_and_errors_recorded(tmp_path):
    history = History(tmp_path)
    history.record(collection="c", key="k", request=REQUEST, summary=summary(body=b"x" * (MAX_BODY_CHARS + 10)))
    history.record(collection="c", key="k", request=REQUEST,
                   summary=ResponseSummary("GET", "http://127.0.0.1:9/", error="connection refused", sent_at=1.0))
    failed, big = history.entries()
    assert failed.status is None and failed.error == "connection refused"
    assert len(big.response_body) == MAX_BODY_CHARS and big.body_cut
    assert "ERR" in format_entry_line(failed)


def test_trimmed_to_the_newest_when_over_the_cap(tmp_path):
    history = History(tmp_path, max_bytes=20_000)
    for i in range(200):
        history.record(collection="c", key=f"k{i}", request=REQUEST, summary=summary())
    assert (tmp_path / "history.jsonl").stat().st_size <= 20_000
    entries = history.entries(limit=None)
    assert entries[0].key == "k199" and len(entries) < 200
    assert [e.key for e in entries] == [f"k{i}" for i in range(199, 199 - len(entries), -1)]


def test_a_damaged_line_is_skipped_and_counted(tmp_path):
    history = History(tmp_path)
    history.record(collection="c", key="a", request=REQUEST, summary=summary())
    with open(tmp_path / "history.jsonl", "a") as f:
        f.write('{"at": 1, "truncat\n')
    history.record(collection="c", key="b", request=REQUEST, summary=summary())
    assert [e.key for e in history.entries()] == ["b", "a"] and history.damaged == 1
    assert json.loads((tmp_path / "history.jsonl").read_text().splitlines()[0])["key"] == "a"
    assert History(tmp_path / "none").entries() == []


# --- secrets known by value never reach the file (a real echo server and token endpoint) --------

import pytest  # noqa: E402

from streamdash.core.http.execute import Executor  # noqa: E402
from streamdash.core.http.transport import ClientPool  # noqa: E402
from tests.helpers.echo_server import EchoServer  # noqa: E402

ENV_KEY = "k3y/with+plus=and&more-than-16"  # URL-encoding changes it on the wire


@pytest.fixture(scope="module")
def echo():
    with EchoServer() as server:
        yield server


async def send_all(tmp_path, requests, variables):
    executor = Executor(ClientPool(), history=History(tmp_path / "state"), collection_root=tmp_path)
    try:
        return [await executor.run(request, variables) for request in requests]
    finally:
        await executor.aclose()


async def test_history_holds_no_echoed_env_secret_nor_a_literal_one_in_the_url(tmp_path, echo, monkeypatch):
    monkeypatch.setenv("SD_HISTORY_KEY", ENV_KEY)
    echoing = SavedRequest(
        name="echo", url="{{base}}/echo?api_key=literal-url-key-123&sig=literal-signature-456",
        query=[("q", "{{env:SD_HISTORY_KEY}}")],
        headers=[("Authorization", "Bearer {{env:SD_HISTORY_KEY}}")],
    )
    (done,) = await send_all(tmp_path, [echoing], {"base": echo.url})
    assert done.summary.status == 200 and ENV_KEY in done.summary.text()  # the server echoed it
    raw = (tmp_path / "state" / "history.jsonl").read_text()
    for secret in (ENV_KEY, "k3y%2Fwith%2Bplus%3Dand%26more", "literal-url-key-123", "literal-signature-456"):
        assert secret not in raw, secret


async def test_history_holds_no_oauth2_token_nor_a_token_endpoint_answer(tmp_path, echo, monkeypatch):
    monkeypatch.setenv("SD_HISTORY_CS", "client-secret-value-1")
    oauth = {"type": "oauth2", "token_url": "{{base}}/token", "client_id": "me",
             "client_secret": "{{env:SD_HISTORY_CS}}"}
    api = SavedRequest(name="api", url="{{base}}/api", extra={"auth": oauth})
    token = SavedRequest(name="token", method="POST", url="{{base}}/token")
    before = len(echo.state.issued)
    results = await send_all(tmp_path, [api, token], {"base": echo.url})
    assert [r.summary.status for r in results] == [200, 200]
    issued = echo.state.issued[before:]
    assert len(issued) == 2 and all(t in r.summary.text() for t, r in zip(issued, results, strict=True))
    raw = (tmp_path / "state" / "history.jsonl").read_text()
    for secret in (*issued, "client-secret-value-1"):
        assert secret not in raw, secret
    assert "access_token" in raw  # the answer is kept, its value masked


async def test_history_holds_no_basic_password_in_its_base64_echo(tmp_path, echo):
    basic = SavedRequest(name="basic", url="{{base}}/echo",
                         extra={"auth": {"type": "basic", "username": "bob", "password": "hunter2-password"}})
    (done,) = await send_all(tmp_path, [basic], {"base": echo.url})
    import base64
    encoded = base64.b64encode(b"bob:hunter2-password").decode()
    assert encoded in done.summary.text()
    raw = (tmp_path / "state" / "history.jsonl").read_text()
    assert encoded not in raw and "hunter2-password" not in raw
