"""Rule 37 in `streamdash tail`: what a server sends never grows the watcher's memory."""

from __future__ import annotations

import subprocess
import sys

from tests.helpers.raw_server import Conn

# Runs `streamdash tail` as its own child and prints that child's peak RSS in KiB (Linux), so
# no other subprocess of the test run can be counted.
PEAK_RSS = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, done.stderr[-500:])
"""


def unique_long_ids(count: int, size: int):
    async def handler(conn: Conn) -> None:
        await conn.start()
        pad = b"x" * size
        for n in range(count):
            await conn.send(b"id: %06d-%s\ndata: %d\n\n" % (n, pad, n))
        await conn.end()

    return handler


def test_3000_unique_200kb_ids_stay_under_100mb_peak_rss(raw_server):
    raw_server.handler = unique_long_ids(3000, 200_000)
    tail = [sys.executable, "-m", "streamdash", "tail", raw_server.url, "--format", "jsonl",
            "--no-reconnect", "--quiet"]
    out = subprocess.run([sys.executable, "-c", PEAK_RSS, *tail], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    code, peak_kib, stderr = out.split(" ", 2)
    assert code == "0", stderr
    print(f"peak RSS of tail over 3,000 unique 200 KB ids: {int(peak_kib) / 1024:.0f} MiB")
    assert int(peak_kib) < 100 * 1024, f"peak RSS {int(peak_kib) / 1024:.0f} MiB"  # ids: 600 MB
