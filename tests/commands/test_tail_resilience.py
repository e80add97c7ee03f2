"""`streamdash tail` through a server that drops the connection mid-line 40 times (rule 31)."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from tests.helpers.flaky_server import flaky_events


def test_tail_prints_2000_events_in_order_once_each_through_40_drops(raw_server):
    raw_server.handler, log = flaky_events(events=2000, drops=40, seed=11)
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "streamdash", "tail", raw_server.url, "--format", "jsonl",
         "--count", "2000", "--quiet"],
        capture_output=True, text=True, timeout=30,  # generous: today's backoff takes minutes
    )
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    ids = [json.loads(line)["id"] for line in result.stdout.splitlines()]
    assert ids == [str(n) for n in range(1, 2001)]
    assert log.count("fin") + log.count("rst") == 40
    print(f"tail: 2,000 events through 40 drops in {elapsed:.2f} s")
