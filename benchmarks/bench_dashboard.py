"""Dashboard benchmark: the real app on a real pseudo-terminal, fed by a real SSE server.

    python benchmarks/bench_dashboard.py            # 20k/s, 50k/s, 200 streams x 100/s, 5 Hz; ~3 min
    python benchmarks/bench_dashboard.py --quick    # 4 s phases, for a smoke run
    python benchmarks/bench_dashboard.py --json out.json   # also keep every figure

Three processes per run:
- a feed server (this file, `--serve`): raw asyncio HTTP on 127.0.0.1, one `text/event-stream`
  response of ticker events (`id: n`, `event: price`, one in ten `event: trade`, ~85-byte JSON
  data), written every 10 ms so that `rate x elapsed` events have been sent; it reports what the
  socket accepted 10 times a second on stdout. A client that cannot keep up shows as the server
  falling behind its target (the kernel's buffers are bounded).
- with `--streams 200` (in the default plan) one more run: 200 connections at `--stream-rate`
  events/s each, to 200 saved streams in one dashboard (feed000 .. feed199).
- the dashboard (`_dashboard_child.py`) at 160x48 on a pty (TERM=xterm-256color, COLORTERM
  unset as over SSH: 256 colours; `--truecolor` for 24-bit): a `StreamdashApp` subclass that
  autostarts the stream and measures itself: loop lag, counters, RSS and GC pauses, then idle
  CPU, then re-filters (see there).
- this process: reads the pty master continuously and counts the bytes the app wrote to the
  terminal, finds the newest event id drawn in the log (so a log that stops repainting is caught:
  its byte rate would look good for a bad reason), and samples /proc/stat to say how busy the
  rest of the machine was.

The parent also checks that the newest event id drawn on the terminal keeps up with what
arrives: Textual 8.2.8's `Log` stopped repainting once it held `max_lines` (EventLog now
refreshes itself after a pruning write), and a frozen log makes the byte rate look good.

Every run has JSON columns on, an alert armed and the chart pane open plotting `price` (the child
reads back what was really on). Targets (issue 11's), each printed MET / NOT MET with its figures:
no growing backlog; loop lag p99 <= 10 ms at 20k and 50k events/s; no GC pause over 10 ms while
fed; log writes/s <= refresh rate; terminal output <= 100 KB/s at 20 Hz; RSS flat once the buffer
is full; re-filter of 100,000 retained events <= 100 ms (first use of a JSON field included);
<= 3 % of a core idle with every pane open; 200 streams at 100 events/s under one core with loop
lag p99 <= 20 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import fcntl
import json
import os
import pty
import random
import re
import select
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHILD = HERE / "_dashboard_child.py"
COLS, ROWS = 160, 48
TICK_S = 0.01
FILTERS = ["price>100", "type:price", "acme", '/"change":-0\\.[0-4]/', '/"change":-[1-9]/', ""]
SYMBOLS = ("ACME", "GLOBX", "INITECH", "UMBRL", "WAYNE")
# A log line as drawn on the terminal: time, stream, type, then the id (colour codes between).
_SGR = rb"(?:\x1b\[[0-9;]*m| )*"
LOG_LINE_ID = re.compile(rb"\d\d:\d\d:\d\d\.\d\d\d" + _SGR + rb"feed\d*" + _SGR + rb"(?:price|trade)" + _SGR + rb"(\d+)")

# ---------------------------------------------------------------------------------------------
# The feed server (its own process)


class Feed:
    """Ticker events like the demo's: rotating symbols, random-walk prices, increasing ids."""

    def __init__(self) -> None:
        self.rng = random.Random(7)
        self.prices = {s: round(self.rng.uniform(20.0, 400.0), 2) for s in SYMBOLS}

    def events(self, start: int, stop: int) -> bytes:
        """Events with ids start+1 .. stop."""
        now = time.time()
        ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}Z"
        gauss, prices, parts = self.rng.gauss, self.prices, []
        for i in range(start + 1, stop + 1):
            symbol = SYMBOLS[i % 5]
            old = prices[symbol]
            new = prices[symbol] = max(1.0, round(old * (1 + gauss(0, 0.004)), 2))
            kind = "trade" if i % 10 == 0 else "price"
            parts.append(
                f'id: {i}\nevent: {kind}\ndata: {{"symbol":"{symbol}","price":{new},'
                f'"change":{new - old:.2f},"ts":"{ts}"}}\n\n'
            )
        return "".join(parts).encode()


def emit(record: dict) -> None:
    sys.stdout.write(json.dumps(record) + "\n")
    sys.stdout.flush()


async def serve(rate: int, seconds: float, streams: int = 1) -> None:
    """`streams` connections, each sent `rate` events/s for `seconds` (its own ids from 1); one
    reporter says the totals 10 times a second, so 200 connections cost 10 lines/s, not 2,000."""
    total = int(rate * seconds)
    finished = asyncio.Event()
    totals = {"sent": 0, "bytes": 0, "done": 0, "closed": 0, "connections": 0}
    first_start: list[float] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        totals["connections"] += 1
        try:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                b"Cache-Control: no-cache\r\nConnection: close\r\n\r\n"
            )
            await writer.drain()
            feed, sent = Feed(), 0
            start = time.monotonic()
            if not first_start:
                first_start.append(start)
                emit({"kind": "start", "wall": time.time(), "connection": totals["connections"]})
            tick = 0
            while sent < total:
                tick += 1
                delay = start + tick * TICK_S - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                else:
                    tick = int((time.monotonic() - start) / TICK_S)  # behind: do not spin
                due = min(total, int(rate * (time.monotonic() - start)))
                if due > sent:
                    data = feed.events(sent, due)
                    writer.write(data)
                    await writer.drain()  # blocks when the client does not read fast enough
                    totals["sent"] += due - sent
                    totals["bytes"] += len(data)
                    sent = due
            totals["done"] += 1
            if totals["done"] == streams:  # here, not in the reporter: the close may come first
                emit({"kind": "done", "wall": time.time(), "sent": totals["sent"],
                      "bytes": totals["bytes"], "cpu": time.process_time()})
            await reader.read()  # hold the stream open (quiet) until the client closes it
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()
            totals["closed"] += 1
            if totals["closed"] >= streams:
                emit({"kind": "closed", "wall": time.time(), "cpu": time.process_time()})
                finished.set()

    async def report() -> None:
        while not finished.is_set():
            await asyncio.sleep(0.1)
            if not first_start:
                continue
            now = time.monotonic()
            record = {"wall": time.time(), "sent": totals["sent"], "bytes": totals["bytes"],
                      "cpu": time.process_time()}
            emit({"kind": "tick", "target": min(total * streams, rate * streams * (now - first_start[0])),
                  **record})

    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=max(100, streams))
    emit({"kind": "port", "port": server.sockets[0].getsockname()[1]})
    reporter = asyncio.create_task(report())
    async with server:
        await finished.wait()
    reporter.cancel()


# ---------------------------------------------------------------------------------------------
# One run: server + dashboard on a pty


def cpu_jiffies() -> tuple[int, int]:
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields[:8]) - idle, sum(fields[:8])


def run_once(rate: int, seconds: float, refresh_hz: float, idle: float, filters: list[str],
             raw: list | None = None, truecolor: bool = False, gc_tune: bool = True,
             streams: int = 1) -> dict:
    """`rate`: events/s of each of `streams` streams."""
    server = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--serve", "--rate", str(rate),
         "--seconds", str(seconds), "--serve-streams", str(streams)],
        stdout=subprocess.PIPE, text=True,
    )
    assert server.stdout is not None
    port = json.loads(server.stdout.readline())["port"]
    server_log: list[dict] = []
    reader = threading.Thread(
        target=lambda: server_log.extend(json.loads(line) for line in server.stdout), daemon=True
    )
    reader.start()

    fd, result_path = tempfile.mkstemp(prefix="bench-dashboard-", suffix=".json")
    os.close(fd)
    os.unlink(result_path)
    bench = {
        "url": f"http://127.0.0.1:{port}/stream",
        "rate": rate * streams, "stream_rate": rate, "streams": streams,
        "seconds": seconds, "expected": int(rate * seconds) * streams,
        "refresh_hz": refresh_hz, "idle": idle, "filters": filters,
        "drain_cap": 15.0, "result": result_path, "gc_tune": gc_tune,
    }
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
    env.pop("COLORTERM", None)
    if truecolor:
        env["COLORTERM"] = "truecolor"
    env.update(TERM="xterm-256color", COLUMNS=str(COLS), LINES=str(ROWS),
               NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
    child = subprocess.Popen(
        [sys.executable, str(CHILD), json.dumps(bench)],
        stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True,
    )
    os.close(slave)

    reads: list[tuple[float, int]] = []  # (wall time, bytes) per read of the pty master
    machine: list[tuple[float, int, int]] = []  # (wall, busy jiffies, total jiffies)
    tail = bytearray()
    drawn: list[tuple[float, int]] = []  # (wall, newest event id drawn so far), when it grows
    timeout = seconds + bench["drain_cap"] + idle + 4 * len(filters) + 40 + streams // 5
    deadline = time.monotonic() + timeout
    next_stat = 0.0
    timed_out = False
    try:
        while True:
            now = time.monotonic()
            if now >= next_stat:
                machine.append((time.time(), *cpu_jiffies()))
                next_stat = now + 1.0
            if now > deadline:
                timed_out = True
                os.killpg(child.pid, signal.SIGKILL)
                break
            ready, _, _ = select.select([master], [], [], 0.25)
            if not ready:
                continue
            try:
                data = os.read(master, 1 << 16)
            except OSError:  # EIO: every slave end closed, the child is gone
                break
            if not data:
                break
            reads.append((time.time(), len(data)))
            if raw is not None:
                raw.append((reads[-1][0], data))
            scan = bytes(tail[-1024:]) + data  # a line may straddle two reads
            ids = [int(m) for m in LOG_LINE_ID.findall(scan)]
            if ids and (not drawn or max(ids) > drawn[-1][1]):
                drawn.append((reads[-1][0], max(ids)))
            tail += data
            del tail[:-4096]
    finally:
        os.close(master)
        child.wait(timeout=10)
        if server.poll() is None:
            server.terminate()
        server.wait(timeout=10)
        reader.join(timeout=2)
    machine.append((time.time(), *cpu_jiffies()))

    if timed_out or not os.path.exists(result_path):
        text = tail.decode("utf-8", "replace")
        raise RuntimeError(
            f"the dashboard {'timed out' if timed_out else f'exited ({child.returncode})'} "
            f"without a result; the terminal's last output:\n{text[-1500:]}"
        )
    with open(result_path, encoding="utf-8") as f:
        result = json.load(f)
    os.unlink(result_path)
    if result["error"]:
        raise RuntimeError("the dashboard failed:\n" + result["error"])
    if raw is not None:
        raw.append(result["marks"])
    return analyse(bench, result, server_log, reads, machine, drawn)


# ---------------------------------------------------------------------------------------------
# Figures


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of y over x."""
    if len(points) < 2:
        return float("nan")
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / sxx if sxx else float("nan")


def bytes_between(reads: list[tuple[float, int]], times: list[float], a: float, b: float) -> int:
    return sum(n for _, n in reads[bisect.bisect_left(times, a) : bisect.bisect_left(times, b)])


def server_at(log: list[dict], wall: float) -> dict:
    """The server's last report at or before `wall`."""
    best = {"sent": 0, "target": 0.0, "cpu": 0.0}
    for rec in log:
        if rec["kind"] in ("tick", "done") and rec["wall"] <= wall:
            best = {**best, **rec}
    return best


def busy_cores(machine: list[tuple[float, int, int]], a: float, b: float) -> float:
    inside = [m for m in machine if a - 0.5 <= m[0] <= b + 0.5]
    if len(inside) < 2:
        return float("nan")
    (_, b0, t0), (_, b1, t1) = inside[0], inside[-1]
    cores = os.cpu_count() or 1
    return cores * (b1 - b0) / (t1 - t0) if t1 > t0 else float("nan")


def newest_drawn(drawn: list[tuple[float, int]], wall: float) -> int:
    i = bisect.bisect_right([t for t, _ in drawn], wall)
    return drawn[i - 1][1] if i else 0


def analyse(bench: dict, res: dict, server_log: list[dict], reads, machine, drawn) -> dict:
    marks, snaps = res["marks"], res["snaps"]
    first, fed_end, drained = marks["first_event"], marks["fed_end"], marks["drained"]
    idle_start, idle_end = marks["idle_start"], marks["idle_end"]
    t0, t1 = first["wall"], fed_end["wall"]
    fed_s = t1 - t0
    start = next((r["wall"] for r in server_log if r["kind"] == "start"), t0)
    done = next((r for r in server_log if r["kind"] == "done"), None)

    # Backlog, once a second during the feed: events the server owed by then (its target) and
    # events it had sent, minus what the app had received; and received minus flushed to the log.
    fed_snaps = [s for s in snaps if t0 <= s["wall"] <= t1]
    behind, unflushed, unsent = [], [], []
    for s in fed_snaps:
        target = min(bench["expected"], bench["rate"] * (s["wall"] - start))
        srv = server_at(server_log, s["wall"])
        behind.append((s["wall"] - t0, target - s["received"]))
        unsent.append((s["wall"] - t0, target - srv["sent"]))
        unflushed.append((s["wall"] - t0, s["received"] - s["flushed"]))
    after_warmup = [p for p in behind if p[0] >= 2.0]
    # How far the log on screen trails what the app received (ids are 1, 2, ... = received).
    # With many streams each has its own ids (1, 2, ...): the newest drawn trails received/streams.
    streams, stream_rate = bench.get("streams", 1), bench.get("stream_rate", bench["rate"])
    stale = [(s["wall"] - t0, s["received"] / streams - newest_drawn(drawn, s["wall"])) for s in fed_snaps]
    stale_after_1s = [v for t, v in stale if t >= 1.0]
    frozen_from = next((t for t, v in stale if v > stream_rate), None)

    lags = [lag for wall, lag in res["lags"] if t0 <= wall <= t1]
    filter_lags = [lag for wall, lag in res["lags"] if wall >= marks.get("filters_start", {}).get("wall", 1e18)]

    times = [t for t, _ in reads]
    per_second = [bytes_between(reads, times, t0 + i, t0 + i + 1) for i in range(int(fed_s))]
    idle_s = idle_end["wall"] - idle_start["wall"]
    idle_snaps = [s for s in snaps if idle_start["wall"] <= s["wall"] <= idle_end["wall"]]
    idle_cpu_per_s = [100 * (b["cpu"] - a["cpu"]) / (b["wall"] - a["wall"])
                      for a, b in zip(idle_snaps, idle_snaps[1:])]

    def gcs(a: float, b: float, gen: int) -> list[float]:
        return [ms for wall, g, ms in res["gcs"] if a <= wall <= b and g == gen]

    def rss_near(wall: float) -> int:
        return min(snaps, key=lambda s: abs(s["wall"] - wall))["rss"]

    full = [s for s in fed_snaps if s["retained"] >= res["buffer_size"]]
    rss_full = [((s["wall"] - t0), s["rss"] / 2**20) for s in full]

    server_cpu = (done["cpu"] if done else float("nan"))
    sent_at_end = server_at(server_log, t1)["sent"]
    return {
        "rate": bench["rate"], "refresh_hz": bench["refresh_hz"], "seconds": bench["seconds"],
        "size": res["size"],
        "fed_s": fed_s,
        "sent_total": done["sent"] if done else None,
        "sent_bytes": done["bytes"] if done else None,
        "received_total": drained["received"],
        "flushed_total": drained["flushed"],
        "received_at_end": fed_end["received"],
        "sent_at_end": sent_at_end,
        "drain_s": drained["wall"] - t1,
        "backlog_max": max((b for _, b in behind), default=0),
        "backlog_5s": next((b for t, b in behind if t >= 5), None),
        "backlog_end": behind[-1][1] if behind else None,
        "backlog_slope": slope(after_warmup),
        "unsent_max": max((b for _, b in unsent), default=0),
        "screen_behind_max_s": max(stale_after_1s, default=0) / stream_rate,
        "screen_behind_end_s": (stale[-1][1] / stream_rate) if stale else None,
        "streams": streams, "stream_rate": stream_rate,
        "screen_newest_id_end": newest_drawn(drawn, t1),
        "screen_frozen_from_s": frozen_from,
        "unflushed_max": max((b for _, b in unflushed), default=0),
        "lag_p50": pct(lags, 50), "lag_p99": pct(lags, 99), "lag_max": max(lags, default=float("nan")),
        "lag_n": len(lags),
        "filter_lag_max": max(filter_lags, default=float("nan")),
        "log_writes_per_s": (fed_end["log_writes"] - first["log_writes"]) / fed_s,
        "term_kbps_avg": bytes_between(reads, times, t0, t1) / fed_s / 1000,
        "term_kbps_max": max(per_second, default=0) / 1000,
        "term_kbps_steady": (bytes_between(reads, times, t0 + 5, t1) / (fed_s - 5) / 1000) if fed_s > 6 else None,
        "term_kbps_idle": bytes_between(reads, times, idle_start["wall"], idle_end["wall"]) / idle_s / 1000,
        "rss_5s_mb": rss_near(t0 + 5) / 2**20,
        "rss_end_mb": fed_end["rss"] / 2**20,
        "rss_idle_end_mb": idle_end["rss"] / 2**20,
        "rss_after_filters_mb": marks.get("end", idle_end)["rss"] / 2**20,
        "buffer_full_at_s": rss_full[0][0] if rss_full else None,
        "rss_full_slope_mb_s": slope(rss_full) if len(rss_full) >= 3 else None,
        "rss_full_delta_mb": (rss_full[-1][1] - rss_full[0][1]) if len(rss_full) >= 2 else None,
        "cpu_fed_pct": 100 * (fed_end["cpu"] - first["cpu"]) / fed_s,
        "cpu_idle_pct": res["idle"]["cpu_pct"],
        "idle_log_writes": res["idle"]["log_writes"],
        "cpu_idle_per_s": idle_cpu_per_s,
        "settle_gc_ms": res["idle"].get("settle_gc_ms"),
        "term_per_s_kb": [round(b / 1000, 1) for b in per_second],
        "gc_fed": {g: (len(gcs(t0, t1, g)), max(gcs(t0, t1, g), default=0.0)) for g in (0, 1, 2)},
        "gc_idle": {g: (len(gcs(idle_start["wall"], idle_end["wall"], g)),
                        max(gcs(idle_start["wall"], idle_end["wall"], g), default=0.0)) for g in (0, 1, 2)},
        "server_cpu_s": server_cpu,
        "machine_busy_cores_fed": busy_cores(machine, t0, t1),
        "machine_busy_cores_idle": busy_cores(machine, idle_start["wall"], idle_end["wall"]),
        "others_cores_fed": busy_cores(machine, t0, t1) - (fed_end["cpu"] - first["cpu"]) / fed_s
        - (server_at(server_log, t1)["cpu"] - server_at(server_log, t0)["cpu"]) / fed_s,
        "refilters": res["refilters"],
        "refilter_parts": res.get("parts") or {},
        "features": res.get("features") or {},
        "gc_threshold": res.get("gc_threshold"),
        "gc_frozen": res.get("gc_frozen"),
    }


# ---------------------------------------------------------------------------------------------
# Report


def fmt(value, spec: str = ".1f") -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and value != value:
        return "nan"
    return format(value, spec)


def report(runs: list[dict]) -> list[tuple[str, bool | str | None]]:
    heads = [(f"{r['streams']} x {r['stream_rate']:,}/s" if r["streams"] > 1 else f"{r['rate']:,}/s")
             + f" @{r['refresh_hz']:g} Hz, {r['seconds']:g} s" for r in runs]
    rows: list[tuple[str, list[str]]] = [
        ("received / sent (end of feed)", [f"{r['received_at_end']:,} / {r['sent_at_end']:,}" for r in runs]),
        ("received / sent (total)", [f"{r['received_total']:,} / {r['sent_total']:,}" for r in runs]),
        ("flushed to log (total)", [f"{r['flushed_total']:,}" for r in runs]),
        ("drain after feed end (s)", [fmt(r["drain_s"], ".2f") for r in runs]),
        ("backlog events: at 5 s / end / max", [f"{fmt(r['backlog_5s'], ',.0f')} / {fmt(r['backlog_end'], ',.0f')} / {fmt(r['backlog_max'], ',.0f')}" for r in runs]),
        ("backlog trend after 2 s (events/s)", [fmt(r["backlog_slope"], "+.0f") for r in runs]),
        ("server behind its target, max", [fmt(r["unsent_max"], ",.0f") for r in runs]),
        ("received not yet flushed, max", [fmt(r["unflushed_max"], ",.0f") for r in runs]),
        ("newest id on screen at feed end", [f"{r['screen_newest_id_end']:,}" for r in runs]),
        ("screen behind received: max / end (s)", [f"{fmt(r['screen_behind_max_s'], '.2f')} / {fmt(r['screen_behind_end_s'], '.2f')}" for r in runs]),
        ("loop lag p50 / p99 / max (ms)", [f"{fmt(r['lag_p50'], '.2f')} / {fmt(r['lag_p99'], '.2f')} / {fmt(r['lag_max'], '.1f')}" for r in runs]),
        ("log writes / s", [fmt(r["log_writes_per_s"]) for r in runs]),
        ("terminal KB/s fed: avg / max 1 s", [f"{fmt(r['term_kbps_avg'])} / {fmt(r['term_kbps_max'])}" for r in runs]),
        ("terminal KB/s fed, from 5 s on (steady)", [fmt(r["term_kbps_steady"]) for r in runs]),
        ("terminal KB/s idle", [fmt(r["term_kbps_idle"], ".2f") for r in runs]),
        ("RSS MB at 5 s / feed end / idle end", [f"{fmt(r['rss_5s_mb'])} / {fmt(r['rss_end_mb'])} / {fmt(r['rss_idle_end_mb'])}" for r in runs]),
        ("RSS while buffer full: from t / delta MB", [f"{fmt(r['buffer_full_at_s'], '.0f')} s / {fmt(r['rss_full_delta_mb'], '+.1f')}" for r in runs]),
        ("RSS after re-filters (MB)", [fmt(r["rss_after_filters_mb"]) for r in runs]),
        ("app CPU % of a core, fed", [fmt(r["cpu_fed_pct"]) for r in runs]),
        ("app CPU % of a core, idle", [fmt(r["cpu_idle_pct"], ".2f") for r in runs]),
        ("  idle, each second", [" ".join(fmt(c, ".1f") for c in r["cpu_idle_per_s"]) for r in runs]),
        ("gc gen2 fed: count / max ms", [f"{r['gc_fed'][2][0]} / {fmt(r['gc_fed'][2][1])}" for r in runs]),
        ("gc max pause fed, any gen (ms)", [fmt(max(r["gc_fed"][g][1] for g in (0, 1, 2))) for r in runs]),
        ("gc thresholds / frozen objects", [f"{r['gc_threshold']} / {fmt(r['gc_frozen'], ',')}" for r in runs]),
        ("on: columns / chart / alert", [" / ".join("yes" if r["features"].get(k) else "no" for k in ("columns", "chart", "alert")) for r in runs]),
        ("gc gen1 fed: count / max ms", [f"{r['gc_fed'][1][0]} / {fmt(r['gc_fed'][1][1])}" for r in runs]),
        ("full gc.collect() before idle (ms)", [fmt(r["settle_gc_ms"]) for r in runs]),
        ("gc any gen, idle: count / max ms", [f"{sum(r['gc_idle'][g][0] for g in (0, 1, 2))} / {fmt(max(r['gc_idle'][g][1] for g in (0, 1, 2)))}" for r in runs]),
        ("feed server CPU (s, whole run)", [fmt(r["server_cpu_s"]) for r in runs]),
        ("machine busy cores fed / idle", [f"{fmt(r['machine_busy_cores_fed'], '.2f')} / {fmt(r['machine_busy_cores_idle'], '.2f')}" for r in runs]),
        ("  of which not this benchmark, fed", [fmt(r["others_cores_fed"], ".2f") for r in runs]),
    ]
    width = max(len(name) for name, _ in rows)
    colw = [max(len(h), *(len(vals[i]) for _, vals in rows)) for i, h in enumerate(heads)]
    print(f"\n{'':{width}}  " + "  ".join(f"{h:>{w}}" for h, w in zip(heads, colw)))
    for name, vals in rows:
        print(f"{name:{width}}  " + "  ".join(f"{v:>{w}}" for v, w in zip(vals, colw)))

    with_filters = [r for r in runs if r["refilters"]]
    if with_filters:
        print("\nre-filter (apply_filter call, ms; 'screen' = until the next frame is drawn)")
        filters = list(dict.fromkeys(f["filter"] for r in with_filters for f in r["refilters"]))
        print(f"{'filter':26}" + "".join(
            f"  {format(r['rate'], ',') + '/s: retained, first / again / screen, matches':>54}" for r in with_filters))
        for text in filters:
            cells = []
            for r in with_filters:
                got = {f["attempt"]: f for f in r["refilters"] if f["filter"] == text}
                a, b = got.get("first"), got.get("again")
                matches = a["status"].split(" ")[0] if " of " in a["status"] else "all"
                cells.append(f"{a['retained']:,}, {a['ms']:6.1f} / {b['ms']:6.1f} / {a['to_screen_ms']:6.1f} ms, {matches}")
            print(f"{text or '(empty)':26}" + "".join(f"  {c:>54}" for c in cells))
        print(f"{'loop lag max while filtering':26}" + "".join(
            f"  {fmt(r['filter_lag_max'], '.1f') + ' ms':>54}" for r in with_filters))
        for r in with_filters:
            p = r["refilter_parts"]
            if p:
                print(f"  {r['rate']:,}/s, no filter, {p['lines']:,} lines kept by the log: format_entry "
                      f"{p['format_ms']:.1f} ms, log.replace {p['replace_ms']:.1f} ms, "
                      f"list(buffer) {p['copy_buffer_ms']:.1f} ms")

    at20 = [r for r in runs if r["refresh_hz"] == 20]
    full = [r for r in runs if r["rss_full_delta_mb"] is not None and r["buffer_full_at_s"] is not None
            and r["fed_s"] - r["buffer_full_at_s"] >= 5]
    refilter_ms = [f["ms"] for r in with_filters for f in r["refilters"] if f["retained"] >= 100_000]
    one = [r for r in runs if r["streams"] == 1]
    fast = [r for r in one if r["rate"] >= 20_000]
    many = [r for r in runs if r["streams"] > 1]

    def figures(rows: list[dict], key: str, spec: str = ".1f", unit: str = "") -> str:
        return ", ".join(f"{r['rate'] // 1000}k/s: {fmt(r[key], spec)}{unit}" if r["streams"] == 1
                         else f"{r['streams']}x{r['stream_rate']}/s: {fmt(r[key], spec)}{unit}" for r in rows)

    worst = max((f for r in with_filters for f in r["refilters"] if f["retained"] >= 100_000),
                key=lambda f: f["ms"], default=None)
    gc_max = {id(r): max(r["gc_fed"][g][1] for g in (0, 1, 2)) for r in runs}
    for r in runs:
        r["gc_max_fed"] = gc_max[id(r)]
    features = [r for r in fast if not all(r["features"].get(k) for k in ("columns", "chart", "alert"))]
    verdicts: list[tuple[str, bool | str | None]] = [
        ("no growing backlog (all received and flushed, drain <= 1 s, trend < 2% of rate)",
         all(r["received_total"] == r["sent_total"] == r["flushed_total"] and r["drain_s"] <= 1.0
             and r["backlog_slope"] < 0.02 * r["rate"] for r in runs)),
        (f"loop lag p99 <= 10 ms at 20,000 and 50,000 events/s with columns, chart and alert on "
         f"({figures(fast, 'lag_p99', '.2f', ' ms')})"
         + (" [not every feature was on: see 'on:']" if features else ""),
         (all(r["lag_p99"] <= 10 for r in fast) and not features) if fast else None),
        (f"no GC pause over 10 ms while fed ({figures(runs, 'gc_max_fed', '.1f', ' ms')})",
         all(gc_max[id(r)] <= 10 for r in runs)),
        ("log writes/s <= refresh rate", all(r["log_writes_per_s"] <= r["refresh_hz"] * 1.02 for r in runs)),
        (f"terminal <= 100 KB/s at 20 Hz, avg ({figures(at20, 'term_kbps_avg', '.1f', ' KB/s')})",
         None if not at20 else "invalid" if any(r["screen_behind_max_s"] > 1.0 for r in at20)
         else all(r["term_kbps_avg"] <= 100 for r in at20)),
        ("RSS flat once the buffer is full (< 5 MB growth; one-stream runs: with 200 streams their "
         f"duplicate windows, 10,000 ids each, fill all run long) ({figures(full, 'rss_full_delta_mb', '+.1f', ' MB')})",
         all(r["rss_full_delta_mb"] < 5 for r in full if r["streams"] == 1) if full else None),
        ("re-filter 100,000 events <= 100 ms, every filter, first use of a JSON field included"
         + (f" (worst: {worst['filter'] or '(empty)'} {worst['attempt']} {worst['ms']:.1f} ms)" if worst else ""),
         all(ms <= 100 for ms in refilter_ms) if refilter_ms else None),
        (f"idle <= 3 % of a core with every pane open ({figures(runs, 'cpu_idle_pct', '.2f', ' %')}; "
         "judged on the one-stream runs: 200 stopped streams keep 400 stats cells ageing)",
         all(r["cpu_idle_pct"] <= 3 for r in one)),
        (f"{'200' if not many else many[0]['streams']} streams at 100 events/s each: under one core "
         f"({figures(many, 'cpu_fed_pct', '.1f', ' %')})",
         all(r["cpu_fed_pct"] < 100 for r in many) if many else None),
        (f"... and loop lag p99 <= 20 ms ({figures(many, 'lag_p99', '.2f', ' ms')})",
         all(r["lag_p99"] <= 20 for r in many) if many else None),
    ]
    print("\nterminal KB in each second of the feed")
    for r, h in zip(runs, heads):
        print(f"  {h}: " + " ".join(f"{kb:.0f}" for kb in r["term_per_s_kb"]))

    print("\ntargets")
    for name, ok in verdicts:
        label = {True: "MET    ", False: "NOT MET", None: "n/a    ", "invalid": "INVALID"}[ok]
        print(f"  {label} {name}" + (" (the log on screen froze: see the check below)" if ok == "invalid" else ""))
    fresh = all(r["screen_behind_max_s"] <= 1.0 for r in runs)
    print(f"check: the log on screen keeps up with what arrives (newest id drawn within 1 s): "
          f"{'yes' if fresh else 'NO'}")
    for r in runs:
        if r["screen_frozen_from_s"] is not None:
            print(f"  {r['rate']:,}/s @{r['refresh_hz']:g} Hz: the log stopped showing new events from "
                  f"{r['screen_frozen_from_s']:.0f} s (newest id drawn {r['screen_newest_id_end']:,}); "
                  f"the terminal figures above are then not what a working log would write")
    return verdicts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="4 s phases, 2 s idle, no 5 Hz run")
    parser.add_argument("--rates", default="20000,50000", help="events/s, comma-separated")
    parser.add_argument("--seconds", type=float, default=20.0, help="fed phase per rate")
    parser.add_argument("--idle", type=float, default=5.0, help="idle phase (streams stopped)")
    parser.add_argument("--refresh-hz", type=float, default=20.0)
    parser.add_argument("--extra-hz", type=float, default=5.0,
                        help="one more run at this refresh rate (5,000/s, half the phase); 0: none")
    parser.add_argument("--truecolor", action="store_true",
                        help="COLORTERM=truecolor (24-bit colour escapes); default: unset, as over "
                        "SSH, which does not forward COLORTERM, so Textual writes 256 colours")
    parser.add_argument("--no-gc-tune", action="store_true",
                        help="reference: CPython's default GC settings (no gc.freeze, default thresholds)")
    parser.add_argument("--streams", type=int, default=200,
                        help="one more run with this many streams at --stream-rate each; 0: none")
    parser.add_argument("--stream-rate", type=int, default=100, help="events/s of each of --streams")
    parser.add_argument("--json", type=Path, help="write every figure here")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--rate", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--serve-streams", dest="serve_streams", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.serve:
        asyncio.run(serve(args.rate, args.seconds, args.serve_streams))
        return

    if args.quick:
        args.seconds, args.idle, args.extra_hz = 4.0, 2.0, 0.0
    plan = [(int(r), args.seconds, args.refresh_hz, FILTERS, 1) for r in args.rates.split(",")]
    if args.streams:
        plan.append((args.stream_rate, args.seconds, args.refresh_hz, [], args.streams))
    if args.extra_hz:
        plan.append((5000, args.seconds / 2, args.extra_hz, [], 1))

    load = os.getloadavg()
    print(f"{os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
          f"{COLS}x{ROWS} pty, TERM=xterm-256color, "
          f"{'COLORTERM=truecolor' if args.truecolor else 'COLORTERM unset (256 colours)'}")
    runs = []
    started = time.monotonic()
    for rate, seconds, hz, filters, streams in plan:
        t = time.monotonic()
        what = f"{streams} streams x {rate:,} events/s" if streams > 1 else f"{rate:,} events/s"
        print(f"run: {what} for {seconds:g} s at {hz:g} Hz ...", end=" ", flush=True)
        runs.append(run_once(rate, seconds, hz, args.idle, filters, truecolor=args.truecolor,
                             gc_tune=not args.no_gc_tune, streams=streams))
        print(f"{time.monotonic() - t:.0f} s")
    load = os.getloadavg()
    print(f"total {time.monotonic() - started:.0f} s; load average after {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    verdicts = report(runs)
    if args.json:
        args.json.write_text(json.dumps({"runs": runs, "verdicts": verdicts}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
