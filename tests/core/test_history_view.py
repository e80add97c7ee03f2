"""A kept send as text, two sends of one request compared, and the history of one collection."""

from __future__ import annotations

import dataclasses
import json
import os

import pytest

from streamdash.core.history import History
from streamdash.core.history_view import DiffRefused, count_changes, diff_entries, entry_lines
from tests.core.test_history import REQUEST, summary


def kept(tmp_path, body: dict, *, at: float, collection="c", key="api/Get x", status=200):
    history = History(tmp_path / "h")
    return history.record(collection=tmp_path / collection, key=key, request=REQUEST,
                          summary=dataclasses.replace(summary(status=status, body=json.dumps(body).encode()),
                                                      sent_at=at))


def test_an_entry_reads_as_status_headers_and_a_laid_out_body_all_masked(tmp_path):
    entry = kept(tmp_path, {"id": 1, "token": "t0k3n-value-123"}, at=1_800_000_000.0)
    lines = entry_lines(entry)
    assert lines[0].startswith("GET https://api.example.com/x?token=")
    assert "abcdef123456" not in "\n".join(lines)  # the URL's secret, masked when kept
    assert lines[2] == "200 OK"
    assert "Content-Type: application/json" in lines
    assert any(line.startswith("Set-Cookie: sid=") and "s3cr3tvalue" not in line for line in lines)
    assert lines[lines.index("") + 1:] == ["{", '  "id": 1,', f'  "token": {json.dumps(json.loads(entry.response_body)["token"], ensure_ascii=False)}', "}"]
    assert "t0k3n-value-123" not in "\n".join(lines)


def test_two_sends_of_one_request_diff_by_field_older_first(tmp_path):
    newer = kept(tmp_path, {"id": 1, "price": 12}, at=1_800_000_100.0)
    older = kept(tmp_path, {"id": 1, "price": 10}, at=1_800_000_000.0)
    lines = diff_entries(newer, older)  # either order: older first
    assert '-  "price": 10' in lines and '+  "price": 12' in lines
    assert count_changes(lines) == (1, 1)
    same = diff_entries(older, kept(tmp_path, {"id": 1, "price": 10}, at=1_800_000_200.0))
    assert same[-1] == "(the same answer)"


def test_sends_of_different_requests_or_collections_are_not_compared(tmp_path):
    a = kept(tmp_path, {}, at=1.0)
    with pytest.raises(DiffRefused, match="different requests"):
        diff_entries(a, kept(tmp_path, {}, at=2.0, key="api/Other"))
    with pytest.raises(DiffRefused, match="different requests"):
        diff_entries(a, kept(tmp_path, {}, at=3.0, collection="other"))


def test_entries_of_one_collection_from_any_working_folder(tmp_path, monkeypatch):
    kept(tmp_path, {"n": 1}, at=1.0, collection="c")
    kept(tmp_path, {"n": 2}, at=2.0, collection="d")
    history = History(tmp_path / "h")
    assert [json.loads(e.response_body)["n"] for e in history.entries()] == [2, 1]
    assert [json.loads(e.response_body)["n"] for e in history.entries(collection=tmp_path / "c")] == [1]
    monkeypatch.chdir(tmp_path)
    assert [e.collection for e in history.entries(collection="d")] == [os.path.abspath(tmp_path / "d")]


def test_what_was_sent_is_kept_rendered_and_masked_so_a_diff_shows_it(tmp_path):
    # Two sends of one request under two environments: the saved headers and body are the same
    # templates, so only what was sent shows the difference.
    history = History(tmp_path / "h")

    def send(env: str, at: float):
        headers = (("X-Env", env), ("Authorization", "Bearer live-token-0123456789"), ("Content-Type", "application/json"))
        body = json.dumps({"env": env, "password": "pw-in-the-body"}).encode()
        return history.record(collection=tmp_path / "c", key="api/Get x", request=REQUEST,
                              summary=dataclasses.replace(summary(), sent_at=at), sent=(headers, body),
                              secrets={"live-token-0123456789"})

    older, newer = send("dev", 1_800_000_000.0), send("prod", 1_800_000_100.0)
    shown = "\n".join(entry_lines(newer))
    assert "> X-Env: prod" in shown and '> {"env": "prod"' in shown
    assert "live-token-0123456789" not in shown and "pw-in-the-body" not in shown
    lines = diff_entries(older, newer)
    assert "-> X-Env: dev" in lines and "+> X-Env: prod" in lines


def test_an_entry_kept_before_sent_parts_were_kept_still_reads(tmp_path):
    entry = kept(tmp_path, {"id": 1}, at=1_800_000_000.0)
    line = json.dumps({k: v for k, v in dataclasses.asdict(entry).items() if k not in ("sent_headers", "sent_body")})
    history = History(tmp_path / "old")
    history.path.parent.mkdir(parents=True)
    history.path.write_text(line + "\n")
    (back,) = history.entries()
    assert back.status == 200 and history.damaged == 0
