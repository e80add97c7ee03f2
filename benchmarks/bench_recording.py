"""Recording and replay benchmark: ratios and rates measured in one run.

    python benchmarks/bench_recording.py            # about a minute
    python benchmarks/bench_recording.py --quick

1. `streamdash replay FILE --instant --format jsonl > /dev/null` on a 1,000,000-event recording:
   events/s and the peak RSS of the replaying process.
2. Recording overhead: `streamdash tail --format jsonl > /dev/null` with `--record FILE` against
   the same run without it, both reading the same loopback server (bench_sse's) for the same
   events, alternated, best of each. Target: at most 1.3x.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_sse import ROOT, SERVER  # noqa: E402


def make_recording(path: Path, n: int) -> None:
    t = 1_800_000_000.0
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps({"kind": "header", "format": "streamdash-recording", "version": 1, "started": t}) + "\n")
        f.write(json.dumps({"t": t, "stream": "ticker", "kind": "state", "state": "open", "reason": "",
                            "last_event_id": "", "delay": None, "status": 200}) + "\n")
        lines = []
        for i in range(n):
            data = json.dumps({"symbol": "ACME", "price": 100 + i % 50, "seq": i})
            lines.append(json.dumps({"t": t + i * 0.001, "stream": "ticker", "kind": "event",
                                     "event": "price", "id": str(i), "data": data}))
            if len(lines) == 50_000:
                f.write("\n".join(lines) + "\n")
                lines = []
        if lines:
            f.write("\n".join(lines) + "\n")


def bench_replay(n: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rec.jsonl"
        make_recording(path, n)
        size = path.stat().st_size
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        with open(os.devnull, "wb") as devnull:
            subprocess.run([sys.executable, "-m", "streamdash", "replay", str(path), "--instant",
                            "--format", "jsonl", "-q"], stdout=devnull, check=True)
        elapsed = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"events": n, "bytes": size, "seconds": elapsed, "events_per_s": n / elapsed,
            "peak_rss_mb": max(peak, before) / 1024}


def bench_record_overhead(n: int, repeat: int) -> dict[str, float]:
    server = subprocess.Popen([sys.executable, "-c", SERVER.format(root=str(ROOT), n=n)],
                              stdout=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{int(server.stdout.readline())}/stream"
        base = [sys.executable, "-m", "streamdash", "tail", url, "--format", "jsonl", "--no-reconnect", "-q"]
        times: dict[str, list[float]] = {"plain": [], "record": []}
        with tempfile.TemporaryDirectory() as tmp:
            for i in range(repeat):
                for name in ("plain", "record"):
                    cmd = base + (["--record", str(Path(tmp) / f"r{i}.jsonl")] if name == "record" else [])
                    with open(os.devnull, "wb") as devnull:
                        start = time.perf_counter()
                        subprocess.run(cmd, stdout=devnull, check=True)
                        times[name].append(time.perf_counter() - start)
            recorded = sum(1 for _ in open(Path(tmp) / "r0.jsonl", encoding="utf-8"))
    finally:
        server.kill()
    plain, record = min(times["plain"]), min(times["record"])
    return {"events": n, "plain_s": plain, "record_s": record, "ratio": record / plain,
            "recorded_lines": recorded}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n_replay = 100_000 if args.quick else 1_000_000
    n_tail = 50_000 if args.quick else 300_000
    r = bench_replay(n_replay)
    print(f"1. replay --instant --format jsonl > /dev/null: {r['events']:,} events "
          f"({r['bytes'] / 1e6:.0f} MB) in {r['seconds']:.2f} s = {r['events_per_s']:,.0f} events/s; "
          f"peak RSS {r['peak_rss_mb']:.0f} MB")
    o = bench_record_overhead(n_tail, 3)
    print(f"2. tail --format jsonl > /dev/null, {o['events']:,} events over loopback: "
          f"{o['plain_s']:.2f} s plain, {o['record_s']:.2f} s with --record "
          f"({o['recorded_lines']:,} lines recorded): ratio {o['ratio']:.2f}x (target <= 1.3x)")


if __name__ == "__main__":
    main()
