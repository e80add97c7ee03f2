"""`streamdash demo` end to end, and the engine resuming across the demo's real drops."""

from __future__ import annotations

import json
import subprocess
import sys

from streamdash.core.http.client import make_client
from streamdash.core.sse import Event, SSEStream, StreamOptions
from streamdash.demo import DemoServer


def test_demo_command_serves_and_tails_offline():
    result = subprocess.run(
        [sys.executable, "-m", "streamdash", "demo", "--tail", "ticker", "--count", "3",
         "--format", "jsonl", "--seed", "7"],
        capture_output=True, text=True, timeout=30,
    )
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["event"], r["id"]) for r in rows] == [("price", "1"), ("price", "2"), ("price", "3")]
    assert "symbol" in json.loads(rows[0]["data"])
    for name in ("ticker", "logs", "flaky", "items"):
        assert f"  {name} " in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_serve_only_stops_after_duration():
    result = subprocess.run(
        [sys.executable, "-m", "streamdash", "demo", "--serve-only", "--duration", "0.5"],
        capture_output=True, text=True, timeout=30,
    )
    assert result.returncode == 0
    assert "http://127.0.0.1:" in result.stderr


async def test_engine_resumes_across_the_demo_drops_without_gaps_or_repeats():
    with DemoServer(seed=3) as demo:
        url = demo.urls()["flaky"] + "?interval=0.01&drop_after=4&heartbeat=0.005"
        async with make_client() as client:
            stream = SSEStream(client, url, StreamOptions(base_delay=0.01, max_delay=0.05))
            seqs = []
            async with stream:
                async for item in stream:
                    if isinstance(item, Event):
                        seqs.append(json.loads(item.data)["seq"])
                        assert item.id == str(seqs[-1])
                        if len(seqs) == 12:
                            break
    assert seqs == list(range(1, 13))
    assert stream.stats.reconnects >= 2
    assert stream.stats.heartbeats > 0
