"""Exports read back by our own importers: Postman v2.1 (export, import) and .http (export, the
.http importer) give the same requests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from streamdash.core.collections import SavedRequest, load_collection, save_request
from streamdash.core.collections.httpfile import parse_http_file
from streamdash.core.collections.storage import ensure_collection
from streamdash.core.exporters.httpfile import to_http_file
from streamdash.core.exporters.postman import to_postman
from streamdash.core.importers.detect import read_import

REQUESTS = [
    SavedRequest(name="List", url="{{base_url}}/items", query=[("page", "{{page}}"), ("q", "a b&c")],
                 headers=[("Accept", "application/json")], description="All of them.", group=("items",)),
    SavedRequest(name="Create", method="POST", url="{{base_url}}/items",
                 headers=[("Content-Type", "application/json")], body='{\n  "name": "x"\n}', group=("items", "write"),
                 extra={"auth": {"type": "bearer", "token": "{{token}}"}}),
    SavedRequest(name="Login", method="POST", url="{{base_url}}/login",
                 extra={"auth": {"type": "basic", "username": "ada", "password": "{{password}}"}}),
    SavedRequest(name="Feed", kind="sse", url="{{base_url}}/feed"),
]


@pytest.fixture
def collection(tmp_path: Path):
    root = tmp_path / "c"
    ensure_collection(root, example=False)
    (root / "collection.toml").write_text('name = "Shop"\n[variables]\nbase_url = "https://shop.example"\npage = "1"\n')
    current = load_collection(root)
    for request in REQUESTS:
        save_request(current, request)
    return load_collection(root)


def shape(request: SavedRequest) -> tuple:
    return (request.group, request.name, request.method, request.url, list(request.query), list(request.headers),
            request.body, request.extra.get("auth"))


def test_postman_export_imports_back_to_the_same_requests(collection, tmp_path):
    text = to_postman(collection)
    document = json.loads(text)
    assert document["info"]["schema"].endswith("v2.1.0/collection.json")
    path = tmp_path / "shop.postman_collection.json"
    path.write_text(text)
    back = read_import(path)
    assert back.name == "Shop" and back.variables == {"base_url": "https://shop.example", "page": "1"}
    assert sorted(map(shape, back.requests)) == sorted(shape(r) for r in collection.requests)
    assert next(r for r in back.requests if r.name == "List").description == "All of them."


def test_http_export_reads_back_through_the_http_importer(collection, tmp_path):
    text, left_out = to_http_file(collection)
    assert sorted(left_out) == [
        "Feed: a stream (.http clients do not read SSE)",
        "Login: its [auth] is not carried (.http files have no auth table)",
        "items/write/Create: its [auth] is not carried (.http files have no auth table)",
    ]
    requests, variables = parse_http_file(text, tmp_path / "shop.http")
    assert variables == {"base_url": "https://shop.example", "page": "1"}
    expected = {r.name: r for r in collection.requests if r.kind == "rest"}
    assert len(requests) == len(expected)
    for request in requests:
        original = expected[request.name.rsplit("/", 1)[-1]]
        assert (request.method, request.url, list(request.query), list(request.headers), request.body) == (
            original.method, original.url, list(original.query), list(original.headers), original.body)
