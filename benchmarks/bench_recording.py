"""Recording and replay benchmark: ratios and rates measured in one run.

    python benchmarks/bench_recording.py            # about a minute
    python benchmarks/bench_recording.py --quick

1. `streamdash replay FILE --instant --format jsonl > /dev/null` on a 1,000,000-event recording:
   events/s and the peak RSS of the replaying process.
2. Recording overhead: `streamdash tail --format jsonl > /dev/null` with `--record FILE` against
   the same run without it, both reading the same loopback server (bench_sse's) for the same
   events, alternated, best of each. Target: at most 1.3x.
3. `streamdash replay FILE --instant` into the dashboard, on the same 1,000,000-event recording:
   the real command on a pseudo-terminal as bench_dashboard runs the app (160x48,
   TERM=xterm-256color, COLORTERM unset), timed from spawn until the screen shows the replay
   finished (the "replay finished: N items" notification); events/s = events / that time. The
   app's RSS (VmRSS) when the finish shows and its peak (VmHWM) come from /proc, then Ctrl+Q
   must quit it with status 0. Alongside: how far the log on screen trailed (newest event id
   drawn, sampled as the terminal output arrives), the longest pause in the terminal output, the
   app's CPU and the whole machine's (this process reading the pty included), and the ratio to
   part 1's headless rate.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import re
import resource
import select
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_dashboard import _SGR, COLS, ROWS, busy_cores, cpu_jiffies  # noqa: E402
from benchmarks.bench_sse import ROOT, SERVER  # noqa: E402

# What the dashboard draws: a log line of make_recording's stream (time, stream, type, id; colour
# codes between), and the notification the replay worker posts at the end.
LOG_LINE_ID = re.compile(
    rb"\d\d:\d\d:\d\d\.\d\d\d" + _SGR + rb"ticker" + _SGR + rb"price" + _SGR + rb"(\d+)"
)
FINISHED = re.compile(rb"replay finished: ([\d,]+) items")
CSI = re.compile(rb"\x1b\[[0-9;?<>=$]*[ -/]*[@-~]")
DASHBOARD_FINISH_TIMEOUT_S = 600.0


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


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of `pid` in bytes (empty once it is gone)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            lines = f.read().splitlines()
    except OSError:
        return {}
    return {k: int(v.split()[0]) * 1024 for k, _, v in (line.partition(":") for line in lines)
            if k in ("VmRSS", "VmHWM")}


def proc_cpu_s(pid: int) -> float:
    """User + system CPU seconds of `pid` so far."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bench_replay_dashboard(n: int) -> dict:
    """The real `streamdash replay FILE --instant` on a pty, timed until the finish shows."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rec.jsonl"
        make_recording(path, n)
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
        env.pop("COLORTERM", None)
        env.update(TERM="xterm-256color", COLUMNS=str(COLS), LINES=str(ROWS))
        for name in ("CONFIG", "DATA", "STATE"):  # the defaults, not the user's config.toml
            env[f"STREAMDASH_{name}_DIR"] = str(Path(tmp) / name.lower())
        machine = [(time.time(), *cpu_jiffies())]
        start = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-m", "streamdash", "replay", str(path), "--instant"],
            stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True,
        )
        os.close(slave)
        tail = bytearray()
        term_bytes = 0
        first_frame = finished = quit_sent = None
        items_shown = newest_at_finish = 0
        newest, drawn = 0, [(0.0, 0)]  # (seconds since spawn, newest event id drawn) as it grows
        reads: list[float] = []  # seconds since spawn of each read, until the finish shows
        rss: list[float] = []  # VmRSS in MB once a second from the spawn, then at the finish
        at_finish: dict[str, int] = {}
        later: dict[str, int] = {}
        cpu_at_finish = float("nan")
        next_sample = 0.0
        deadline = start + DASHBOARD_FINISH_TIMEOUT_S
        try:
            while True:
                now = time.perf_counter()
                if finished is None and now - start >= next_sample:
                    rss.append(proc_status(child.pid).get("VmRSS", 0) / 2**20)
                    next_sample += 1.0
                if finished is not None and quit_sent is None and now - start >= finished + 1.0:
                    later = proc_status(child.pid)
                    os.write(master, b"\x11")  # Ctrl+Q
                    quit_sent = now - start
                if now > deadline:
                    break
                ready, _, _ = select.select([master], [], [], 0.05)
                if not ready:
                    continue
                try:
                    data = os.read(master, 1 << 16)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not data:
                    break
                t = time.perf_counter() - start
                term_bytes += len(data)
                if first_frame is None:
                    first_frame = t
                scan = bytes(tail[-2048:]) + data  # a line may straddle two reads
                tail += data
                del tail[:-8192]
                ids = [int(m) for m in LOG_LINE_ID.findall(scan)]
                if ids and max(ids) > newest:
                    newest = max(ids)
                    drawn.append((t, newest))
                if finished is not None:
                    continue
                reads.append(t)
                done = FINISHED.search(CSI.sub(b"", scan))
                if done:
                    finished = t
                    at_finish = proc_status(child.pid)
                    cpu_at_finish = proc_cpu_s(child.pid)
                    machine.append((time.time(), *cpu_jiffies()))
                    items_shown = int(done.group(1).replace(b",", b""))
                    newest_at_finish = newest
                    rss.append(at_finish.get("VmRSS", 0) / 2**20)
        finally:
            os.close(master)
            if finished is None or quit_sent is None:
                os.killpg(child.pid, signal.SIGKILL)
            try:
                code = child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                code = child.wait()
        exited = time.perf_counter() - start
    if finished is None:
        screen = CSI.sub(b"", bytes(tail)).decode("utf-8", "replace")
        raise RuntimeError(
            f"the dashboard showed no \"replay finished\" within {DASHBOARD_FINISH_TIMEOUT_S:.0f} s "
            f"(newest event id drawn: {newest:,}; RSS MB once a second: "
            f"{[round(mb) for mb in rss[-20:]]}); the terminal's last output:\n{screen[-1500:]}"
        )
    # Longest pause of the screen while the replay ran, and of the log's newest line.
    gaps = [b - a for a, b in zip(reads, reads[1:])]
    log_gaps = [b[0] - a[0] for a, b in zip(drawn[1:], drawn[2:]) if b[0] <= finished]
    return {
        "events": n, "items_shown": items_shown, "seconds": finished,
        "events_per_s": n / finished, "first_frame_s": first_frame,
        "events_per_s_after_first_frame": n / (finished - first_frame),
        "rss_finish_mb": at_finish.get("VmRSS", 0) / 2**20,
        "rss_1s_later_mb": later.get("VmRSS", 0) / 2**20,
        "peak_rss_mb": max(at_finish.get("VmHWM", 0), later.get("VmHWM", 0)) / 2**20,
        "rss_per_s_mb": rss,
        "cpu_pct": 100 * cpu_at_finish / finished,
        "machine_busy_cores": busy_cores(machine, machine[0][0], machine[-1][0]),
        "cores": os.cpu_count(),
        "term_mb": term_bytes / 1e6,
        "max_screen_gap_s": max(gaps, default=float("nan")),
        "newest_id_at_finish": newest_at_finish, "newest_id_drawn": newest,
        "first_id_drawn_s": drawn[1][0] if len(drawn) > 1 else None,
        "max_log_gap_s": max(log_gaps, default=float("nan")),
        "quit_s": exited - quit_sent if quit_sent is not None else float("nan"),
        "exit_code": code,
    }


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
    d = bench_replay_dashboard(n_replay)
    print(f"3. replay --instant into the dashboard ({COLS}x{ROWS} pty, TERM=xterm-256color): "
          f"{d['events']:,} events in {d['seconds']:.2f} s from spawn to \"replay finished: "
          f"{d['items_shown']:,} items\" on screen = {d['events_per_s']:,.0f} events/s "
          f"(first frame at {d['first_frame_s']:.2f} s; {d['events_per_s_after_first_frame']:,.0f} "
          f"events/s from it); RSS {d['rss_finish_mb']:.0f} MB at the finish "
          f"({d['rss_1s_later_mb']:.0f} MB 1 s later), peak {d['peak_rss_mb']:.0f} MB; "
          f"Ctrl+Q quit in {d['quit_s']:.2f} s with status {d['exit_code']}")
    print(f"   RSS MB once a second from the spawn, then at the finish: "
          f"{' '.join(f'{mb:.0f}' for mb in d['rss_per_s_mb'])}")
    print(f"   the app used {d['cpu_pct']:.0f} % of a core; the machine {d['machine_busy_cores']:.2f} of "
          f"{d['cores']} cores busy; terminal output {d['term_mb']:.1f} MB, longest pause "
          f"{d['max_screen_gap_s'] * 1000:.0f} ms; newest event id in the log {d['newest_id_at_finish']:,} "
          f"when the finish showed, {d['newest_id_drawn']:,} by Ctrl+Q (last id {d['events'] - 1:,}); "
          f"the log's newest line advanced at least every {d['max_log_gap_s'] * 1000:.0f} ms")
    print(f"   dashboard replay is {d['events_per_s'] / r['events_per_s']:.2f}x the headless rate of "
          f"part 1 ({d['events_per_s']:,.0f} vs {r['events_per_s']:,.0f} events/s)")
    if d["exit_code"] != 0 or d["items_shown"] != d["events"] + 1:
        raise SystemExit(f"part 3 failed: exit status {d['exit_code']}, "
                         f"{d['items_shown']:,} items shown (expected {d['events'] + 1:,})")


if __name__ == "__main__":
    main()
