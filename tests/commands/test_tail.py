"""`streamdash tail` end to end: a real subprocess against a real server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import pty
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from tests.helpers.raw_server import Conn, RawServer

CLI = [sys.executable, "-m", "streamdash"]


def tail(*args: str, timeout: float = 20, env: dict | None = None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*CLI, "tail", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        **kw,
    )


def handler_for(*bodies: bytes, end: str = "clean", status: int = 200, content_type="text/event-stream"):
    async def handler(conn: Conn) -> None:
        await conn.start(status, content_type=content_type)
        await conn.send(bodies[min(conn.index, len(bodies) - 1)])
        await asyncio.sleep(0.02)
        if end == "drop":
            conn.drop()
        elif end == "hang":
            await asyncio.sleep(30)
        else:
            await conn.end()

    return handler


def assert_one_line_reason(stderr: str, *needles: str) -> None:
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if not line.startswith("streamdash: connected")]
    assert len(lines) == 1, stderr
    for needle in needles:
        assert needle in lines[0], stderr


def test_jsonl_format_keys_and_ids(raw_server: RawServer):
    raw_server.handler = handler_for(
        b"id: 1\nevent: price\ndata: {\"p\": 1}\n\ndata: no id\n\nid:\ndata: cleared\n\n"
    )
    result = tail(raw_server.url, "--format", "jsonl", "--no-reconnect")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["event"], r["data"], r["id"]) for r in rows] == [
        ("price", '{"p": 1}', "1"),
        ("message", "no id", "1"),
        ("message", "cleared", ""),
    ]
    assert all(set(r) == {"event", "data", "id", "received_at"} for r in rows)
    stamp = datetime.fromisoformat(rows[0]["received_at"].replace("Z", "+00:00"))
    assert abs(stamp.timestamp() - time.time()) < 60


def test_jsonl_keeps_data_exact(raw_server):
    raw_server.handler = handler_for("data: a\x00b\ndata: \u2028\u00e9\x1b[31m\n\n".encode())
    result = tail(raw_server.url, "--format", "jsonl", "--no-reconnect")
    assert json.loads(result.stdout)["data"] == "a\x00b\n\u2028\u00e9\x1b[31m"


def test_text_format_is_plain_and_one_line_when_piped(raw_server):
    raw_server.handler = handler_for(b"id: 42\nevent: price\ndata: line1\ndata: \x1b[2Jline2\n\n")
    result = tail(raw_server.url, "--no-reconnect")
    assert result.returncode == 0
    (line,) = result.stdout.splitlines()
    assert "\x1b" not in line
    fields = line.split(None, 3)
    assert fields[1:] == ["price", "42", "line1\\n\\e[2Jline2"]


def run_on_tty(args: list[str], env: dict) -> str:
    main, child = pty.openpty()
    proc = subprocess.Popen(args, stdout=child, stderr=subprocess.DEVNULL, env=env)
    os.close(child)
    chunks = []
    while True:
        try:
            data = os.read(main, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(20)
    os.close(main)
    return b"".join(chunks).decode()


@pytest.mark.parametrize("no_color", [False, True])
def test_text_format_coloured_on_a_terminal_unless_no_color(raw_server, no_color):
    raw_server.handler = handler_for(b"event: error\ndata: boom\n\n")
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    if no_color:
        env["NO_COLOR"] = "1"
    out = run_on_tty([*CLI, "tail", raw_server.url, "--no-reconnect"], env)
    assert "boom" in out
    assert ("\x1b[" in out) is not no_color


def test_count_exits_zero_after_n_events(raw_server):
    raw_server.handler = handler_for(b"".join(b"id: %d\ndata: %d\n\n" % (i, i) for i in range(50)), end="hang")
    result = tail(raw_server.url, "--format", "jsonl", "--count", "7")
    assert result.returncode == 0
    assert [json.loads(r)["data"] for r in result.stdout.splitlines()] == [str(i) for i in range(7)]


def test_duration_exits_zero(raw_server):
    raw_server.handler = handler_for(b"data: x\n\n", end="hang")
    start = time.monotonic()
    result = tail(raw_server.url, "--duration", "0.8")
    assert result.returncode == 0
    assert 0.8 <= time.monotonic() - start < 15
    assert "x" in result.stdout


def test_204_exits_zero(raw_server):
    async def handler(conn: Conn) -> None:
        await conn.start(204, content_type=None)

    raw_server.handler = handler
    result = tail(raw_server.url)
    assert result.returncode == 0
    assert "204" in result.stderr


def test_no_reconnect_clean_end_is_zero_and_drop_is_one(raw_server):
    raw_server.handler = handler_for(b"data: x\n\n")
    assert tail(raw_server.url, "--no-reconnect").returncode == 0
    raw_server.handler = handler_for(b"data: x\n\n", end="drop")
    result = tail(raw_server.url, "--no-reconnect")
    assert result.returncode == 1
    assert_one_line_reason(result.stderr, "failed:")


def test_reconnect_diagnostics_on_stderr(raw_server):
    raw_server.handler = handler_for(b"retry: 50\nid: 9\ndata: a\n\n", b"id: 10\ndata: b\n\n")
    result = tail(raw_server.url, "--count", "2")
    assert result.returncode == 0
    assert "connected to" in result.stderr
    assert "reconnecting in" in result.stderr and "from id 9" in result.stderr
    assert raw_server.requests[1].header("Last-Event-ID") == "9"


def test_request_options_are_sent(raw_server):
    raw_server.handler = handler_for(b"data: x\n\n")
    result = tail(
        raw_server.url + "/q?a=1",
        "-X", "PUT", "-d", '{"k": "v"}', "-H", "Authorization: Bearer t0k",
        "-H", "X-Two: 2", "--last-event-id", "caf\u00e9", "--no-reconnect",
    )
    assert result.returncode == 0, result.stderr
    request = raw_server.requests[0]
    assert (request.method, request.target, request.body) == ("PUT", "/q?a=1", b'{"k": "v"}')
    assert request.header("Authorization") == "Bearer t0k"
    assert request.header("X-Two") == "2"
    assert b"Last-Event-ID: caf\xc3\xa9\r\n" in request.raw_headers


def test_data_implies_post_and_reads_files(raw_server, tmp_path: Path):
    raw_server.handler = handler_for(b"data: x\n\n")
    body = tmp_path / "body.json"
    body.write_bytes(b'{"prompt": "$HOME"}')
    assert tail(raw_server.url, "-d", f"@{body}", "--no-reconnect").returncode == 0
    assert (raw_server.requests[0].method, raw_server.requests[0].body) == ("POST", b'{"prompt": "$HOME"}')


@pytest.mark.parametrize(
    "status,needle", [(404, "HTTP 404"), (401, "HTTP 401"), (500, "HTTP 500")]
)
def test_http_errors_exit_one_with_reason(raw_server, status, needle):
    raw_server.handler = handler_for(b"nope", status=status, content_type="text/plain")
    args = ["--retry-policy", "strict"] if status == 500 else []
    result = tail(raw_server.url, *args)
    assert result.returncode == 1
    assert_one_line_reason(result.stderr, "failed:", needle)


def test_non_sse_content_type_exits_one(raw_server):
    raw_server.handler = handler_for(b"{}", content_type="application/json")
    result = tail(raw_server.url)
    assert result.returncode == 1
    assert_one_line_reason(result.stderr, "not an event stream", "application/json")


def test_oversized_event_exits_one(raw_server):
    raw_server.handler = handler_for(b"data: " + b"x" * 5000 + b"\n\n")
    result = tail(raw_server.url, "--max-event-bytes", "1000")
    assert result.returncode == 1
    assert_one_line_reason(result.stderr, "1,000 bytes cap", "--max-event-bytes", "--oversize skip")


def test_refused_connection_exits_one():
    server = RawServer().start()
    url = server.url
    server.stop()
    result = tail(url)
    assert result.returncode == 1
    assert_one_line_reason(result.stderr, "connection refused")


def test_tls_failure_exits_one():
    async def plain(reader, writer):  # answers the TLS hello with plain HTTP
        writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()

    async def main() -> int:
        server = await asyncio.start_server(plain, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            proc = await asyncio.create_subprocess_exec(
                *CLI, "tail", f"https://127.0.0.1:{port}/", stderr=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.DEVNULL,
            )
            _, err = await asyncio.wait_for(proc.communicate(), 20)
            return proc.returncode, err.decode()

    code, err = asyncio.run(main())
    assert code == 1
    assert_one_line_reason(err, "failed: TLS")


@pytest.mark.parametrize(
    "args,needle",
    [
        (["not a url"], "invalid URL"),
        (["ftp://example.com/x"], "http:// or https://"),
        (["http://"], "invalid URL"),
        # httpx takes the port; the socket then raised OverflowError with a traceback.
        (["http://127.0.0.1:99999/x"], "port 99999 is out of range (1-65535)"),
        (["http://127.0.0.1:1/", "--count", "0"], "--count"),
        (["http://127.0.0.1:1/", "-H", "NoColon"], "Name: value"),
        (["http://127.0.0.1:1/", "--format", "xml"], "--format"),
        (["http://127.0.0.1:1/", "--read-timeout", "-1"], "--read-timeout"),
        (["http://127.0.0.1:1/", "-d", "@/nonexistent/body"], "cannot read body file"),
    ],
)
def test_usage_errors_exit_two_with_one_line(args, needle):
    result = tail(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert needle in result.stderr


def test_ctrl_c_exits_130_without_traceback(raw_server):
    raw_server.handler = handler_for(b"data: x\n\n", end="hang")
    proc = subprocess.Popen(
        [*CLI, "tail", raw_server.url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip().endswith("x")
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=10)
    assert proc.returncode == 130
    assert "Traceback" not in err


def test_closed_pipe_ends_quietly(raw_server):
    body = b"".join(b"data: %d\n\n" % i for i in range(20000))
    raw_server.handler = handler_for(body, end="hang")
    shell = f"{' '.join(CLI)} tail {raw_server.url} | head -n 2"
    result = subprocess.run(shell, shell=True, capture_output=True, text=True, timeout=20)
    assert result.stdout.splitlines()[1].endswith(" 1")
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr


# --- secrets: never on stderr nor in the recording's header --------------------------------------

TAIL_SECRETS = ("hunter2-password", "literal-api-key-123", "literal-bearer-token-456")


def test_an_invalid_url_is_reported_without_its_password_or_key():
    result = tail("http://bob:hunter2-password@127.0.0.1:port/x?api_key=literal-api-key-123")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "invalid URL" in result.stderr and "bob:••••@" in result.stderr, result.stderr
    assert not any(secret in result.stderr for secret in TAIL_SECRETS), result.stderr


def test_a_server_echoing_the_token_in_its_reason_is_masked_on_stderr_and_in_the_recording(
    raw_server, tmp_path
):
    async def handler(conn: Conn) -> None:
        echoed = conn.request.header("Authorization") or ""
        await conn.start(401, content_type="text/plain", reason=f"refused {echoed} for {conn.request.target}")
        await conn.end()

    raw_server.handler = handler
    # The URL's userinfo (httpx sends it as Basic), then a Bearer token typed with -H.
    url = raw_server.url.replace("http://", "http://bob:hunter2-password@")
    for target, headers, echoed in (
        (url, [], "refused Basic ••••"),
        (raw_server.url, ["-H", "Authorization: Bearer literal-bearer-token-456"], "refused Bearer ••••"),
    ):
        record = tmp_path / f"rec-{len(headers)}.jsonl"
        result = tail(f"{target}/s?api_key=literal-api-key-123&page=2", *headers, "--record", str(record))
        assert result.returncode == 1
        assert_one_line_reason(result.stderr, "HTTP 401", echoed)
        written = record.read_text()
        header = json.loads(written.splitlines()[0])
        assert header["kind"] == "header" and "api_key=••••" in header["source"] and "page=2" in header["source"]
        for secret in (*TAIL_SECRETS, base64.b64encode(b"bob:hunter2-password").decode()):
            assert secret not in result.stderr and secret not in written, secret
    assert "bob:••••@" in json.loads((tmp_path / "rec-0.jsonl").read_text().splitlines()[0])["source"]
    assert raw_server.requests[-1].header("Authorization") == "Bearer literal-bearer-token-456"  # sent
