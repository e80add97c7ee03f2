"""The dashboard side of bench_dashboard.py. The parent runs this on a pseudo-terminal; not for use
by hand.

    python _dashboard_child.py '{"url": ..., "rate": ..., "seconds": ..., "result": ...}'

It builds a one-request collection pointing at the parent's feed server and runs a subclass of
`StreamdashApp` that autostarts that stream and measures itself: event-loop lag (a task that sleeps
5 ms and records how late it wakes), a snapshot of counters every second, then idle CPU with the
stream stopped, then the time of each re-filter over the retained buffer. It writes one JSON file
and exits. Only the app's public attributes are read; nothing in the app is patched.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

from streamdash.core.collections import load_collection
import streamdash.ui.app
from streamdash.core.session import Session
from streamdash.ui.app import StreamdashApp
from streamdash.ui.lines import format_entry
from streamdash.ui.widgets.chart_pane import ChartPane

PAGE = os.sysconf("SC_PAGE_SIZE")
PROBE_S = 0.005
KEY = "feed"  # the request's key in the app: its name, no group


def rss_bytes() -> int:
    with open("/proc/self/statm", "rb") as f:
        return int(f.read().split()[1]) * PAGE


def stream_keys(streams: int) -> list[str]:
    return [KEY] if streams == 1 else [f"{KEY}{i:03d}" for i in range(streams)]


def write_collection(root: Path, url: str, streams: int = 1) -> None:
    """SSE requests with JSON columns (`[stream] columns`) and one armed alert (`alerts.toml`):
    one request `feed`, or `streams` of them, feed000 .. feed199."""
    (root / "collection.toml").write_text('name = "bench"\n', encoding="utf-8")
    for key in stream_keys(streams):
        (root / f"{key}.toml").write_text(
            f'name = "{key}"\nkind = "sse"\nmethod = "GET"\nurl = "{url}"\n\n'
            '[stream]\ncolumns = ["symbol", "price", "change"]\n',
            encoding="utf-8",
        )
    (root / "alerts.toml").write_text(
        '[[alert]]\nname = "crash"\nfilter = "change<-50"\nbell = false\n', encoding="utf-8"
    )


def features_on(app: StreamdashApp, key: str) -> dict[str, bool]:
    """Which of columns / chart / alert are really on, read from the app (not assumed)."""
    request = app.session.find(key)
    settings = getattr(request, "stream", None) if request is not None else None
    columns = bool(getattr(settings, "columns", None))
    chart_pane = app.query_one(ChartPane)
    chart = bool(chart_pane.shown and chart_pane.display and app.session.chart.plots)
    alert = any(item.armed for item in app.session.alerts.items)
    return {"columns": columns, "chart": chart, "alert": alert}


class BenchApp(StreamdashApp):
    """StreamdashApp plus measurement. Textual runs every class's `on_mount` up the MRO, so the
    app's own `on_mount` still runs (after this one) and must not be called from here."""

    # Textual reads a relative CSS_PATH beside the module of the class that runs, i.e. here.
    CSS_PATH = str(Path(streamdash.ui.app.__file__).parent / str(StreamdashApp.CSS_PATH))

    def __init__(self, session, *, bench: dict, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(session, **kwargs)
        self.bench = bench
        self.snaps: list[dict] = []
        self.lags: list[tuple[float, float]] = []  # (wall time, lag in ms)
        self.marks: dict[str, dict] = {}
        self.refilters: list[dict] = []
        self.idle: dict = {}
        self.parts: dict = {}
        self.gcs: list[tuple[float, int, float]] = []  # (wall time, generation, ms)
        self._gc_start = 0.0
        gc.callbacks.append(self._gc)
        self.error: str | None = None
        self.features: dict[str, bool] = {}
        self._probing = True
        self._tasks: list[asyncio.Task] = []

    def _tune_gc(self) -> None:
        """The reference run (`--no-gc-tune`) keeps CPython's defaults to compare against."""
        if self.bench.get("gc_tune", True) and hasattr(StreamdashApp, "_tune_gc"):
            super()._tune_gc()

    def on_mount(self) -> None:
        self._tasks = [asyncio.create_task(c) for c in (self._probe(), self._sampler(), self._script())]
        self.call_after_refresh(self._open_chart)  # after the app's own on_mount

    def _open_chart(self) -> None:
        """The chart pane open, plotting the first stream's `price`, as `v` then Enter leaves it
        (ChartActions.plot: the pane shown, the buffer's past backfilled)."""
        self.plot(stream_keys(self.bench.get("streams", 1))[0], "price")

    # -- measurement ------------------------------------------------------------------------

    def snap(self) -> dict:
        return {
            "wall": time.time(),
            "received": self.session.buffer.next_seq,
            "flushed": self.events_pane.view.flushed_seq,
            "retained": len(self.session.buffer),
            "log_writes": self.events_pane.log_writes,
            "rss": rss_bytes(),
            "cpu": time.process_time(),
        }

    def mark(self, name: str) -> dict:
        self.marks[name] = snap = self.snap()
        return snap

    def _gc(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._gc_start = time.perf_counter()
        else:
            self.gcs.append((time.time(), info["generation"], (time.perf_counter() - self._gc_start) * 1000))

    async def _probe(self) -> None:
        clock, sleep, lags = time.perf_counter, asyncio.sleep, self.lags
        while True:
            if not self._probing:
                await sleep(0.1)
                continue
            start = clock()
            await sleep(PROBE_S)
            lags.append((time.time(), (clock() - start - PROBE_S) * 1000))

    async def _sampler(self) -> None:
        start = time.monotonic()
        tick = 0
        while True:
            self.snaps.append(self.snap())
            tick += 1
            await asyncio.sleep(max(0.0, start + tick - time.monotonic()))

    async def _next_frame(self) -> None:
        done = asyncio.get_running_loop().create_future()
        self.call_after_refresh(lambda: done.done() or done.set_result(None))
        await asyncio.wait_for(done, 5)

    async def _script(self) -> None:
        bench = self.bench
        try:
            begun = time.monotonic()
            while self.session.buffer.next_seq == 0:
                if time.monotonic() - begun > 15:
                    raise RuntimeError("no event arrived within 15 s of mounting")
                await asyncio.sleep(0.002)
            first = self.mark("first_event")
            await asyncio.sleep(max(0.0, first["wall"] + bench["seconds"] - time.time()))
            fed_end = self.mark("fed_end")
            self.features = features_on(self, stream_keys(bench.get("streams", 1))[0])  # as fed
            expected = bench["expected"]
            while self.session.buffer.next_seq < expected or self.events_pane.view.flushed_seq < self.session.buffer.next_seq:
                if time.time() - fed_end["wall"] > bench["drain_cap"]:
                    break
                await asyncio.sleep(0.005)
            self.mark("drained")
            self.session.stop_all()
            await asyncio.sleep(0.5)
            # The feed leaves a full collection due (100-200 ms over 100k retained events); run
            # it now, timed, so the idle window measures steady idle rather than when it lands.
            start = time.perf_counter()
            gc.collect()
            settle_gc_ms = (time.perf_counter() - start) * 1000
            await asyncio.sleep(0.5)

            # Idle: the stream stopped, the app open. The lag probe is paused (its 200 wake-ups
            # a second would be counted as the app's own idle CPU); the 1 Hz sampler stays.
            self._probing = False
            start = self.mark("idle_start")
            await asyncio.sleep(bench["idle"])
            end = self.mark("idle_end")
            self._probing = True
            self.idle = {
                "cpu_pct": 100 * (end["cpu"] - start["cpu"]) / (end["wall"] - start["wall"]),
                "log_writes": end["log_writes"] - start["log_writes"],
                "settle_gc_ms": settle_gc_ms,
            }

            if bench["filters"]:
                await self._refilters(bench["filters"])
            self.mark("end")
        except Exception:  # noqa: BLE001 - reported in the result, never lost on the pty
            self.error = traceback.format_exc()
        finally:
            self._write(bench["result"])
            self.exit()

    async def _refilters(self, filters: list[str]) -> None:
        self.mark("filters_start")
        pane = self.events_pane
        status = pane.filter_bar.query_one("#filter-status")
        for text in filters:
            for attempt in ("first", "again"):
                pane.filter_bar.input.value = text  # posts Input.Changed: a debounced re-apply
                start = time.perf_counter()
                pane.apply_filter()
                took = time.perf_counter() - start
                await self._next_frame()
                on_screen = time.perf_counter() - start
                self.refilters.append(
                    {
                        "filter": text,
                        "attempt": attempt,
                        "retained": len(self.session.buffer),
                        "ms": took * 1000,
                        "to_screen_ms": on_screen * 1000,
                        "shown": len(pane.log_view.entries),
                        "status": str(getattr(status, "content", "")),
                    }
                )
                # let the debounced re-apply (FILTER_DEBOUNCE_S) run and settle before the next
                await asyncio.sleep(0.4)
        # Where the time goes with no filter at all: formatting the lines the log keeps, and
        # replacing the log's content with them (what every refilter ends with).
        log = pane.log_view
        buffer = self.session.buffer
        tail = list(buffer)[-(log.max_lines or len(buffer)) :]
        start = time.perf_counter()
        [format_entry(e) for e in tail]
        formatted = time.perf_counter() - start
        start = time.perf_counter()
        log.replace(tail)
        replaced = time.perf_counter() - start
        start = time.perf_counter()
        list(buffer)
        copied = time.perf_counter() - start
        self.parts = {
            "lines": len(tail),
            "format_ms": formatted * 1000,
            "replace_ms": replaced * 1000,
            "copy_buffer_ms": copied * 1000,
        }
        await self._next_frame()

    def _write(self, path: str) -> None:
        result = {
            "snaps": self.snaps,
            "lags": self.lags,
            "marks": self.marks,
            "idle": self.idle,
            "refilters": self.refilters,
            "parts": self.parts,
            "gcs": self.gcs,
            "features": self.features,
            "gc_threshold": list(gc.get_threshold()),
            "gc_frozen": gc.get_freeze_count(),
            "error": self.error,
            "size": list(self.size),
            "buffer_size": self.session.buffer.size,
        }
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(result, f)
        os.replace(tmp, path)


def main() -> None:
    bench = json.loads(sys.argv[1])
    with tempfile.TemporaryDirectory(prefix="streamdash-bench-") as tmp:
        root = Path(tmp)
        write_collection(root, bench["url"], bench.get("streams", 1))
        collection = load_collection(root)
        if collection.errors:
            raise SystemExit(f"bad bench collection: {collection.errors}")
        app = BenchApp(
            Session(collection),
            bench=bench,
            refresh_hz=bench["refresh_hz"],
            autostart=tuple(stream_keys(bench.get("streams", 1))),
        )
        app.run()


if __name__ == "__main__":
    main()
