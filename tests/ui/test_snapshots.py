"""Snapshot tests of the main screens (pytest-textual-snapshot), at 80x24 and 160x48.

Nothing live is in the picture: no server, no stream runs. The app is built on a copy of the demo
collection with a fixed clock, and each test injects fixed events (fixed `received_at`, ids and
JSON), fixed stream counters and REST timings, and a fixed response, so every run draws the same
SVG. The 1 Hz stats timer keeps running, but with a frozen clock and counters that do not move it
redraws exactly what was injected.

Update after an intended UI change with:

    pytest tests/ui/test_snapshots.py --snapshot-update

and look at the SVGs in tests/ui/__snapshots__/ before committing them.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import types
from pathlib import Path

import pytest
from textual.widgets import Input, TextArea

import streamdash.core.logview as logview_module
import streamdash.demo
from streamdash.core.buffer import TYPE
from streamdash.core.collections import load_collection
from streamdash.core.http.send import ResponseSummary
from streamdash.core.session import LiveStream, request_id
from streamdash.core.sse import Event, SSEStream, StreamState
from streamdash.ui.app import StreamdashApp
from streamdash.ui.launch import build_app
from streamdash.ui.screens.event_detail import EventDetailScreen
from streamdash.ui.screens.request_editor import RequestEditorScreen

DEMO_COLLECTION = Path(streamdash.demo.__file__).parent / "collection"
BASE_URL = "http://127.0.0.1:8000"

# 2026-01-01 14:32:00 UTC; the log shows local time, so the tests run with TZ=UTC.
FIXED_EPOCH = 1_767_277_920.0
WIDE = (160, 48)
NARROW = (80, 24)
SIZES = pytest.mark.parametrize("size", [NARROW, WIDE], ids=["80x24", "160x48"])


# -- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def utc():
    """Local time is UTC while a snapshot is drawn, so the log's clock column is the same anywhere."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        time.tzset()


@pytest.fixture(autouse=True)
def frozen_perf_counter(monkeypatch):
    """The filter status says how long the filter took ("... match · 0 ms"); on a slow or busy
    machine that could read "1 ms". Only the log view's view of `time` is frozen."""

    class FrozenPerfCounter(types.ModuleType):
        def __getattr__(self, name: str):  # everything else is the real `time`
            return getattr(time, name)

        @staticmethod
        def perf_counter() -> float:
            return 0.0

    monkeypatch.setattr(logview_module, "time", FrozenPerfCounter("time"))


@pytest.fixture
def collection_dir(tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    shutil.copytree(DEMO_COLLECTION, root)
    return root


def make_app(collection_dir: Path) -> StreamdashApp:
    return build_app(
        load_collection(collection_dir),
        variables={"base_url": BASE_URL},
        clock=lambda: FIXED_EPOCH,
    )


# -- fixed data ---------------------------------------------------------------------------------

SYMBOLS = ("ACME", "GLOBX", "INITECH", "UMBRL", "WAYNE")
START_PRICES = {"ACME": 101.25, "GLOBX": 48.9, "INITECH": 12.34, "UMBRL": 230.5, "WAYNE": 77.0}
LOG_LINES = (
    ("info", "api-gateway", "GET /v1/orders/48213 200", 31),
    ("debug", "auth", "cache miss for key session:3fa9c1", 4),
    ("info", "search", "GET /v1/search?q=widgets 200", 58),
    ("warning", "billing", "slow query on invoices (812 ms)", 812),
    ("info", "auth", "user 1234 signed in", 22),
    ("error", "billing", "payment provider timeout after 3 attempts", 1503),
    ("info", "worker", "job job-7f3a finished", 17),
    ("debug", "api-gateway", "acquired connection from pool (idle=7)", 2),
    ("info", "api-gateway", "POST /v1/carts/51877/items 201", 44),
    ("warning", "search", "index shard 3 lagging by 1200 docs", 640),
)
FLAKY_STATUSES = ("ok", "ok", "degraded", "ok", "ok", "down")


def iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch)) + f".{int(epoch * 1000) % 1000:03d}Z"


def fixed_events() -> list[tuple[str, Event]]:
    """About 20 s of the three demo streams, oldest first, the last one a log error."""
    out: list[tuple[str, Event]] = []
    start = FIXED_EPOCH - 20.0
    prices = dict(START_PRICES)
    tick_id = 1041
    log_id = 388
    flaky_id = 95
    for step in range(80):  # one step every 0.25 s
        at = round(start + step * 0.25 + 0.013, 3)
        symbol = SYMBOLS[step % len(SYMBOLS)]
        change = round(((step * 37) % 23 - 11) / 100, 2)
        prices[symbol] = round(prices[symbol] + change, 2)
        data = {"symbol": symbol, "price": prices[symbol], "change": change, "ts": iso(at)}
        out.append(("ticker", Event("price", json.dumps(data), str(tick_id), id_set=True, received_at=at)))
        tick_id += 1
        if step % 3 == 1:
            level, service, msg, latency = LOG_LINES[(step // 3) % len(LOG_LINES)]
            at2 = round(at + 0.087, 3)
            record = {
                "level": level,
                "service": service,
                "msg": msg,
                "latency_ms": latency,
                "user": {"id": 1000 + step * 7},
                "ts": iso(at2),
            }
            out.append(("logs", Event(level, json.dumps(record), str(log_id), id_set=True, received_at=at2)))
            log_id += 1
        if step % 4 == 2:
            at3 = round(at + 0.141, 3)
            status = FLAKY_STATUSES[(step // 4) % len(FLAKY_STATUSES)]
            data = {"seq": flaky_id, "status": status}
            out.append(("flaky", Event("update", json.dumps(data), str(flaky_id), id_set=True, received_at=at3)))
            flaky_id += 1
    # The newest line: an error with nested JSON, the one the detail modal opens.
    at = FIXED_EPOCH - 0.042
    record = {
        "level": "error",
        "service": "billing",
        "msg": "charge declined: card_expired",
        "latency_ms": 1287,
        "user": {"id": 4711, "plan": "pro", "country": "DE"},
        "order": {"id": 58213, "items": 3, "total": 149.97, "currency": "EUR"},
        "trace_id": "7d1c0b5e9a2f4c38",
        "ts": iso(at),
    }
    out.append(("logs", Event("error", json.dumps(record), str(log_id), id_set=True, received_at=at)))
    out.sort(key=lambda pair: pair[1].received_at)
    return out


ITEMS = [
    {"id": 1, "name": "Red Widget", "price": 135.17, "tags": ["eco", "sale"]},
    {"id": 2, "name": "Quiet Widget", "price": 23.5, "tags": ["new"]},
    {"id": 3, "name": "Rapid Widget", "price": 211.08, "tags": ["bestseller", "gift", "office"]},
    {"id": 4, "name": "Tiny Widget", "price": 9.99, "tags": ["limited"]},
    {"id": 5, "name": "Solar Widget", "price": 64.2, "tags": ["eco", "outdoor"]},
]


def fixed_response() -> ResponseSummary:
    body = json.dumps(
        {
            "items": ITEMS,
            "page": 1,
            "per_page": 5,
            "total": 57,
            "next": f"{BASE_URL}/api/items?page=2&per_page=5",
        }
    ).encode()
    return ResponseSummary(
        method="GET",
        url=f"{BASE_URL}/api/items?page=1&per_page=5",
        status=200,
        reason="OK",
        http_version="HTTP/1.1",
        elapsed_s=0.0423,
        size=len(body),
        headers=(
            ("date", "Thu, 01 Jan 2026 14:31:58 GMT"),
            ("server", "uvicorn"),
            ("content-length", str(len(body))),
            ("content-type", "application/json"),
            ("link", f'<{BASE_URL}/api/items?page=2&per_page=5>; rel="next"'),
        ),
        body=body,
        sent_at=FIXED_EPOCH - 2.0,
    )


def install_streams(app: StreamdashApp) -> None:
    """Three 'running' streams with fixed counters, sampled over the last 12 s so the trend and
    rates have values. No worker runs; with the clock frozen at FIXED_EPOCH every later sample
    (the app's 1 Hz timer) repeats the last rates and adds nothing to the history."""
    specs = {
        # key: (name, state, events per second over the last 12 s, bytes per event, tweaks)
        "streams/ticker": ("ticker", StreamState.OPEN, (4, 4, 4, 4, 4, 3, 4, 4, 4, 4, 4, 4), 92, {}),
        "streams/logs": ("logs", StreamState.OPEN, (1, 3, 2, 1, 5, 2, 1, 1, 4, 2, 1, 2), 171, {}),
        "streams/flaky": (
            "flaky",
            StreamState.BACKOFF,
            (2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0),
            38,
            {"reconnects": 2, "duplicates": 1, "last_error": "connection closed mid-event (peer reset)"},
        ),
    }
    for key, (name, state, rates, per_event, tweaks) in specs.items():
        request = app.session.find(key)
        assert request is not None, key
        prepared = app.session.prepare(request)
        assert prepared is not None
        stream = SSEStream(app.session.executor.client_for(prepared), prepared.url)
        stats = stream.stats
        running = LiveStream.create(
            request_id(request), request, stats, started_at=FIXED_EPOCH - 30.0, prepared=prepared
        )
        running.stream = stream
        tracker = running.tracker
        running.measures.add([event for stream, event in fixed_events() if stream == name])
        first = FIXED_EPOCH - len(rates)
        base = {"ticker": 1000, "logs": 360, "flaky": 80}[name]
        stats.events = base
        stats.bytes = base * per_event
        tracker.sample(first)
        for i, rate in enumerate(rates, 1):
            stats.events += rate
            stats.bytes += rate * per_event
            tracker.sample(first + i)
        stats.state = state
        stats.connects = 1 + tweaks.get("reconnects", 0)
        stats.reconnects = tweaks.get("reconnects", 0)
        stats.duplicates = tweaks.get("duplicates", 0)
        stats.last_error = tweaks.get("last_error", "")
        stats.last_status = 200
        stats.heartbeats = 9 if name == "flaky" else 0
        stats.last_event_id = str({"ticker": 1120, "logs": 415, "flaky": 114}[name])
        if state is StreamState.OPEN:
            stats.connected_since = FIXED_EPOCH - 20.0
            stats.last_event_at = FIXED_EPOCH - 0.2
        else:
            stats.last_event_at = FIXED_EPOCH - 4.1
            stats.last_heartbeat_at = FIXED_EPOCH - 3.6
            stats.next_attempt_at = FIXED_EPOCH + 2.4
        app.session.streams[running.key] = running
        app.requests_tree.refresh_state(running.key)


def install_rest(app: StreamdashApp) -> None:
    for i, (status, elapsed) in enumerate(
        [(200, 0.0423), (200, 0.0381), (500, 0.0122), (200, 0.0514), (429, 0.0091), (200, 0.0402), (200, 0.0367)]
    ):
        app.session.rest_stats.record(status, elapsed, FIXED_EPOCH - 30.0 + i * 4)
    app.response_view.show(fixed_response(), "List items")


async def fill(pilot) -> StreamdashApp:
    """The dashboard with the log filled, the streams' stats and a response shown."""
    app: StreamdashApp = pilot.app
    # Stats first: their rows change the log's height, and a following log does not re-pin its
    # tail when it shrinks (it does at the next write), which would hide the newest lines.
    install_streams(app)
    install_rest(app)
    app.refresh_stats()
    await pilot.pause()
    for stream, event in fixed_events():
        app.session.buffer.extend(stream, [event])
    app.events_pane.flush()
    # Again, now that the buffer holds the events: its fill line would otherwise read "0 of" or
    # the real count depending on whether the 1 Hz timer ticked before the picture was taken.
    app.refresh_stats()
    await pilot.pause()
    return app


def steady_cursors(app: StreamdashApp) -> None:
    """A blinking cursor could be caught in either phase: keep it on."""
    for widget in app.screen.query(Input):
        widget.cursor_blink = False
    for widget in app.screen.query(TextArea):
        widget.cursor_blink = False


async def select_request(pilot, key: str) -> None:
    app: StreamdashApp = pilot.app
    assert app.requests_tree.select_key(key)
    await pilot.pause()


# -- the tests ----------------------------------------------------------------------------------


@SIZES
def test_dashboard(snap_compare, collection_dir, size):
    """The log filled, stats for three streams and the REST line, a JSON response."""

    async def run_before(pilot) -> None:
        await fill(pilot)
        steady_cursors(pilot.app)

    assert snap_compare(make_app(collection_dir), terminal_size=size, run_before=run_before)


@SIZES
def test_filtered_log(snap_compare, collection_dir, size):
    """`/` then `type:price` Enter: only price events, and the status counts the matches."""

    async def run_before(pilot) -> None:
        app = await fill(pilot)
        await pilot.press("slash", *"type:price", "enter")
        await pilot.pause()
        assert app.events_pane.view.filter.text == "type:price"
        assert app.events_pane.log_view.entries and all(e[TYPE] == "price" for e in app.events_pane.log_view.entries)
        steady_cursors(app)

    assert snap_compare(make_app(collection_dir), terminal_size=size, run_before=run_before)


@SIZES
def test_event_detail(snap_compare, collection_dir, size):
    """Enter on a log line: the newest event (a log error with nested JSON) in full."""

    async def run_before(pilot) -> None:
        app = await fill(pilot)
        await pilot.press("f3")  # the events pane (and focus on the log) at any width
        await pilot.press("up", "enter")
        await pilot.pause()
        assert isinstance(app.screen, EventDetailScreen)
        assert app.screen.entry[TYPE] == "error"
        steady_cursors(app)

    assert snap_compare(make_app(collection_dir), terminal_size=size, run_before=run_before)


@SIZES
def test_request_editor(snap_compare, collection_dir, size):
    """`e` on "Create item" (a POST with a header and a JSON body)."""

    async def run_before(pilot) -> None:
        app = await fill(pilot)
        await pilot.press("f2")  # the requests pane (and focus on the tree) at any width
        await select_request(pilot, "api/Create item")
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, RequestEditorScreen)
        steady_cursors(app)

    assert snap_compare(make_app(collection_dir), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("key", ["f5", "f2", "f4"], ids=["stats", "requests", "response"])
def test_narrow_panes(snap_compare, collection_dir, key):
    """Below 110 columns one pane shows at a time: F5 stats, F2 requests, F4 the response."""

    async def run_before(pilot) -> None:
        await fill(pilot)
        await pilot.press(key)
        steady_cursors(pilot.app)

    assert snap_compare(make_app(collection_dir), terminal_size=NARROW, run_before=run_before)
