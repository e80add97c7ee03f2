"""`tail --record`, `--latency-field` and `--assemble` end to end against real servers."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime

import pytest

from streamdash.core.recording import RecordedItem, read_recording
from tests.commands.test_tail import tail
from tests.helpers.raw_server import Conn


def test_record_keeps_events_and_the_reconnect(raw_server, tmp_path):
    async def handler(conn: Conn) -> None:
        await conn.start()
        if conn.index == 0:
            await conn.send(b"retry: 20\nid: 1\ndata: a\n\nid: 2\ndata: b\n\n")
            await asyncio.sleep(0.02)
            conn.drop()
            return
        await conn.send(b"id: 3\ndata: c\n\n")
        await asyncio.sleep(5)

    raw_server.handler = handler
    recording = tmp_path / "rec.jsonl"
    result = tail(raw_server.url, "--record", str(recording), "--count", "3", "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    printed = [json.loads(line) for line in result.stdout.splitlines()]
    items = [i for i in read_recording(recording) if isinstance(i, RecordedItem)]
    events = [(i.event, i.id, i.data) for i in items if i.kind == "event"]
    assert events == [(p["event"], p["id"], p["data"]) for p in printed] == [
        ("message", "1", "a"), ("message", "2", "b"), ("message", "3", "c")]
    states = [(i.state, i.last_event_id) for i in items if i.kind == "state"]
    assert ("backoff", "2") in states and states.count(("open", "2")) == 1


def test_latency_from_a_send_time_field(raw_server):
    async def handler(conn: Conn) -> None:
        await conn.start()
        for i in range(3):
            sent = datetime.fromtimestamp(time.time() - 0.25, UTC).isoformat()
            await conn.send(f'data: {{"n": {i}, "meta": {{"sent": "{sent}"}}}}\n\n'.encode())
        await conn.send(b'data: {"n": 9}\n\n')
        await conn.end()

    raw_server.handler = handler
    result = tail(raw_server.url, "--no-reconnect", "--format", "jsonl", "--latency-field", "meta.sent")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["latency_ms"] is not None for r in rows] == [True, True, True, False]
    assert all(200 <= r["latency_ms"] < 5000 for r in rows[:3])


def test_assemble_an_llm_token_stream(raw_server):
    tokens = ["Hel", "lo", ", wor", "ld", "!"]

    async def handler(conn: Conn) -> None:
        assert conn.request.method == "POST" and json.loads(conn.request.body)["stream"] is True
        await conn.start()
        await conn.send(b'data: {"choices": [{"delta": {"role": "assistant"}}]}\n\n', pause=0.02)
        for token in tokens:
            chunk = {"choices": [{"delta": {"content": token}}]}
            await conn.send(f"data: {json.dumps(chunk)}\n\n".encode(), pause=0.02)
        await conn.send(b"data: [DONE]\n\n")
        await conn.end()

    raw_server.handler = handler
    result = tail(raw_server.url, "-d", '{"model": "m", "stream": true}', "--no-reconnect",
                  "--assemble", "choices.0.delta.content")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Hello, world!\n"
    assert "5 tokens" in result.stderr and "tokens/s" in result.stderr


def test_silence_alarm_on_stderr_once_per_silence(raw_server):
    async def handler(conn: Conn) -> None:
        await conn.start()
        await conn.send(b"id: 1\ndata: a\n\n")
        await asyncio.sleep(1.0)  # silent: no event, no heartbeat
        await conn.send(b": ping\n\nid: 2\ndata: b\n\n")
        await conn.end()

    raw_server.handler = handler
    result = tail(raw_server.url, "--no-reconnect", "--silence-alarm", "0.4")
    assert result.returncode == 0, result.stderr
    alarms = [line for line in result.stderr.splitlines() if "nothing received for" in line]
    assert len(alarms) == 1 and alarms[0].endswith("while open")
    assert result.stdout.count("\n") == 2

    quiet = tail(raw_server.url, "--no-reconnect", "--silence-alarm", "0")
    assert "nothing received" not in quiet.stderr


def _answer_handler(finish: str):
    """An OpenAI-shaped answer, then the server closes; each request would be a billed call."""

    async def handler(conn: Conn) -> None:
        await conn.start()
        for token in ("The ", "answer."):
            chunk = {"choices": [{"index": 0, "delta": {"content": token}, "finish_reason": None}]}
            await conn.send(f"data: {json.dumps(chunk)}\n\n".encode())
        if finish == "[DONE]":
            await conn.send(b"data: [DONE]\n\n")
        elif finish == "message_stop":
            await conn.send(b'event: message_stop\ndata: {"type": "message_stop"}\n\n')
        else:
            done = {"choices": [{"index": 0, "delta": {}, "finish_reason": finish}]}
            await conn.send(f"data: {json.dumps(done)}\n\n".encode())
        await asyncio.sleep(0.02)
        await conn.end()

    return handler


@pytest.mark.parametrize("finish", ["[DONE]", "stop", "message_stop"])
def test_assemble_stops_once_the_answer_is_complete(raw_server, finish):
    """Before: `tail --assemble` on a POST stream re-sent the prompt after every [DONE],
    forever. Now the complete answer and the server's close end it, exit 0, one request."""
    raw_server.handler = _answer_handler(finish)
    result = tail(raw_server.url, "-d", '{"prompt": "hi"}', "--assemble", "choices.0.delta.content",
                  timeout=20)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "The answer.\n"
    assert raw_server.connections == 1
    assert "not reconnecting" in result.stderr


def test_reconnect_after_answer_when_asked(raw_server):
    raw_server.handler = _answer_handler("[DONE]")
    result = tail(raw_server.url, "-d", "{}", "--assemble", "choices.0.delta.content",
                  "--reconnect-after-answer", "--duration", "3", timeout=20)
    assert result.returncode == 0, result.stderr
    assert raw_server.connections >= 2  # as a plain stream: reconnects and sends its body again
    assert all(r.body == b"{}" for r in raw_server.requests)


def _filling_handler(big: int = 8 << 10):
    """Three small events, then events of `big` bytes until the client goes away."""

    async def handler(conn: Conn) -> None:
        await conn.start()
        for i in range(3):
            await conn.send(f"id: {i}\ndata: small {i}\n\n".encode(), pause=0.05)
        for i in range(3, 10_000):
            await conn.send(f"id: {i}\ndata: {'x' * big}\n\n".encode(), pause=0.002)

    return handler


def _assert_recording_named(result, path) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if not line.startswith("streamdash: connected")]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"streamdash tail: cannot record to {path}: "), result.stderr
    assert "output" not in lines[0]
    printed = [json.loads(line) for line in result.stdout.splitlines()]  # every line whole
    assert [p["id"] for p in printed] == [str(i) for i in range(len(printed))]
    assert len(printed) >= 3
    assert result.stdout.endswith("\n")


def _mount_tmpfs(where) -> bool:
    import subprocess

    where.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(where)],
                          capture_output=True)
    return done.returncode == 0


def test_a_full_disk_during_record_names_the_recording_not_output(raw_server, tmp_path):
    import subprocess

    disk = tmp_path / "tiny"
    if not _mount_tmpfs(disk):
        pytest.skip("cannot mount a 64 KiB tmpfs here (needs root)")
    try:
        raw_server.handler = _filling_handler()
        recording = disk / "rec.jsonl"
        result = tail(raw_server.url, "--record", str(recording), "--format", "jsonl", timeout=60)
        _assert_recording_named(result, recording)
        assert "No space left on device" in result.stderr
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_a_write_limit_during_record_names_the_recording(raw_server, tmp_path):
    """The same path without root: RLIMIT_FSIZE makes a write past 64 KiB fail (EFBIG)."""
    import resource
    import signal

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 << 10, 64 << 10))

    raw_server.handler = _filling_handler()
    recording = tmp_path / "rec.jsonl"
    result = tail(raw_server.url, "--record", str(recording), "--format", "jsonl", timeout=60,
                  preexec_fn=limit)
    _assert_recording_named(result, recording)


def test_record_to_dev_full_is_one_line_naming_it(raw_server):
    from pathlib import Path

    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    raw_server.handler = _filling_handler()
    result = tail(raw_server.url, "--record", "/dev/full", "--format", "jsonl")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.splitlines() == ["streamdash tail: cannot record to /dev/full: No space left on device"]
