"""Postman v2.1 and v2.0 collections and environments, written here in Postman's format, imported
and saved; nothing secret lands in a request file."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from streamdash.core.collections import load_collection
from streamdash.core.collections.environments import load_environments
from streamdash.core.collections.secret_values import load_secret_values
from streamdash.core.importers.detect import read_import
from streamdash.core.importers.model import ImportRefused
from streamdash.core.importers.save import save_import

COLLECTION = {
    "info": {"_postman_id": "0c2b", "name": "Shop API",
             "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
    "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "{{token}}", "type": "string"}]},
    "variable": [{"key": "base_url", "value": "https://shop.example.com"}, {"key": "off", "value": "x", "disabled": True}],
    "item": [
        {"name": "Items", "item": [
            {"name": "List items", "request": {
                "method": "GET",
                "header": [{"key": "Accept", "value": "application/json"}, {"key": "X-Off", "value": "1", "disabled": True}],
                "url": {"raw": "{{base_url}}/items?page=1&per_page=20", "host": ["{{base_url}}"], "path": ["items"],
                        "query": [{"key": "page", "value": "1"}, {"key": "per_page", "value": "20"},
                                  {"key": "debug", "value": "1", "disabled": True}]},
                "description": "All items, paged."}},
            {"name": "Create item", "event": [{"listen": "test", "script": {"exec": ["pm.test('ok', () => {})"]}}],
             "request": {
                "method": "POST", "header": [],
                "body": {"mode": "raw", "raw": "{\"name\": \"{{$randomWord}}\"}", "options": {"raw": {"language": "json"}}},
                "url": "{{base_url}}/items"}},
        ]},
        {"name": "Login (basic)", "request": {
            "method": "POST", "url": "{{base_url}}/login",
            "auth": {"type": "basic", "basic": [{"key": "username", "value": "ada"}, {"key": "password", "value": "hunter2-literal"}]},
            "body": {"mode": "urlencoded", "urlencoded": [{"key": "remember", "value": "yes"}]}}},
        {"name": "Legacy key", "request": {
            "method": "GET", "url": "{{base_url}}/legacy",
            "header": [{"key": "Authorization", "value": "Bearer sk-literal-0123456789"}],
            "auth": {"type": "apikey", "apikey": [{"key": "key", "value": "X-API-Key"}, {"key": "value", "value": "k-literal-777"},
                                                   {"key": "in", "value": "header"}]}}},
        {"name": "Upload", "request": {"method": "POST", "url": "{{base_url}}/upload",
                                       "body": {"mode": "formdata", "formdata": [{"key": "f", "type": "file", "src": "/x"}]}}},
        {"name": "Hawk", "request": {"method": "GET", "url": "{{base_url}}/hawk", "auth": {"type": "hawk", "hawk": []}}},
    ],
}

ENVIRONMENT = {"id": "e1", "name": "Staging EU", "_postman_variable_scope": "environment", "values": [
    {"key": "base_url", "value": "https://staging.shop.example.com", "type": "default", "enabled": True},
    {"key": "token", "value": "stg-tok-literal", "type": "secret", "enabled": True},
    {"key": "region", "value": "eu", "type": "default", "enabled": True},
    {"key": "old", "value": "x", "enabled": False},
]}


def write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def test_a_collection_reads_with_its_folders_auth_and_bodies(tmp_path):
    imported = read_import(write(tmp_path / "shop.postman_collection.json", COLLECTION))
    assert imported.format == "Postman collection" and imported.name == "Shop API"
    assert imported.variables == {"base_url": "https://shop.example.com"}
    by_name = {r.name: r for r in imported.requests}
    listing = by_name["List items"]
    assert (listing.group, listing.url, listing.query) == (("Items",), "{{base_url}}/items", [("page", "1"), ("per_page", "20")])
    assert listing.headers == [("Accept", "application/json")]
    assert listing.description == "All items, paged."
    assert listing.extra["auth"] == {"type": "bearer", "token": "{{token}}"}  # inherited from the collection
    create = by_name["Create item"]
    assert create.body == '{"name": "{{$randomWord}}"}' and ("Content-Type", "application/json") in create.headers
    login = by_name["Login (basic)"]
    assert login.extra["auth"]["type"] == "basic" and login.body == "remember=yes"
    assert ("X-API-Key", "k-literal-777") in by_name["Legacy key"].headers
    warnings = "\n".join(imported.warnings)
    assert "Items/Create item: pre-request and test scripts are not run" in warnings
    assert "{{$randomWord}} is a dynamic variable" in warnings
    assert "Upload: a formdata body is not imported" in warnings
    assert "Hawk: hawk auth is not imported" in warnings


def test_saved_collection_has_no_secret_in_any_request_file(tmp_path):
    source = write(tmp_path / "shop.json", COLLECTION)
    root = tmp_path / "imported"
    saved = save_import(read_import(source), root)
    assert saved.requests == 6 and saved.variables == 1
    collection = load_collection(root)
    assert collection.errors == [] and collection.name == "Shop API"
    text = "\n".join(p.read_text() for p in root.rglob("*.toml") if p.name != ".secrets.toml")
    for secret in ("hunter2-literal", "sk-literal-0123456789", "k-literal-777"):
        assert secret not in text
    assert set(load_secret_values(root).values()) >= {"hunter2-literal", "Bearer sk-literal-0123456789", "k-literal-777"}
    assert ".secrets.toml" in (root / ".gitignore").read_text()
    legacy = next(r for r in collection.requests if r.name == "Legacy key")
    assert dict(legacy.headers)["Authorization"].startswith("{{")


def test_an_environment_file_is_an_environment_its_secret_typed_value_in_the_secrets_file(tmp_path):
    root = tmp_path / "c"
    save_import(read_import(write(tmp_path / "shop.json", COLLECTION)), root)
    saved = save_import(read_import(write(tmp_path / "staging.postman_environment.json", ENVIRONMENT)), root)
    assert saved.environments == ["staging-eu"]
    env = load_environments(root)["staging-eu"]
    assert env.variables["base_url"] == "https://staging.shop.example.com" and env.variables["region"] == "eu"
    assert "old" not in env.variables
    assert "stg-tok-literal" not in (root / "env" / "staging-eu.toml").read_text()
    assert load_secret_values(root)[env.variables["token"].strip("{}")] == "stg-tok-literal"
    again = save_import(read_import(tmp_path / "staging.postman_environment.json"), root)
    assert again.environments == ["staging-eu-2"]  # never replaces one


def test_v2_0_auth_tables_and_a_bare_url_request(tmp_path):
    data = {"info": {"name": "old", "schema": "https://schema.getpostman.com/json/collection/v2.0.0/collection.json"},
            "item": [{"name": "ping", "request": "https://h.example/ping"},
                     {"name": "basic", "request": {"url": "https://h.example/b", "method": "GET",
                                                   "auth": {"type": "basic", "basic": {"username": "u", "password": "{{pw}}"}}}}]}
    imported = read_import(write(tmp_path / "old.json", data))
    assert [(r.name, r.method, r.url) for r in imported.requests] == [("ping", "GET", "https://h.example/ping"),
                                                                      ("basic", "GET", "https://h.example/b")]
    assert imported.requests[1].extra["auth"] == {"type": "basic", "username": "u", "password": "{{pw}}"}


@pytest.mark.parametrize(("text", "reason"), [
    ("{not json", "not valid JSON"),
    ('{"info": {"name": "x"}, "item": []}', "not a file streamdash can import"),
    ('{"info": {"schema": "https://schema.getpostman.com/json/collection/v2.1.0/"}, "item": {}}', "'item' is not a list"),
])
def test_a_bad_file_is_one_line(tmp_path, text, reason):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(ImportRefused) as caught:
        read_import(path)
    assert reason in str(caught.value) and "\n" not in str(caught.value)


def test_saved_requests_read_back_as_they_were_imported(tmp_path):
    root = tmp_path / "c"
    imported = read_import(write(tmp_path / "shop.json", COLLECTION))
    save_import(imported, root)
    listing = next(r for r in load_collection(root).requests if r.name == "List items")
    data = tomllib.loads(listing.path.read_text())
    assert data["url"] == "{{base_url}}/items" and data["auth"] == {"type": "bearer", "token": "{{token}}"}


def test_folder_names_that_cannot_be_folders_here_are_made_safe(tmp_path):
    data = {"info": {"name": "odd", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
            "item": [{"name": "env", "item": [{"name": "a", "request": "https://h/a"}]},
                     {"name": "a/b", "item": [{"name": ".hidden", "item": [{"name": "b", "request": "https://h/b"}]}]}]}
    root = tmp_path / "c"
    save_import(read_import(write(tmp_path / "odd.json", data)), root)
    assert sorted(r.group for r in load_collection(root).requests) == [("a-b", "hidden"), ("env-requests",)]


def test_path_variables_are_filled_as_postman_sends_them(tmp_path):
    data = {"info": {"name": "p", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
            "item": [{"name": "user", "request": {"method": "GET", "url": {
                "raw": "{{base}}/users/:id/posts/:post?x=1", "host": ["{{base}}"], "path": ["users", ":id", "posts", ":post"],
                "query": [{"key": "x", "value": "1"}],
                "variable": [{"key": "id", "value": "42"}, {"key": "post", "value": ""}]}}}]}
    (request,) = read_import(write(tmp_path / "p.json", data)).requests
    assert request.url == "{{base}}/users/42/posts/{{post}}" and request.query == [("x", "1")]


def test_the_collection_keeps_postmans_item_order(tmp_path):
    # Postman runs a folder top to bottom; sorted by name, "Get profile" would run before "Login".
    data = {"info": {"name": "Flow", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
            "item": [{"name": "Login", "request": {"method": "POST", "url": "https://x.test/login"}},
                     {"name": "Get profile", "request": {"method": "GET", "url": "https://x.test/me"}},
                     {"name": "Admin", "item": [
                         {"name": "Zap cache", "request": {"method": "POST", "url": "https://x.test/zap"}},
                         {"name": "Audit", "request": {"method": "GET", "url": "https://x.test/audit"}}]}]}
    path = tmp_path / "flow.postman_collection.json"
    path.write_text(json.dumps(data))
    save_import(read_import(path), tmp_path / "c")
    loaded = load_collection(tmp_path / "c")
    assert [r.name for r in loaded.requests] == ["Login", "Get profile", "Zap cache", "Audit"]


def _oauth2(*pairs: tuple[str, object]) -> dict:
    return {"type": "oauth2", "oauth2": [{"key": k, "value": v, "type": "string"} for k, v in pairs]}


def test_postman_oauth2_grants_streamdash_has_come_along(tmp_path):
    # Postman's own keys, as in its exports (grant_type "password_credentials"; a v2.0 file keeps
    # a token fetched earlier as accessToken + addTokenTo).
    items = [
        {"name": "password", "request": {"method": "GET", "url": "https://x.test/p", "auth": _oauth2(
            ("grant_type", "password_credentials"), ("accessTokenUrl", "https://auth.test/token"),
            ("clientId", "cli"), ("clientSecret", "{{client_secret}}"), ("username", "ada"),
            ("password", "{{pw}}"), ("scope", "read"))}},
        {"name": "token in header", "request": {"method": "GET", "url": "https://x.test/h", "auth": {
            "type": "oauth2", "oauth2": {"accessToken": "{{saved_token}}", "addTokenTo": "header"}}}},
        {"name": "token in query", "request": {"method": "GET", "url": "https://x.test/q", "auth": {
            "type": "oauth2", "oauth2": {"accessToken": "{{saved_token}}", "addTokenTo": "queryParams"}}}},
        {"name": "auth code", "request": {"method": "GET", "url": "https://x.test/c", "auth": _oauth2(
            ("grant_type", "authorization_code"), ("accessTokenUrl", "https://auth.test/token"))}},
    ]
    path = tmp_path / "o.postman_collection.json"
    path.write_text(json.dumps({"info": {"name": "O", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"}, "item": items}))
    imported = read_import(path)
    password, header, query, code = imported.requests
    assert password.extra["auth"] == {"type": "oauth2", "grant": "password", "token_url": "https://auth.test/token",
                                      "client_id": "cli", "client_secret": "{{client_secret}}", "username": "ada",
                                      "password": "{{pw}}", "scope": "read"}
    assert header.extra["auth"] == {"type": "bearer", "token": "{{saved_token}}"}
    assert query.query == [("access_token", "{{saved_token}}")] and "auth" not in query.extra
    assert "auth" not in code.extra
    (warning,) = imported.warnings
    assert "auth code: OAuth2 authorization_code needs a browser redirect" in warning
    save_import(imported, tmp_path / "c")
    assert load_collection(tmp_path / "c").errors == []
