"""`streamdash import` and `streamdash export` as a person runs them: the real command in a
subprocess, on files written here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.core.importers.test_postman import COLLECTION, ENVIRONMENT

CLI = "import sys; from streamdash.cli import main; sys.exit(main(sys.argv[1:]))"


def cli(*args: str | Path, env: dict | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", CLI, *map(str, args)], capture_output=True, text=True,
                          timeout=60, env=env)


def test_import_a_postman_collection_and_environment_then_export_it(tmp_path):
    source = tmp_path / "shop.postman_collection.json"
    source.write_text(json.dumps(COLLECTION))
    env = tmp_path / "staging.postman_environment.json"
    env.write_text(json.dumps(ENVIRONMENT))
    into = tmp_path / "shop"
    done = cli("import", source, "--into", into)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"imported 6 requests, 1 collection variable into {into}; ")
    assert "moved to .secrets.toml (git-ignored)" in done.stdout and "(read as: Postman collection)" in done.stdout
    assert "streamdash import: Hawk: hawk auth is not imported" in done.stderr
    second = cli("import", env, "--into", into)
    assert second.returncode == 0 and "1 environment (staging-eu)" in second.stdout

    listed = cli("run", into, "--env", "staging-eu", "--format", "jsonl", "Items/List items")
    assert "staging.shop.example.com" in listed.stdout  # the imported requests run (and fail: no such host)

    exported = cli("export", into, "--to", "postman")
    assert exported.returncode == 0
    assert {i["name"] for i in json.loads(exported.stdout)["item"]} >= {"Items", "Login (basic)"}
    assert "hunter2-literal" not in exported.stdout  # the secrets file's values never leave
    http = tmp_path / "shop.http"
    assert cli("export", into, "--to", "http", "-o", http).returncode == 0
    assert "### Items/List items" in http.read_text()


def test_a_file_no_importer_reads_is_exit_2_with_one_line(tmp_path):
    path = tmp_path / "notes.json"
    path.write_text('{"hello": "world"}')
    done = cli("import", path, "--into", tmp_path / "c")
    assert done.returncode == 2
    assert done.stderr.startswith(f"streamdash import: {path}: not a file streamdash can import (it reads: Postman")
    assert len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "c").exists()  # nothing half-made


def test_the_default_target_is_the_default_collection(tmp_path):
    import os

    source = tmp_path / "shop.json"
    source.write_text(json.dumps(COLLECTION))
    env = {**os.environ, "STREAMDASH_DATA_DIR": str(tmp_path / "data")}
    done = cli("import", source, env=env)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "data" / "collections" / "default" / "Items" / "list-items.toml").is_file()


def test_a_bruno_folder_with_captures_and_asserts_runs_against_httpbin(tmp_path, httpbin):
    """Imported, its asserts pass and fail as Bruno's would, and a captured value reaches the
    next request (httpbin echoes what it was sent). The requests run in Bruno's seq order, not
    by name: "Place order" (seq 1) captures what "Fetch order" (seq 2) needs."""
    root = tmp_path / "bruno"
    root.mkdir()
    (root / "bruno.json").write_text('{"version": "1", "name": "Echo", "type": "collection"}')
    (root / "Place order.bru").write_text(
        "meta {\n  name: Place order\n  seq: 1\n}\n\npost {\n  url: {{base}}/anything\n  body: json\n}\n\n"
        'body:json {\n  {"order": {"id": "ord-77", "state": "open"}}\n}\n\n'
        "vars:post-response {\n  orderId: res.body.json.order.id\n}\n\n"
        'assert {\n  res.status: eq 200\n  res.body.json.order.state: eq "open"\n'
        "  res.headers.content-type: contains json\n}\n")
    (root / "Fetch order.bru").write_text(
        "meta {\n  name: Fetch order\n  seq: 2\n}\n\nget {\n  url: {{base}}/anything/{{orderId}}\n}\n\n"
        "assert {\n  res.body.url: contains ord-77\n  res.body.method: eq POST\n}\n")
    (root / "environments").mkdir()
    (root / "environments" / "local.bru").write_text(f"vars {{\n  base: {httpbin.url}\n}}\n")
    into = tmp_path / "echo"
    assert cli("import", root, "--into", into).returncode == 0
    done = cli("run", into, "--env", "local", "--format", "jsonl")
    steps = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(s["name"], s["passed"]) for s in steps] == [("Place order", True), ("Fetch order", False)], done.stdout
    create, read = steps
    assert [c["name"] for c in create["checks"]] == [
        "status 200", 'json json.order.state == "open"', 'header content-type contains "json"']
    assert create["captured"] == ["orderId"] and read["url"].endswith("/anything/ord-77")
    assert [(c["name"], c["passed"]) for c in read["checks"]] == [
        ("status < 400", True), ('json url contains "ord-77"', True), ('json method == "POST"', False)]  # it was a GET
    assert done.returncode == 1


def test_a_http_file_imports_from_the_command_line_as_in_the_app(tmp_path, httpbin):
    # The app's "Import a .http file" and `streamdash import` are one path (the command line
    # refused .http files before).
    http = tmp_path / "api.http"
    http.write_text(f"@base = {httpbin.url}\n@api_token = http-cli-token-77\n\n"
                    "### Who\nGET {{base}}/bearer\nAuthorization: Bearer {{api_token}}\n\n"
                    "### Basic\nGET {{base}}/basic-auth/ada/pw\nAuthorization: Basic ada pw\n")
    into = tmp_path / "c"
    done = cli("import", http, "--into", into)
    assert done.returncode == 0, done.stderr
    assert "(read as: .http file)" in done.stdout and "1 environment (api)" in done.stdout
    assert "http-cli-token-77" not in "".join(p.read_text() for p in into.rglob("*.toml") if p.name != ".secrets.toml")
    ran = cli("run", into, "--env", "api", "--format", "jsonl")
    assert [json.loads(line)["status"] for line in ran.stdout.splitlines()] == [200, 200], ran.stdout + ran.stderr
