"""Bruno collection folders and single .bru files, written here in Bruno's block format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from streamdash.core.collections import load_collection
from streamdash.core.collections.environments import load_environments
from streamdash.core.collections.secret_values import load_secret_values
from streamdash.core.importers.bruno import parse_bru
from streamdash.core.importers.detect import read_import
from streamdash.core.importers.model import ImportRefused
from streamdash.core.importers.save import save_import

CREATE = """meta {
  name: Create user
  type: http
  seq: 2
}

post {
  url: {{baseUrl}}/users?invite=true
  body: json
  auth: bearer
}

params:query {
  invite: true
  ~dry: 1
}

headers {
  X-Trace: abc
  ~X-Off: 1
}

auth:bearer {
  token: bru-literal-token-99
}

body:json {
  {
    "name": "Ada",
    "nested": {"a": 1}
  }
}

script:pre-request {
  req.setHeader("x", "y");
}

docs {
  Creates a user.
}
"""

LIST = """meta {
  name: List users
  type: http
  seq: 1
}

get {
  url: {{baseUrl}}/users
  body: none
  auth: basic
}

auth:basic {
  username: ada
  password: {{password}}
}
"""

GRAPHQL = """meta {
  name: Query
  type: graphql
  seq: 1
}

post {
  url: {{baseUrl}}/graphql
  body: graphql
  auth: none
}

body:graphql {
  { users { id } }
}

body:graphql:vars {
  {"first": 2}
}
"""

ENV = """vars {
  baseUrl: https://staging.users.example.com
  ~unused: x
}
vars:secret [
  password
]
"""


def bruno(root: Path) -> Path:
    (root / "users").mkdir(parents=True)
    (root / "environments").mkdir()
    (root / "bruno.json").write_text(json.dumps({"version": "1", "name": "Users API", "type": "collection"}))
    (root / "users" / "create.bru").write_text(CREATE)
    (root / "users" / "list.bru").write_text(LIST)
    (root / "graphql.bru").write_text(GRAPHQL)
    (root / "environments" / "staging.bru").write_text(ENV)
    return root


def test_a_collection_folder(tmp_path):
    imported = read_import(bruno(tmp_path / "bru"))
    assert imported.format == "Bruno collection" and imported.name == "Users API"
    assert [(r.group, r.name) for r in imported.requests] == [((), "Query"), (("users",), "List users"),
                                                              (("users",), "Create user")]
    create = imported.requests[2]
    assert (create.method, create.url, create.query) == ("POST", "{{baseUrl}}/users", [("invite", "true")])
    assert create.headers == [("X-Trace", "abc"), ("Content-Type", "application/json")]
    assert json.loads(create.body) == {"name": "Ada", "nested": {"a": 1}}
    assert create.extra["auth"] == {"type": "bearer", "token": "bru-literal-token-99"}
    assert create.description == "Creates a user."
    assert json.loads(imported.requests[0].body) == {"query": "{ users { id } }", "variables": {"first": 2}}
    assert imported.environments == {"staging": {"baseUrl": "https://staging.users.example.com"}}
    assert imported.secret_names == {"password"}
    assert any("script:pre-request block is not run" in w for w in imported.warnings)

    root = tmp_path / "c"
    save_import(imported, root)
    files = "\n".join(p.read_text() for p in root.rglob("*.toml") if p.name != ".secrets.toml")
    assert "bru-literal-token-99" not in files
    assert "bru-literal-token-99" in load_secret_values(root).values()
    assert list(load_environments(root)) == ["staging"] and load_collection(root).errors == []


def test_one_bru_file(tmp_path):
    path = tmp_path / "list.bru"
    path.write_text(LIST)
    imported = read_import(path)
    assert [(r.name, r.extra["auth"]["username"]) for r in imported.requests] == [("List users", "ada")]


@pytest.mark.parametrize(("text", "reason"), [
    ("meta {\n  name: x\n", "block 'meta' is not closed"),
    ("hello there\n", "not a .bru file: line 1"),
])
def test_a_broken_bru_file_is_one_line(text, reason):
    with pytest.raises(ImportRefused, match=reason):
        parse_bru(text, "x.bru")


def test_path_params_are_filled_as_bruno_sends_them(tmp_path):
    path = tmp_path / "one.bru"
    path.write_text("meta {\n  name: one\n  type: http\n}\n\nget {\n  url: {{baseUrl}}/users/:id\n}\n\n"
                    "params:path {\n  id: 7\n}\n")
    assert read_import(path).requests[0].url == "{{baseUrl}}/users/7"


# As in Bruno's own demo collection (usebruno/demo-ecommerce-api, Authentication/Login.bru).
LOGIN = """meta {
  name: Login
  type: http
  seq: 2
}

post {
  url: {{baseUrl}}/auth/login
  body: json
  auth: none
}

body:json {
  {
    "email": "test@example.com",
    "password": "password123"
  }
}

script:post-response {
  bru.setEnvVar("accessToken", res.body.token)
}

docs {
  Authenticate a user and receive a token
}
"""


def test_a_password_in_a_login_body_is_not_written_into_the_request_file(tmp_path):
    root = tmp_path / "bruno"
    (root / "Authentication").mkdir(parents=True)
    (root / "bruno.json").write_text('{"version": "1", "name": "E-commerce API", "type": "collection"}')
    (root / "Authentication" / "Login.bru").write_text(LOGIN)
    save_import(read_import(root), tmp_path / "c")
    request_file = (tmp_path / "c" / "Authentication" / "login.toml").read_text()
    assert "password123" not in request_file and '"password": "{{password}}"' in request_file
    assert '"email": "test@example.com"' in request_file
    assert load_secret_values(tmp_path / "c") == {"password": "password123"}
    assert load_collection(tmp_path / "c").errors == []


# Bruno's declarative parts (bruno-lang's own fixture request.bru has both blocks): values a
# request captures for the next ones, and assertions, map onto [capture], expect_status and
# [[check]]; what has no equivalent is named, never dropped without a word.
CHECKED = """meta {
  name: Create order
  type: http
  seq: 1
}

post {
  url: {{baseUrl}}/orders
  body: none
  auth: none
}

vars:post-response {
  orderId: $res.body.order.id
  firstItem: res.body.items[0].sku
  requestId: res.headers["x-request-id"]
  ~skipped: $res.body.skipped
  fromScript: res.getBody().id
}

assert {
  res.status: eq 201
  res.body.order.state: eq "open"
  res.body.order.total: eq 12.5
  res.body.tags: contains new
  res.body.order.id: isDefined
  res.body.error: isUndefined
  res.headers.content-type: contains json
  ~res.body.off: eq 1
  res.body.items: isArray
}
"""


def test_post_response_vars_and_asserts_become_captures_and_checks(tmp_path):
    path = tmp_path / "order.bru"
    path.write_text(CHECKED)
    imported = read_import(path)
    request = imported.requests[0]
    assert request.extra["capture"] == {
        "orderId": {"json": "order.id"}, "firstItem": {"json": "items.0.sku"},
        "requestId": {"header": "x-request-id"},
    }
    assert request.extra["expect_status"] == 201
    assert request.extra["check"] == [
        {"json": "order.state", "equals": "open"},
        {"json": "order.total", "equals": 12.5},
        {"json": "tags", "contains": "new"},
        {"json": "order.id", "exists": True},
        {"json": "error", "exists": False},
        {"header": "content-type", "contains": "json"},
    ]
    warnings = " | ".join(imported.warnings)
    assert "fromScript" in warnings and "res.body.items: isArray" in warnings
    assert "vars:post-response block" not in warnings and "assert block" not in warnings
    save_import(imported, tmp_path / "c")
    assert load_collection(tmp_path / "c").errors == []


def test_inherited_auth_and_headers_are_sent_as_bruno_sends_them(tmp_path, httpbin):
    root = tmp_path / "bruno"
    (root / "admin").mkdir(parents=True)
    (root / "bruno.json").write_text('{"version": "1", "name": "Inherit", "type": "collection"}')
    (root / "collection.bru").write_text(
        "headers {\n  X-Team: core\n  X-Env: {{env}}\n}\n\nauth {\n  mode: bearer\n}\n\n"
        "auth:bearer {\n  token: bruno-collection-token\n}\n")
    (root / "admin" / "folder.bru").write_text(
        "meta {\n  name: admin\n}\n\nheaders {\n  X-Team: admin\n}\n\nauth {\n  mode: basic\n}\n\n"
        "auth:basic {\n  username: root\n  password: bruno-folder-pw\n}\n")
    (root / "Who.bru").write_text("meta {\n  name: Who\n  seq: 1\n}\n\nget {\n  url: {{base}}/bearer\n  auth: inherit\n}\n")
    (root / "admin" / "Login.bru").write_text(
        "meta {\n  name: Login\n  seq: 1\n}\n\nget {\n  url: {{base}}/basic-auth/root/bruno-folder-pw\n"
        "  auth: inherit\n}\n\nheaders {\n  X-Env: stage\n}\n")
    (root / "admin" / "Open.bru").write_text(
        "meta {\n  name: Open\n  seq: 2\n}\n\nget {\n  url: {{base}}/headers\n  auth: none\n}\n")
    imported = read_import(root)
    who, login, open_ = sorted(imported.requests, key=lambda r: (r.group, r.extra["order"]))
    assert who.extra["auth"] == {"type": "bearer", "token": "bruno-collection-token"}
    assert who.headers == [("X-Team", "core"), ("X-Env", "{{env}}")]
    assert login.extra["auth"] == {"type": "basic", "username": "root", "password": "bruno-folder-pw"}
    assert login.headers == [("X-Team", "admin"), ("X-Env", "stage")]
    assert "auth" not in open_.extra
    assert imported.warnings == []
    into = tmp_path / "c"
    save_import(imported, into)
    files = "".join(p.read_text() for p in into.rglob("*.toml") if p.name != ".secrets.toml")
    assert "bruno-collection-token" not in files and "bruno-folder-pw" not in files.replace(
        "basic-auth/root/bruno-folder-pw", "")
    from tests.commands.test_import_export import cli

    done = cli("run", into, "--var", f"base={httpbin.url}", "--var", "env=dev", "--format", "jsonl")
    steps = {json.loads(line)["name"]: json.loads(line) for line in done.stdout.splitlines()}
    assert steps["Who"]["status"] == 200 and steps["Login"]["status"] == 200, done.stdout + done.stderr
