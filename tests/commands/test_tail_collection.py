"""`streamdash tail --collection DIR REQUEST`: a saved stream, prepared as the dashboard prepares
it, tailed headless. Real subprocesses against scripted servers on 127.0.0.1 that record what
they were sent."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.raw_server import Conn, RawServer

CLI = [sys.executable, "-m", "streamdash"]
TOKEN = "s3cr3t-tail-token-0123"


def tail(*args: str, env: dict | None = None, timeout: float = 20) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SD_TAIL_")}
    return subprocess.run(
        [*CLI, "tail", *args], capture_output=True, text=True, timeout=timeout,
        env={**environ, **(env or {})},
    )


def guarded(expected_auth: str):
    """401 without the bearer token; with it, two events then a clean end."""

    async def handler(conn: Conn) -> None:
        if conn.request.header("Authorization") != expected_auth:
            await conn.start(401, content_type="text/plain", reason="Unauthorized")
            await conn.end()
            return
        await conn.start()
        start = int(conn.request.header("Last-Event-ID") or 0)
        await conn.send(f"id: {start + 1}\ndata: a\n\nid: {start + 2}\ndata: b\n\n".encode())
        await asyncio.sleep(0.02)
        await conn.end()

    return handler


@pytest.fixture
def servers():
    a, b = RawServer().start(), RawServer().start()
    a.handler = guarded(f"Bearer {TOKEN}")
    b.handler = guarded(f"Bearer {TOKEN}")
    try:
        yield a, b
    finally:
        a.stop()
        b.stop()


@pytest.fixture
def collection(tmp_path: Path, servers) -> Path:
    a, b = servers
    root = tmp_path / "coll"
    (root / "streams").mkdir(parents=True)
    (root / "env").mkdir()
    (root / "collection.toml").write_text(
        f'name = "c"\n[variables]\nbase_url = "{a.url}"\nteam = "core"\n'
        '[auth]\ntype = "bearer"\ntoken = "{{env:SD_TAIL_TOKEN}}"\n'
    )
    (root / "env" / "other.toml").write_text(f'[variables]\nbase_url = "{b.url}"\nteam = "edge"\n')
    (root / "streams" / "feed.toml").write_text(
        'name = "feed"\nkind = "sse"\nurl = "{{base_url}}/feed"\n'
        '[headers]\nX-Team = "{{team}}"\n[stream]\nlast_event_id = "40"\n'
    )
    (root / "streams" / "missing.toml").write_text(
        'name = "missing"\nkind = "sse"\nurl = "{{base_url}}/feed/{{nowhere}}"\n'
    )
    (root / "items.toml").write_text('name = "items"\nurl = "{{base_url}}/items"\n')
    return root


def test_reaches_a_server_that_needs_the_collection_bearer_token(collection, servers):
    a, b = servers
    result = tail("--collection", str(collection), "streams/feed", "--count", "2", "--format", "jsonl",
                  env={"SD_TAIL_TOKEN": TOKEN})
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["data"] for line in result.stdout.splitlines()] == ["a", "b"]
    (sent,) = a.requests
    assert sent.target == "/feed"
    assert sent.header("Authorization") == f"Bearer {TOKEN}"
    assert sent.header("X-Team") == "core"
    assert sent.header("Last-Event-ID") == "40"  # the saved [stream] resume point
    assert sent.header("Accept") == "text/event-stream"
    assert b.requests == []
    assert TOKEN not in result.stderr  # diagnostics never print the secret


def test_env_reaches_the_other_environment_server(collection, servers):
    a, b = servers
    result = tail("--collection", str(collection), "feed", "--env", "other", "--count", "1",
                  env={"SD_TAIL_TOKEN": TOKEN})
    assert result.returncode == 0, result.stderr
    assert a.requests == []
    (sent,) = b.requests
    assert sent.header("X-Team") == "edge" and sent.header("Authorization") == f"Bearer {TOKEN}"


def test_command_line_headers_add_to_the_saved_ones_and_flags_win(collection, servers):
    a, _ = servers
    result = tail("--collection", str(collection), "streams/feed", "-H", "X-Extra: 1",
                  "--last-event-id", "7", "--count", "1", env={"SD_TAIL_TOKEN": TOKEN})
    assert result.returncode == 0, result.stderr
    (sent,) = a.requests
    assert sent.header("X-Team") == "core" and sent.header("X-Extra") == "1"
    assert sent.header("Last-Event-ID") == "7"


def test_an_unset_secret_is_one_line_naming_it_exit_2(collection, servers):
    a, _ = servers
    result = tail("--collection", str(collection), "streams/feed", "--count", "1")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "SD_TAIL_TOKEN" in lines[0] and "Traceback" not in result.stderr
    assert a.requests == []  # nothing was sent


def test_an_unresolved_variable_is_one_line_naming_it_exit_2(collection, servers):
    result = tail("--collection", str(collection), "missing", env={"SD_TAIL_TOKEN": TOKEN})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "'nowhere'" in lines[0]


@pytest.mark.parametrize(
    ("name", "needle"),
    [("items", "REST request"), ("nope", "unknown request 'nope'")],
)
def test_not_a_saved_stream_is_a_usage_error(collection, name, needle):
    result = tail("--collection", str(collection), name, env={"SD_TAIL_TOKEN": TOKEN})
    assert result.returncode == 2 and needle in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_refused_token_fails_with_one_line_exit_1(collection, servers):
    result = tail("--collection", str(collection), "feed", env={"SD_TAIL_TOKEN": "wrong"})
    assert result.returncode == 1
    failures = [line for line in result.stderr.splitlines() if "failed" in line]
    assert failures == ["streamdash: failed: HTTP 401 Unauthorized"], result.stderr


def test_no_such_collection_folder_is_exit_2(tmp_path):
    result = tail("--collection", str(tmp_path / "none"), "feed")
    assert result.returncode == 2 and "collection folder not found" in result.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are a POSIX thing")
def test_a_hostile_collection_tails_its_good_stream_and_names_each_skipped_file(tmp_path, servers):
    from tests.core.collections.test_storage import hostile_collection

    a, _ = servers

    async def two_events(conn: Conn) -> None:
        await conn.start()
        await conn.send(b"id: 1\ndata: a\n\nid: 2\ndata: b\n\n")
        await asyncio.sleep(0.02)
        await conn.end()

    a.handler = two_events
    root = tmp_path / "hostile"
    bad = hostile_collection(root)
    (root / "feed.toml").write_text(f'name = "feed"\nkind = "sse"\nurl = "{a.url}/feed"\n')
    result = tail("--collection", str(root), "feed", "--count", "2", "--format", "jsonl")
    assert result.returncode == 0, result.stderr  # the FIFO once hung the load for ever
    assert [json.loads(line)["data"] for line in result.stdout.splitlines()] == ["a", "b"]
    skipped = [line for line in result.stderr.splitlines() if line.startswith("streamdash tail: skipped ")]
    assert sorted(line.split(": ")[1].removeprefix("skipped ") for line in skipped) == sorted(
        str(path) for path in bad.values())
