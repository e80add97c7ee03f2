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
    return (request.group, request.name, request.kind, request.method, request.url, list(request.query), list(request.headers),
            request.body, request.extra.get("auth"))


def test_postman_export_imports_back_to_the_same_requests(collection, tmp_path):
    text, left_out = to_postman(collection)
    assert left_out == []
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
    assert left_out == ["Feed: a stream (.http clients do not read SSE)"]
    # Auth goes as both clients read it: `Basic user password` (they encode it), `Bearer token`.
    assert "Authorization: Basic ada {{password}}" in text and "Authorization: Bearer {{token}}" in text
    requests, variables = parse_http_file(text, tmp_path / "shop.http")
    assert variables == {"base_url": "https://shop.example", "page": "1"}
    expected = {r.name: r for r in collection.requests if r.kind == "rest"}
    assert len(requests) == len(expected)
    for request in requests:
        original = expected[request.name.rsplit("/", 1)[-1]]
        headers = list(original.headers)
        if original.name == "Create":  # a bearer token is its header, sent the same
            headers.append(("Authorization", "Bearer {{token}}"))
        assert (request.method, request.url, list(request.query), list(request.headers), request.body) == (
            original.method, original.url, list(original.query), headers, original.body)
        if original.name == "Login":  # read back as the [auth] it was
            assert request.extra["auth"] == original.extra["auth"]


def test_http_export_names_auth_it_cannot_write_and_uses_the_collections_default(collection):
    save_request(collection, SavedRequest(name="Device", url="{{base_url}}/me", extra={"auth": {
        "type": "oauth2", "grant": "device_code", "token_url": "https://a.test/token",
        "device_authorization_url": "https://a.test/device", "client_id": "cli"}}))
    save_request(collection, SavedRequest(name="Plain", url="{{base_url}}/plain"))
    text, left_out = to_http_file(load_collection(collection.root), auth={"type": "bearer", "token": "{{env:TOKEN}}"})
    assert "Device: its OAuth2 auth is not carried (a .http file can only say basic, digest or bearer)" in left_out
    plain = text[text.index("### Plain"):]
    assert plain.splitlines()[2] == "Authorization: Bearer {{env:TOKEN}}"  # the collection's [auth]


@pytest.mark.parametrize(("header", "auth"), [
    ("Basic ada s3cr:et", {"type": "basic", "username": "ada", "password": "s3cr:et"}),
    ("Basic ada:s3cret", {"type": "basic", "username": "ada", "password": "s3cret"}),
    ("Digest ada {{pw}}", {"type": "digest", "username": "ada", "password": "{{pw}}"}),
])
def test_the_http_importer_reads_the_clients_basic_and_digest_forms(header, auth):
    (request,), _ = parse_http_file(f"GET https://x.test/\nAuthorization: {header}\n")
    assert request.extra["auth"] == auth and request.headers == []


def test_an_encoded_basic_header_stays_a_header():
    (request,), _ = parse_http_file("GET https://x.test/\nAuthorization: Basic YWRhOnMzY3JldA==\n")
    assert request.headers == [("Authorization", "Basic YWRhOnMzY3JldA==")] and "auth" not in request.extra


def test_postman_export_carries_the_password_grant_and_names_what_it_cannot(collection, tmp_path):
    save_request(collection, SavedRequest(name="Me", url="{{base_url}}/me", extra={"auth": {
        "type": "oauth2", "grant": "password", "token_url": "https://a.test/token", "client_id": "cli",
        "client_secret": "", "username": "ada", "password": "{{pw}}"}}))
    save_request(collection, SavedRequest(name="Gh", url="{{base_url}}/gh", extra={"auth": {
        "type": "command", "command": ["gh", "auth", "token"]}}))
    text, left_out = to_postman(load_collection(collection.root))
    assert left_out == ["Gh: its command auth is not carried (Postman has no such auth): sent without it there"]
    path = tmp_path / "back.postman_collection.json"
    path.write_text(text)
    back = {r.name: r for r in read_import(path).requests}
    assert back["Me"].extra["auth"] == {"type": "oauth2", "grant": "password", "token_url": "https://a.test/token",
                                        "client_id": "cli", "client_secret": "", "username": "ada", "password": "{{pw}}"}
    feed = json.loads(text)["item"]
    feed = next(i for i in feed if i["name"] == "Feed")
    assert {"key": "Accept", "value": "text/event-stream"} in feed["request"]["header"]
