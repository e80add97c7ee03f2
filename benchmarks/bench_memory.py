"""Memory benchmark: what a server's bytes cost streamdash in RSS (issue 10: rules 34, 35, 37).

    python benchmarks/bench_memory.py                  # everything; about 8 minutes
    python benchmarks/bench_memory.py tail             # (a) only: `streamdash tail`, peak RSS
    python benchmarks/bench_memory.py many --seconds 20 --mode session   # (b) only, shorter
    python benchmarks/bench_memory.py buffer           # (c) the buffer's append, before the byte bound vs here
    python benchmarks/bench_memory.py many --trace     # (b) plus a tracemalloc diff of the growth

(a) Peak RSS (the kernel's high-water mark, from wait4) of a `streamdash tail URL` subprocess,
    output to /dev/null, over a local server that sends
      - `ids`: 3,000 events, each with its own 200 KB id (the dedup memory of rule 35; about
        600 MB when ids are remembered whole),
      - `big`: 50 events of 5 MB data (one event in memory at a time, rule 34),
      - `small` (the reference): 3,000 events of 100 bytes: what tail costs anyway.
    Each is also given as a ratio to `small` from the same run: the machine is shared.
(b) 200 streams against one local server (its own process, so its memory is not counted), in
    a process of their own, RSS sampled every `--every` seconds, `--seconds` (default 60) after
    the warm-up:
      - `streams`: 200 SSEStreams on ONE httpx.AsyncClient, events dropped as they come,
      - `session`: the core Session the dashboard uses, 200 saved requests in a scratch
        collection: buffer (bounds by count and bytes), measures, stats trackers.
    Each server connection first sends `--backlog` events at once (default 10,000: a server
    replaying history; it fills every bounded store, the 10,000-id dedup window above all, which
    20 events/s would take 500 s to fill), then `--rate` events/s (id, type, ~80-byte JSON) and
    an `event: ping` every second. The warm-up lasts until every backlog arrived, then one
    turnover of the live phase (60 s at 20/s: see `settle_s`), or `--warmup` seconds. Printed: first / warm / last / peak RSS, and the least-squares slope
    after the warm-up in MB/min. "Flat" is a slope near zero and last ~= warm.
(c) EventBuffer.extend, the dashboard's hot path, in batches of 100 into a full buffer: the
    version of release 67dc0c3 (count bound only) against this tree's (count and bytes), same
    process, alternated, best of 7. Needs git and that commit.

The figures go to stdout; `--json FILE` keeps them.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PAGE = os.sysconf("SC_PAGE_SIZE")
MB = 1024 * 1024


def rss() -> int:
    with open("/proc/self/statm", "rb") as f:
        return int(f.read().split()[1]) * PAGE


# ---------------------------------------------------------------------------------------------
# The server (its own process: `--serve KIND`), raw asyncio HTTP, one response per connection


def _head() -> bytes:
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
        b"Connection: close\r\n\r\n"
    )


async def _finite(writer: asyncio.StreamWriter, kind: str) -> None:
    """`ids`, `big`, `small`: a fixed body, then a clean end."""
    if kind == "ids":
        for n in range(3000):
            ident = f"{n:06d}-" + "i" * (200_000 - 7)  # unique, 200 KB
            writer.write(f"id: {ident}\ndata: {n}\n\n".encode())
            await writer.drain()
    elif kind == "big":
        block = "d" * (5 * 1000 * 1000)
        for n in range(50):
            writer.write(f"id: {n}\ndata: {block}\n\n".encode())
            await writer.drain()
    else:
        for n in range(3000):
            writer.write(f"id: {n}\ndata: {'s' * 100}\n\n".encode())
            await writer.drain()


def _tick(n: int) -> bytes:
    return (
        f'id: {n}\nevent: price\ndata: {{"symbol":"ACME","price":{100 + n % 50},'
        f'"seq":{n},"pad":"{"p" * 24}"}}\n\n'.encode()
    )


async def _endless(writer: asyncio.StreamWriter, rate: float, backlog: int) -> None:
    """First `backlog` events at once (a server replaying its history on connect: it fills
    every bounded store, the dedup window above all, during the warm-up), then ticker events at
    `rate` per second and an `event: ping` (a typed heartbeat) every second."""
    for first in range(1, backlog + 1, 500):
        writer.write(b"".join(_tick(n) for n in range(first, min(backlog, first + 499) + 1)))
        await writer.drain()
    n, start, next_ping = backlog, time.monotonic(), 1.0
    while True:
        n += 1
        writer.write(_tick(n))
        elapsed = time.monotonic() - start
        if elapsed >= next_ping:
            writer.write(b"event: ping\ndata: {}\n\n")
            next_ping += 1.0
        await writer.drain()
        delay = start + (n - backlog) / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)


async def serve(kind: str, rate: float, backlog: int = 0) -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(_head())
            if kind == "endless":
                await _endless(writer, rate, backlog)
            else:
                await _finite(writer, kind)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


class Server:
    """The server subprocess; `url` once it listens."""

    def __init__(self, kind: str, rate: float = 20.0, backlog: int = 0) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--serve", kind, "--rate", str(rate), "--backlog", str(backlog)],
            stdout=subprocess.PIPE, text=True,
        )
        assert self.proc.stdout is not None
        self.url = f"http://127.0.0.1:{int(self.proc.stdout.readline())}/feed"

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.kill()
        self.proc.wait()


# ---------------------------------------------------------------------------------------------
# (a) streamdash tail, peak RSS


def tail_peak(kind: str) -> dict[str, Any]:
    """Peak RSS of `streamdash tail` over one finite stream, and whether it ended cleanly."""
    with Server(kind) as server:
        args = [sys.executable, "-m", "streamdash", "tail", server.url, "--no-reconnect", "-q",
                "--max-event-bytes", str(8 * MB), "--read-timeout", "30"]
        with open(os.devnull, "wb") as devnull:
            start = time.monotonic()
            proc = subprocess.Popen(args, stdout=devnull, stderr=subprocess.PIPE)
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            took = time.monotonic() - start
        assert proc.stderr is not None
        err = proc.stderr.read().decode(errors="replace").strip()
    return {"kind": kind, "peak_rss_mb": usage.ru_maxrss / 1024, "exit": proc.returncode,
            "seconds": took, "stderr": err[-300:]}


def run_tail() -> dict[str, Any]:
    print("(a) streamdash tail URL, peak RSS (wait4 ru_maxrss), stdout to /dev/null")
    rows = {}
    for kind, what in (("small", "3,000 events of 100 B (reference)"),
                       ("ids", "3,000 unique 200 KB ids"),
                       ("big", "50 events of 5 MB")):
        row = rows[kind] = tail_peak(kind)
        ratio = row["peak_rss_mb"] / rows["small"]["peak_rss_mb"]
        print(f"  {what:<36} peak {row['peak_rss_mb']:8.1f} MB  x{ratio:5.1f} the reference  "
              f"exit {row['exit']}  {row['seconds']:.1f} s" + (f"  [{row['stderr']}]" if row["exit"] else ""))
    return rows


# ---------------------------------------------------------------------------------------------
# (b) 200 streams on one client / one session


def settle_s(rate: float) -> float:
    """The live phase's part of the warm-up: one turnover of each stream's 1,000 inter-arrival
    gaps, plus 10 s. The backlog came in bursts whose events share one arrival time and gaps of
    the one 0.0; live events each bring their own float, so the stores that keep them (the gaps,
    the buffer's times) hold more objects until the live ones have replaced the burst's once."""
    return 1000 / max(rate, 1e-9) + 10


class Sampler:
    """RSS every `every` seconds: through the warm-up (until `warm()` says so, then
    `settle_s(rate)` of live events, or a fixed `warmup`), then `seconds` more. With `trace`, a
    tracemalloc snapshot at the warm-up's end and at the end."""

    def __init__(self, args: argparse.Namespace, warm: Callable[[], bool],
                 extra: Callable[[], dict[str, Any]]) -> None:
        self.args, self.warm, self.extra = args, warm, extra
        self.samples: list[tuple[float, float]] = []
        self.marks: list[dict[str, Any]] = []
        self.warm_at: float | None = None
        self.snaps: list[Any] = []

    def _snap(self) -> None:
        if self.args.trace:
            import tracemalloc

            self.snaps.append(tracemalloc.take_snapshot())

    async def run(self) -> None:
        args, start = self.args, time.monotonic()
        settled_at: float | None = None
        while True:
            t = time.monotonic() - start
            self.samples.append((t, rss() / MB))
            # Live objects too: RSS keeps the high-water mark of the backlog's burst, and a slow
            # leak could reuse that freed heap unseen; allocated blocks go up and down.
            self.marks.append({"t": round(t, 1), "blocks": sys.getallocatedblocks(), **self.extra()})
            if self.warm_at is None:
                if args.warmup is not None:
                    ready = t >= args.warmup
                else:
                    if settled_at is None and self.warm():
                        settled_at = t + settle_s(args.rate)
                    ready = (settled_at is not None and t >= settled_at) or t >= 300
                if ready:
                    self.warm_at = t
                    self._snap()
            elif t >= self.warm_at + args.seconds:
                self._snap()
                return
            await asyncio.sleep(args.every)


async def many_streams(url: str, args: argparse.Namespace) -> dict[str, Any]:
    import httpx

    from streamdash.core.http.client import make_client
    from streamdash.core.sse import Event, SSEStream, StreamOptions

    n = args.streams
    counts = {"events": 0, "pings": 0}
    client: httpx.AsyncClient = make_client()
    streams = [SSEStream(client, f"{url}?s={i}", StreamOptions(read_timeout=60)) for i in range(n)]

    async def consume(stream: SSEStream) -> None:
        async with stream:
            async for item in stream:
                if type(item) is Event:
                    counts["events"] += 1
                    if item.event == "ping":
                        counts["pings"] += 1

    tasks = [asyncio.create_task(consume(s)) for s in streams]
    sampler = Sampler(args, lambda: counts["events"] >= n * args.backlog, lambda: dict(counts))
    await sampler.run()
    opened = sum(1 for s in streams if s.stats.connects)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await client.aclose()
    return {"sampler": sampler, "opened": opened, **counts}


async def many_session(url: str, args: argparse.Namespace) -> dict[str, Any]:
    from streamdash.core.collections import load_collection
    from streamdash.core.session import Session

    n = args.streams
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        root = Path(tmp) / "coll"
        (root / "streams").mkdir(parents=True)
        (root / "collection.toml").write_text('name = "bench"\n', encoding="utf-8")
        for i in range(n):
            (root / "streams" / f"s{i:03d}.toml").write_text(
                f'name = "s{i:03d}"\nkind = "sse"\nurl = "{url}?s={i}"\n', encoding="utf-8"
            )
        session = Session(load_collection(root), recordings_dir=Path(tmp) / "rec")
        for request in session.collection.requests:
            session.start(request)
        buffer = session.buffer

        def fill() -> dict[str, Any]:
            f = buffer.fill()
            return {"events": buffer.next_seq, "retained": f.entries,
                    "buffer_mb": round(f.bytes / MB, 2), "evicted": f.evicted}

        sampler = Sampler(args, lambda: buffer.next_seq >= n * args.backlog, fill)
        await sampler.run()
        opened = sum(1 for live in session.streams.values() if live.stats.connects)
        events = buffer.next_seq
        await session.aclose()
        return {"sampler": sampler, "opened": opened, "events": events,
                "retained": len(buffer), "buffer_size": buffer.size}


def slope_mb_per_min(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of RSS over time."""
    if len(points) < 2:
        return 0.0
    n = len(points)
    mt = sum(t for t, _ in points) / n
    mr = sum(r for _, r in points) / n
    var = sum((t - mt) ** 2 for t, _ in points)
    return 0.0 if var == 0 else sum((t - mt) * (r - mr) for t, r in points) / var * 60


def report_many(mode: str, res: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    sampler: Sampler = res["sampler"]
    samples, warm_at = sampler.samples, sampler.warm_at or 0.0
    warm = [(t, r) for t, r in samples if t >= warm_at]
    values = [r for _, r in samples]
    warm_values = [r for _, r in warm]
    events_after = res["events"] - next(m["events"] for m in sampler.marks if m["t"] >= round(warm_at, 1))
    out = {
        "mode": mode, "streams": args.streams, "opened": res["opened"], "events": res["events"],
        "warm_at_s": warm_at, "events_after_warmup": events_after,
        "first_mb": values[0], "warm_mb": warm_values[0], "last_mb": values[-1],
        "peak_mb": max(values), "peak_after_warmup_mb": max(warm_values),
        "slope_mb_per_min_after_warmup": slope_mb_per_min(warm),
        "samples": samples, "marks": sampler.marks,
    }
    print(f"  {mode:<8} {res['opened']}/{args.streams} opened, {res['events']:,} events; warm after "
          f"{warm_at:.0f} s, then {events_after:,} events in {samples[-1][0] - warm_at:.0f} s "
          f"({events_after / max(1e-9, samples[-1][0] - warm_at):,.0f}/s)")
    print(f"           RSS first {out['first_mb']:.1f} MB, warm {out['warm_mb']:.1f} MB, last "
          f"{out['last_mb']:.1f} MB, peak {out['peak_mb']:.1f} MB (after warm-up "
          f"{out['peak_after_warmup_mb']:.1f}); slope after warm-up "
          f"{out['slope_mb_per_min_after_warmup']:+.2f} MB/min; last / warm x{out['last_mb'] / out['warm_mb']:.3f}")
    blocks = [(m["t"], m["blocks"] / 1e6) for m in sampler.marks if m["t"] >= round(warm_at, 1)]
    out["blocks_warm"], out["blocks_last"] = blocks[0][1] * 1e6, blocks[-1][1] * 1e6
    out["blocks_slope_per_min_after_warmup"] = slope_mb_per_min(blocks) * 1e6
    print(f"           live allocated blocks: warm {out['blocks_warm']:,.0f}, last {out['blocks_last']:,.0f} "
          f"(x{out['blocks_last'] / out['blocks_warm']:.3f}); slope after warm-up "
          f"{out['blocks_slope_per_min_after_warmup']:+,.0f} blocks/min")
    if "retained" in res:
        print(f"           buffer: {res['retained']:,} of {res['buffer_size']:,} retained at the end")
    print("           RSS MB, warm-up | after: " + " ".join(f"{r:.0f}" for t, r in samples if t < warm_at)
          + " | " + " ".join(f"{r:.0f}" for r in warm_values))
    if args.trace and len(sampler.snaps) == 2:
        print("           tracemalloc, growth from warm-up to the end (top 12):")
        for stat in sampler.snaps[1].compare_to(sampler.snaps[0], "lineno")[:12]:
            print(f"             {stat.size_diff / 1024:+9.0f} KiB {stat.count_diff:+8d} blocks  "
                  f"{stat.traceback[0]}")
    return out


def run_one_mode(args: argparse.Namespace, mode: str) -> dict[str, Any]:
    if args.trace:
        import tracemalloc

        tracemalloc.start(4)
    with Server("endless", args.rate, args.backlog) as server:
        run = many_streams if mode == "streams" else many_session
        res = asyncio.run(run(server.url, args))
    return report_many(mode, res, args)


def run_many(args: argparse.Namespace) -> dict[str, Any]:
    head = (f"(b) {args.streams} streams, each: {args.backlog:,} events at once, then {args.rate:g} "
            f"events/s + a ping a second; RSS every {args.every:g} s; {args.seconds:g} s after the "
            f"warm-up")
    if args.mode != "both":
        if not args.child:
            print(head)
        return {args.mode: run_one_mode(args, args.mode)}
    print(head + "; each mode in its own process")
    results = {}
    for mode in ("streams", "session"):
        with tempfile.NamedTemporaryFile(suffix=".json") as tmp:
            argv = [sys.executable, __file__, "many", "--child", "--mode", mode, "--json", tmp.name,
                    "--seconds", str(args.seconds), "--streams", str(args.streams),
                    "--rate", str(args.rate), "--every", str(args.every), "--backlog", str(args.backlog)]
            if args.warmup is not None:
                argv += ["--warmup", str(args.warmup)]
            if args.trace:
                argv.append("--trace")
            subprocess.run(argv, check=True)
            results[mode] = json.loads(Path(tmp.name).read_text(encoding="utf-8"))["many"][mode]
    return results


# ---------------------------------------------------------------------------------------------
# (c) EventBuffer.extend: the count-bound-only release's against this tree's


# The last release whose buffer had a count bound only: the reference for (c). (Reading `main`
# stopped meaning that once the byte bound was merged there.)
COUNT_BOUND_ONLY = "67dc0c3"


def load_main_buffer(rev: str = COUNT_BOUND_ONLY) -> Any:
    source = subprocess.run(
        ["git", "-C", str(REPO), "show", f"{rev}:streamdash/core/buffer.py"],
        capture_output=True, text=True, check=True,
    ).stdout
    path = Path(tempfile.mkdtemp(prefix="bench-memory-")) / "main_buffer.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("main_buffer", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_buffer(events: int = 1_000_000, batch: int = 100, repeat: int = 7) -> dict[str, Any]:
    from streamdash.core import buffer as here
    from streamdash.core.sse.events import Event

    main = load_main_buffer()
    batches = [
        [Event("price", f'{{"symbol":"ACME","price":{100 + i % 50},"seq":{i}}}', str(i)) for i in range(b, b + batch)]
        for b in range(0, 200_000, batch)
    ]
    rounds = events // batch

    def timed(module: Any) -> float:
        buf = module.EventBuffer(100_000)
        for chunk in batches[:1000]:  # fill it first: the steady state evicts on every append
            buf.extend("feed", chunk)
        start = time.perf_counter()
        for i in range(rounds):
            buf.extend("feed", batches[i % len(batches)])
        return time.perf_counter() - start

    best = {"main": float("inf"), "here": float("inf")}
    for _ in range(repeat):
        best["main"] = min(best["main"], timed(main))
        best["here"] = min(best["here"], timed(here))
    rate = {k: events / v for k, v in best.items()}
    ratio = best["here"] / best["main"]
    print(f"(c) EventBuffer.extend, {events:,} events in batches of {batch} into a full 100,000 "
          f"buffer, best of {repeat}")
    print(f"  {COUNT_BOUND_ONLY} (count bound):       {best['main'] * 1000:7.1f} ms  {rate['main'] / 1e6:5.2f} M events/s")
    print(f"  here (count and byte bound): {best['here'] * 1000:7.1f} ms  {rate['here'] / 1e6:5.2f} M events/s"
          f"  = x{ratio:.2f} its time")
    return {"main_s": best["main"], "here_s": best["here"], "ratio": ratio}


# ---------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", nargs="?", choices=("all", "tail", "many", "buffer"), default="all")
    parser.add_argument("--seconds", type=float, default=60.0, help="(b) run time per mode")
    parser.add_argument("--streams", type=int, default=200, help="(b) concurrent streams")
    parser.add_argument("--rate", type=float, default=20.0, help="(b) events/s per stream")
    parser.add_argument("--every", type=float, default=3.0, help="(b) seconds between samples")
    parser.add_argument("--backlog", type=int, default=10_000,
                        help="(b) events each connection gets at once first (default 10,000: the "
                        "dedup window, so every bounded store is full once warm)")
    parser.add_argument("--warmup", type=float, default=None,
                        help="(b) seconds of warm-up; default: until every backlog arrived, then "
                        "1000/rate + 10 s of live events")
    parser.add_argument("--mode", choices=("both", "streams", "session"), default="both")
    parser.add_argument("--trace", action="store_true", help="(b) tracemalloc diff of the growth")
    parser.add_argument("--json", type=Path, help="write every figure here")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(serve(args.serve, args.rate, args.backlog))
        return
    sys.path.insert(0, str(REPO))
    load = os.getloadavg()
    if not args.child:
        print(f"{os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    out: dict[str, Any] = {}
    if args.part in ("all", "tail"):
        out["tail"] = run_tail()
    if args.part in ("all", "many"):
        out["many"] = run_many(args)
    if args.part in ("all", "buffer"):
        out["buffer"] = run_buffer()
    load = os.getloadavg()
    if not args.child:
        print(f"load average after {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
