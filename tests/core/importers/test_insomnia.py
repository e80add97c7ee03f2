"""Insomnia exports (format 4, JSON) and collections (format 5, YAML), written here."""

from __future__ import annotations

import json

import yaml

from streamdash.core.collections import load_collection
from streamdash.core.collections.environments import load_environments
from streamdash.core.collections.secret_values import load_secret_values
from streamdash.core.importers.detect import read_import
from streamdash.core.importers.save import save_import

V4 = {"_type": "export", "__export_format": 4, "__export_source": "insomnia.desktop.app:v2023.5.8", "resources": [
    {"_id": "wrk_1", "_type": "workspace", "name": "Billing"},
    {"_id": "env_base", "_type": "environment", "parentId": "wrk_1", "name": "Base Environment",
     "data": {"base_url": "https://billing.example.com"}},
    {"_id": "env_stg", "_type": "environment", "parentId": "env_base", "name": "Staging",
     "data": {"base_url": "https://stg.billing.example.com"}},
    {"_id": "env_me", "_type": "environment", "parentId": "env_base", "name": "Mine", "isPrivate": True,
     "data": {"region": "eu-west-1-private"}},
    {"_id": "fld_1", "_type": "request_group", "parentId": "wrk_1", "name": "Invoices"},
    {"_id": "fld_2", "_type": "request_group", "parentId": "fld_1", "name": "Drafts"},
    {"_id": "req_1", "_type": "request", "parentId": "fld_2", "name": "Create draft", "method": "POST",
     "url": "{{ _.base_url }}/invoices?draft=true",
     "body": {"mimeType": "application/json", "text": "{\"amount\": 10}"},
     "headers": [{"name": "X-Trace", "value": "1"}, {"name": "X-Off", "value": "1", "disabled": True}],
     "parameters": [{"name": "lang", "value": "en"}],
     "authentication": {"type": "bearer", "token": "ins-literal-token-42", "prefix": ""},
     "description": "Makes a draft."},
    {"_id": "req_2", "_type": "request", "parentId": "wrk_1", "name": "Chained", "method": "GET",
     "url": "{{ _.base_url }}/x", "headers": [{"name": "X-Id", "value": "{% response 'body', 'req_1', 'b64::JC5pZA==::46b', 'never', 60 %}"}],
     "authentication": {"type": "apikey", "key": "X-Key", "value": "{{ _.key }}", "addTo": "queryParams"}},
    {"_id": "grpc_1", "_type": "grpc_request", "parentId": "wrk_1", "name": "gRPC"},
]}

V5 = """
type: collection.insomnia.rest/5.0
name: Billing v5
meta:
  id: wrk_5
collection:
  - name: Invoices
    children:
      - url: "{{ _.base_url }}/invoices"
        name: List invoices
        method: GET
        parameters:
          - name: page
            value: "1"
        authentication:
          type: basic
          username: "{{ _.user }}"
          password: "{{ _.password }}"
  - url: "{{ _.base_url }}/health"
    name: Health
    method: GET
environments:
  name: Base Environment
  data:
    base_url: https://billing.example.com
  subEnvironments:
    - name: Prod
      data:
        base_url: https://api.billing.example.com
"""


def test_v4_export_with_nested_folders_environments_and_auth(tmp_path):
    path = tmp_path / "insomnia.json"
    path.write_text(json.dumps(V4))
    imported = read_import(path)
    assert imported.format == "Insomnia export (format 4)" and imported.name == "Billing"
    assert imported.variables == {"base_url": "https://billing.example.com"}
    assert imported.environments == {"Staging": {"base_url": "https://stg.billing.example.com"},
                                     "Mine": {"region": "eu-west-1-private"}}
    assert imported.secret_names == {"region"}
    draft = next(r for r in imported.requests if r.name == "Create draft")
    assert draft.group == ("Invoices", "Drafts")
    assert (draft.url, draft.query) == ("{{base_url}}/invoices", [("draft", "true"), ("lang", "en")])
    assert draft.headers == [("X-Trace", "1"), ("Content-Type", "application/json")]
    assert draft.extra["auth"] == {"type": "bearer", "token": "ins-literal-token-42"}
    chained = next(r for r in imported.requests if r.name == "Chained")
    assert ("X-Key", "{{key}}") in chained.query
    warnings = "\n".join(imported.warnings)
    assert "template tag" in warnings and "1 grpc requests are not imported" in warnings

    root = tmp_path / "c"
    save_import(imported, root)
    files = "\n".join(p.read_text() for p in root.rglob("*.toml") if p.name != ".secrets.toml")
    assert "ins-literal-token-42" not in files and "eu-west-1-private" not in files
    assert "ins-literal-token-42" in load_secret_values(root).values()
    assert sorted(load_environments(root)) == ["mine", "staging"]
    assert load_collection(root).errors == []


def test_v5_yaml_collection(tmp_path):
    path = tmp_path / "insomnia.yaml"
    path.write_text(V5)
    imported = read_import(path)
    assert imported.format == "Insomnia collection (format 5)" and imported.name == "Billing v5"
    assert [(r.group, r.name) for r in imported.requests] == [(("Invoices",), "List invoices"), ((), "Health")]
    listing = imported.requests[0]
    assert listing.query == [("page", "1")]
    assert listing.extra["auth"] == {"type": "basic", "username": "{{user}}", "password": "{{password}}"}
    assert imported.environments == {"Prod": {"base_url": "https://api.billing.example.com"}}
    assert yaml.safe_load(V5)["type"].startswith("collection.insomnia.rest/5")


# A collection as Insomnia 11 writes it (layout of a real export: `meta` with `sortKey` and, for a
# request, `description`; `settings` with followRedirects and cookies; a request not given a
# URL yet has no `url` key; a folder carries `authentication` and `headers`).
V5_AS_WRITTEN = """type: collection.insomnia.rest/5.0
name: contest
meta:
  id: wrk_8b
  created: 1741170332917
  modified: 1741170332917
collection:
  - name: user
    meta:
      id: fld_5a
      sortKey: -1741170344201
    authentication:
      type: bearer
      token: "{{ _.token }}"
    headers:
      - name: X-Team
        value: contest
    children:
      - url: "{{ _.base }}/bearer"
        name: who am i
        meta:
          id: req_c7
          sortKey: -1741170347108
          description: Checks the token.
        method: GET
        headers:
          - name: User-Agent
            value: insomnia/11.0.2
        settings:
          renderRequestBody: true
          encodeUrl: true
          followRedirects: "off"
          cookies:
            send: false
            store: true
          rebuildPath: true
      - name: draft
        meta:
          id: req_a5
          sortKey: -1741170376221
        method: GET
        authentication:
          type: none
environments:
  name: Base Environment
  meta:
    id: env_1
  data:
    token: insomnia-folder-token-1
"""


def test_an_insomnia_11_collection_as_written(tmp_path, httpbin):
    path = tmp_path / "contest.yaml"
    path.write_text(V5_AS_WRITTEN)
    imported = read_import(path)
    draft, whoami = imported.requests  # Insomnia's order: the lower sort key on top
    assert (draft.name, draft.url, draft.extra.get("auth")) == ("draft", "", None)
    assert whoami.description == "Checks the token."
    assert whoami.headers == [("X-Team", "contest"), ("User-Agent", "insomnia/11.0.2")]
    assert whoami.extra == {"auth": {"type": "bearer", "token": "{{token}}"}, "follow_redirects": False,
                            "cookies": False, "order": 2}
    assert imported.warnings == []
    root = tmp_path / "c"
    save_import(imported, root)
    assert load_collection(root).errors == []
    assert "insomnia-folder-token-1" not in "".join(p.read_text() for p in root.rglob("*.toml")
                                                   if p.name != ".secrets.toml")
    # The folder's token is what the request sends: httpbin's /bearer answers 200 only with one.
    from tests.commands.test_import_export import cli

    done = cli("run", root, "--var", f"base={httpbin.url}", "--format", "jsonl", "user/who am i")
    assert json.loads(done.stdout)["status"] == 200, done.stdout + done.stderr


def test_format_4_sort_keys_settings_and_folder_auth(tmp_path):
    export = {"_type": "export", "__export_format": 4, "resources": [
        {"_id": "wrk_1", "_type": "workspace", "name": "W"},
        {"_id": "fld_1", "_type": "request_group", "parentId": "wrk_1", "name": "Admin",
         "authentication": {"type": "basic", "username": "root", "password": "{{ _.pw }}"}},
        {"_id": "req_b", "_type": "request", "parentId": "fld_1", "name": "B second", "method": "GET",
         "url": "https://x.test/b", "metaSortKey": -100, "authentication": {},
         "settingFollowRedirects": "on", "settingSendCookies": True},
        {"_id": "req_a", "_type": "request", "parentId": "fld_1", "name": "A third", "method": "GET",
         "url": "https://x.test/a", "metaSortKey": -50, "authentication": {"type": "none"},
         "settingSendCookies": False},
        {"_id": "req_c", "_type": "request", "parentId": "fld_1", "name": "C first", "method": "GET",
         "url": "https://x.test/c", "metaSortKey": -200},
    ]}
    path = tmp_path / "w.json"
    path.write_text(json.dumps(export))
    requests = read_import(path).requests
    assert [r.name for r in requests] == ["C first", "B second", "A third"]
    c, b, a = requests
    assert c.extra["auth"] == b.extra["auth"] == {"type": "basic", "username": "root", "password": "{{pw}}"}
    assert "auth" not in a.extra and a.extra["cookies"] is False
    assert b.extra["follow_redirects"] is True and "cookies" not in b.extra


def test_insomnia_oauth2_password_grant(tmp_path):
    export = {"_type": "export", "__export_format": 4, "resources": [
        {"_id": "wrk_1", "_type": "workspace", "name": "W"},
        {"_id": "req_1", "_type": "request", "parentId": "wrk_1", "name": "Me", "method": "GET",
         "url": "https://x.test/me", "authentication": {
             "type": "oauth2", "grantType": "password", "accessTokenUrl": "https://auth.test/token",
             "clientId": "cli", "clientSecret": "", "username": "ada", "password": "{{ _.pw }}"}}]}
    path = tmp_path / "w.json"
    path.write_text(json.dumps(export))
    (request,) = read_import(path).requests
    assert request.extra["auth"] == {"type": "oauth2", "grant": "password", "token_url": "https://auth.test/token",
                                     "client_id": "cli", "client_secret": "", "username": "ada", "password": "{{pw}}"}
