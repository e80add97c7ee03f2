"""`streamdash tail` with issue 10's stream flags: `--oversize` (rule 34) and typed heartbeats
(`--heartbeat-event`, `--hide-heartbeats`), typed and from a saved `[stream]` table."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.raw_server import Conn

CLI = [sys.executable, "-m", "streamdash"]
BIG = b"id: 1\ndata: a\n\nid: 2\ndata: " + b"x" * 5000 + b"\n\nid: 3\ndata: c\n\n"
BEATS = (b"event: ping\ndata: {}\n\nevent: heartbeat\ndata: 1\n\n"
         b"id: 1\ndata: news\n\nevent: keepalive\ndata: k\n\n")


def tail(*args: str, timeout: float = 20) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, "tail", *args], capture_output=True, text=True, timeout=timeout)


def sends(body: bytes):
    async def handler(conn: Conn) -> None:
        await conn.start()
        await conn.send(body)
        await asyncio.sleep(0.02)
        await conn.end()

    return handler


def types(stdout: str) -> list[str]:
    return [json.loads(line)["event"] for line in stdout.splitlines()]


def test_oversized_event_fails_after_printing_what_came_before(raw_server):
    raw_server.handler = sends(BIG)
    result = tail(raw_server.url, "--max-event-bytes", "1000", "--format", "jsonl", "--quiet")
    assert result.returncode == 1
    assert [json.loads(line)["data"] for line in result.stdout.splitlines()] == ["a"]
    (reason,) = result.stderr.splitlines()
    assert "1,000 bytes cap" in reason and "--max-event-bytes" in reason and "Traceback" not in reason


def test_oversize_skip_reports_once_on_stderr_and_goes_on(raw_server):
    raw_server.handler = sends(BIG)
    result = tail(raw_server.url, "--max-event-bytes", "1000", "--oversize", "skip",
                  "--no-reconnect", "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["data"] for line in result.stdout.splitlines()] == ["a", "c"]
    skipped = [line for line in result.stderr.splitlines() if "skipped" in line]
    assert skipped == ["streamdash: skipped an event of 5,011 bytes (id 2): over the 1,000 bytes "
                       "cap (max_event_bytes)"]


def test_typed_heartbeats_are_printed_unless_hidden(raw_server):
    raw_server.handler = sends(BEATS)
    shown = tail(raw_server.url, "--no-reconnect", "--format", "jsonl", "--quiet")
    assert types(shown.stdout) == ["ping", "heartbeat", "message", "keepalive"]  # the contract
    hidden = tail(raw_server.url, "--no-reconnect", "--format", "jsonl", "--hide-heartbeats")
    assert types(hidden.stdout) == ["message", "keepalive"]


@pytest.mark.parametrize(
    "flags,printed",
    [
        (["--heartbeat-event", "keepalive"], ["ping", "heartbeat", "message"]),
        (["--heartbeat-event", "keepalive", "--heartbeat-event", "ping"], ["heartbeat", "message"]),
        (["--heartbeat-event", ""], ["ping", "heartbeat", "message", "keepalive"]),  # none
    ],
)
def test_heartbeat_event_replaces_the_default_set(raw_server, flags, printed):
    raw_server.handler = sends(BEATS)
    result = tail(raw_server.url, "--no-reconnect", "--format", "jsonl", "--hide-heartbeats", *flags)
    assert result.returncode == 0, result.stderr
    assert types(result.stdout) == printed


def test_count_counts_the_printed_events_when_heartbeats_are_hidden(raw_server):
    raw_server.handler = sends(BEATS + b"data: last\n\n")
    result = tail(raw_server.url, "--format", "jsonl", "--hide-heartbeats", "--count", "2")
    assert result.returncode == 0, result.stderr
    assert types(result.stdout) == ["message", "keepalive"]


def test_saved_stream_table_sets_them_and_flags_win(raw_server, tmp_path: Path):
    root = tmp_path / "c"
    root.mkdir()
    (root / "feed.toml").write_text(
        f'name = "feed"\nkind = "sse"\nurl = "{raw_server.url}/s"\n\n[stream]\n'
        'max_event_bytes = 1000\noversize = "skip"\nheartbeat_events = ["keepalive"]\nreconnect = false\n'
    )
    raw_server.handler = sends(BEATS + BIG)
    saved = tail("--collection", str(root), "feed", "--format", "jsonl", "--hide-heartbeats")
    assert saved.returncode == 0, saved.stderr
    assert types(saved.stdout) == ["ping", "heartbeat", "message", "message", "message"]
    assert "skipped an event of 5,011 bytes" in saved.stderr
    flags = tail("--collection", str(root), "feed", "--format", "jsonl", "--oversize", "fail",
                 "--heartbeat-event", "ping", "--hide-heartbeats")
    assert flags.returncode == 1
    assert types(flags.stdout) == ["heartbeat", "message", "keepalive", "message"]
