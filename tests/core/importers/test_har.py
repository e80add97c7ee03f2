"""HAR files (a browser's recording), written here."""

from __future__ import annotations

import json

from streamdash.core.collections import load_collection
from streamdash.core.collections.secret_values import load_secret_values
from streamdash.core.importers.detect import read_import
from streamdash.core.importers.save import save_import


def entry(method, url, headers=(), body=None, mime="application/json"):
    request = {"method": method, "url": url, "httpVersion": "HTTP/2",
               "headers": [{"name": k, "value": v} for k, v in headers], "queryString": [], "cookies": []}
    if body is not None:
        request["postData"] = {"mimeType": "application/json", "text": body}
    return {"startedDateTime": "2026-12-01T10:00:00Z", "time": 12, "request": request,
            "response": {"status": 200, "content": {"size": 2, "mimeType": mime}}}


HAR = {"log": {"version": "1.2", "creator": {"name": "Firefox", "version": "133"}, "entries": [
    entry("GET", "https://app.example.com/api/me?x=1",
          [(":authority", "app.example.com"), ("Host", "app.example.com"), ("Accept", "application/json"),
           ("sec-ch-ua", '"Chromium"'), ("Cookie", "sid=har-literal-cookie-1"),
           ("Authorization", "Bearer har-literal-token-2")]),
    entry("GET", "https://app.example.com/api/me?x=1"),  # the same again: once
    entry("POST", "https://app.example.com/api/orders", [("Content-Type", "application/json")], '{"n": 1}'),
    entry("GET", "https://app.example.com/api/feed", [("Accept", "text/event-stream")], mime="text/event-stream"),
    {"request": {}},
]}}


def test_a_har_file_is_its_requests_once_each_without_the_browsers_headers(tmp_path):
    path = tmp_path / "session.har"
    path.write_text(json.dumps(HAR))
    imported = read_import(path)
    assert imported.format == "HAR file"
    assert [(r.method, r.name, r.kind) for r in imported.requests] == [
        ("GET", "GET /api/me", "rest"), ("POST", "POST /api/orders", "rest"), ("GET", "GET /api/feed", "sse")]
    me = imported.requests[0]
    assert me.query == [("x", "1")]
    assert [k for k, _ in me.headers] == ["Accept", "Cookie", "Authorization"]
    assert imported.requests[1].body == '{"n": 1}'
    assert imported.warnings == ["1 entries without a request URL: skipped"]
    root = tmp_path / "c"
    save_import(imported, root)
    files = "\n".join(p.read_text() for p in root.rglob("*.toml") if p.name != ".secrets.toml")
    assert "har-literal-cookie-1" not in files and "har-literal-token-2" not in files
    assert {"sid=har-literal-cookie-1", "Bearer har-literal-token-2"} <= set(load_secret_values(root).values())
    assert load_collection(root).errors == []
