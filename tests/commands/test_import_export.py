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
