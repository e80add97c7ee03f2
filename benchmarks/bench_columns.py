"""What JSON columns cost the log per line: `format_entry` with a stream's columns (or a
template) against plain `format_entry`, on the demo's log records, in the batches a 20 Hz
flush writes (2,500 lines = 50,000 events/s).

    python benchmarks/bench_columns.py [--n 50000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from streamdash.core.buffer import LogEntry
from streamdash.core.columns import Display, Layouts
from streamdash.ui.lines import WIDEST, format_entry

LEVELS = ("info", "debug", "warning", "error")
SERVICES = ("api-gateway", "auth", "billing", "search", "worker")
BATCH = 2_500  # one 20 Hz tick at 50,000 events/s


def entries(n: int) -> list[LogEntry]:
    out: list[LogEntry] = []
    for i in range(n):
        record = {
            "level": LEVELS[i % 4],
            "service": SERVICES[i % 5],
            "msg": f"GET /v1/orders/{48000 + i} 200",
            "latency_ms": i % 997,
            "user": {"id": 1000 + i},
            "ts": "2026-01-01T14:31:59.958Z",
        }
        out.append((i, "logs", LEVELS[i % 4], json.dumps(record), str(i), 1_767_277_920.0 + i / 1000))
    return out


def per_line_us(run, rows: list[LogEntry], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for at in range(0, len(rows), BATCH):
            run(rows[at : at + BATCH])
        best = min(best, time.perf_counter() - start)
    return best / len(rows) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rows = entries(args.n)

    def plain(batch: list[LogEntry]) -> None:
        [format_entry(e, WIDEST) for e in batch]

    def with_display(display: Display):
        layouts = Layouts(lambda stream: display)

        def run(batch: list[LogEntry]) -> None:
            shown, _ = layouts.texts(batch)
            assert shown is not None
            [format_entry(e, WIDEST, d) for e, d in zip(batch, shown, strict=True)]

        return run

    base = per_line_us(plain, rows, args.repeat)
    print(f"{args.n:,} lines, batches of {BATCH:,}, best of {args.repeat}")
    print(f"plain format_entry          {base:6.2f} us/line")
    for label, display in (
        ("3 columns", Display(("level", "service", "msg"))),
        ("5 columns, one nested", Display(("level", "service", "msg", "latency_ms", "user.id"))),
        ("template", Display((), "{level} {service}: {msg}")),
    ):
        cost = per_line_us(with_display(display), rows, args.repeat)
        print(f"{label:<27} {cost:6.2f} us/line  x{cost / base:.2f} of plain  ({1e6 / cost:,.0f} lines/s)")
    no_display = Layouts(lambda stream: Display())

    def raw_streams(batch: list[LogEntry]) -> None:  # what the log pays when no stream has columns
        shown, _ = no_display.texts(batch)
        assert shown is None
        [format_entry(e, WIDEST) for e in batch]

    cost = per_line_us(raw_streams, rows, args.repeat)
    print(f"{'no columns set (the check)':<27} {cost:6.2f} us/line  x{cost / base:.2f} of plain")
    raw = [(e[0], e[1], e[2], f"plain text line {e[0]}", e[4], e[5]) for e in rows]
    cost = per_line_us(with_display(Display(("level", "service", "msg"))), raw, args.repeat)
    print(f"{'3 columns on non-JSON data':<27} {cost:6.2f} us/line  x{cost / base:.2f} of plain")


if __name__ == "__main__":
    main()
