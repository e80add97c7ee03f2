"""`streamdash tail --until EXPR` (issue 11 item 6): exit 3 on the first event the dashboard's
filter expression matches, after printing it; for scripts and CI that wait for something."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.raw_server import Conn

CLI = [sys.executable, "-m", "streamdash"]
LOGS = [
    {"level": "info", "msg": "starting"},
    {"level": "warn", "msg": "slow disk"},
    {"level": "error", "msg": "disk full"},
    {"level": "info", "msg": "after the error"},
]


def tail(*args: str, timeout: float = 20) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, "tail", *args], capture_output=True, text=True, timeout=timeout)


def log_stream(records: list[dict], *, hold: float = 30.0, pause: float = 0.0):
    """Send these JSON events (ids 1, 2...), then keep the stream open for `hold` seconds: a
    tail that waits for the server to end, rather than stopping at the match, times out."""

    async def handler(conn: Conn) -> None:
        await conn.start()
        for n, record in enumerate(records, 1):
            await conn.send(f"id: {n}\nevent: log\ndata: {json.dumps(record)}\n\n".encode(), pause)
        await asyncio.sleep(hold)
        await conn.end()

    return handler


def ids(stdout: str) -> list[str]:
    return [json.loads(line)["id"] for line in stdout.splitlines()]


def test_exits_3_after_printing_the_first_match_and_nothing_after(raw_server):
    raw_server.handler = log_stream(LOGS)
    result = tail(raw_server.url, "--format", "jsonl", "--until", "level=error", timeout=10)
    assert result.returncode == 3, result.stderr
    assert ids(result.stdout) == ["1", "2", "3"]
    assert json.loads(result.stdout.splitlines()[-1])["data"] == json.dumps(LOGS[2])
    assert "Traceback" not in result.stderr


def test_text_format_prints_the_match_last(raw_server):
    raw_server.handler = log_stream(LOGS)
    result = tail(raw_server.url, "--until", 'msg~"disk full"', "--quiet", timeout=10)
    assert result.returncode == 3, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 3 and "disk full" in lines[-1] and "after the error" not in result.stdout
    assert result.stderr == ""  # --quiet: a match is not a failure


def test_the_match_may_come_in_a_later_read(raw_server):
    """Each event its own network read: the match is found in whichever batch it lands."""
    raw_server.handler = log_stream(LOGS, pause=0.05)
    result = tail(raw_server.url, "--format", "jsonl", "--until", "id:3 or level=fatal", timeout=10)
    assert result.returncode == 3, result.stderr
    assert ids(result.stdout) == ["1", "2", "3"]


def test_says_on_stderr_what_matched(raw_server):
    raw_server.handler = log_stream(LOGS)
    result = tail(raw_server.url, "--until", "level=error", timeout=10)
    assert result.returncode == 3
    said = [line for line in result.stderr.splitlines() if "--until" in line]
    assert said == ["streamdash: event id 3 matched --until 'level=error'; exit 3"]


def test_no_match_leaves_the_other_ends_as_they_were(raw_server):
    raw_server.handler = log_stream(LOGS, hold=0.05)
    ended = tail(raw_server.url, "--format", "jsonl", "--until", "level=fatal", "--no-reconnect")
    assert ended.returncode == 0, ended.stderr
    assert ids(ended.stdout) == ["1", "2", "3", "4"]
    counted = tail(raw_server.url, "--format", "jsonl", "--until", "level=fatal", "--count", "2")
    assert counted.returncode == 0, counted.stderr
    assert ids(counted.stdout) == ["1", "2"]
    raw_server.handler = log_stream(LOGS)
    timed = tail(raw_server.url, "--format", "jsonl", "--until", "level=fatal", "--duration", "0.5")
    assert timed.returncode == 0, timed.stderr
    assert ids(timed.stdout) == ["1", "2", "3", "4"]


@pytest.mark.parametrize("count,code,printed", [("2", 0, ["1", "2"]), ("3", 3, ["1", "2", "3"])])
def test_count_and_until_whichever_comes_first(raw_server, count, code, printed):
    """At the same event the match wins: a script asked to know that it happened."""
    raw_server.handler = log_stream(LOGS)
    result = tail(raw_server.url, "--format", "jsonl", "--until", "level=error", "--count", count,
                  timeout=10)
    assert result.returncode == code, result.stderr
    assert ids(result.stdout) == printed


def test_hidden_heartbeats_are_not_matched(raw_server):
    async def handler(conn: Conn) -> None:
        await conn.start()
        await conn.send(b'id: 1\nevent: ping\ndata: {"level": "error"}\n\n')
        await conn.send(b'id: 2\ndata: {"level": "error"}\n\n')
        await asyncio.sleep(30)

    raw_server.handler = handler
    result = tail(raw_server.url, "--format", "jsonl", "--hide-heartbeats", "--until", "level=error",
                  timeout=10)
    assert result.returncode == 3, result.stderr
    assert ids(result.stdout) == ["2"]


@pytest.mark.parametrize(
    "expr,problem",
    [
        ("/disk", "unclosed regex at column 1"),
        ('msg~"full', "unclosed quote at column 5"),
        ("level=", "missing value after '=' at column 7"),
    ],
)
def test_a_bad_expression_is_a_one_line_usage_error(raw_server, expr, problem):
    raw_server.handler = log_stream(LOGS)
    result = tail(raw_server.url, "--until", expr, timeout=10)
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("streamdash tail: argument --until:") and problem in line, line
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert raw_server.requests == []  # refused before any request is sent


def test_a_saved_stream_of_a_collection(raw_server, tmp_path: Path):
    root = tmp_path / "c"
    (root / "ops").mkdir(parents=True)
    (root / "ops" / "logs.toml").write_text(
        f'name = "logs"\nkind = "sse"\nurl = "{raw_server.url}/logs"\n'
    )
    raw_server.handler = log_stream(LOGS)
    result = tail("--collection", str(root), "ops/logs", "--format", "jsonl",
                  "--until", "stream:logs type:log level=warn", timeout=10)
    assert result.returncode == 3, result.stderr
    assert ids(result.stdout) == ["1", "2"]


def test_assembled_text_up_to_the_matching_event(raw_server):
    async def handler(conn: Conn) -> None:
        await conn.start()
        for token in ("The ", "build ", "FAILED", " at step 3"):
            chunk = {"choices": [{"delta": {"content": token}}]}
            await conn.send(f"data: {json.dumps(chunk)}\n\n".encode(), 0.02)
        await asyncio.sleep(30)

    raw_server.handler = handler
    result = tail(raw_server.url, "--assemble", "choices.0.delta.content",
                  "--until", "choices.0.delta.content~failed", "--quiet", timeout=10)
    assert result.returncode == 3, result.stderr
    assert result.stdout == "The build FAILED\n"


def test_the_recording_ends_with_the_match(raw_server, tmp_path: Path):
    raw_server.handler = log_stream(LOGS)
    record = tmp_path / "rec.jsonl"
    result = tail(raw_server.url, "--record", str(record), "--until", "level=error", "--quiet",
                  timeout=10)
    assert result.returncode == 3, result.stderr
    lines = [json.loads(line) for line in record.read_text().splitlines()]
    events = [line for line in lines if line.get("kind") == "event"]
    assert [e["id"] for e in events] == ["1", "2", "3"]


def test_help_documents_the_flag_and_exit_code():
    result = subprocess.run([*CLI, "tail", "--help"], capture_output=True, text=True, timeout=20)
    text = " ".join(result.stdout.split())
    assert "--until EXPR" in text
    assert "3 an event matched --until" in text


@pytest.mark.parametrize("expr", ["", "   "])
def test_an_empty_expression_is_refused_not_matched_by_every_event(raw_server, expr):
    """`--until "$PATTERN"` with the variable unset must not exit 3 at the first event."""
    raw_server.handler = log_stream(LOGS)
    result = tail(raw_server.url, "--until", expr, timeout=10)
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert "argument --until: empty filter" in line and result.stdout == ""
    assert raw_server.requests == []
