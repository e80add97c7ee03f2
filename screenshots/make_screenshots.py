"""SVG screenshots of the main screens, taken from the real dashboard on the embedded demo server.

Run by hand from the repository root (nothing here runs in the test suite):

    python screenshots/make_screenshots.py            # writes screenshots/*.svg
    python screenshots/make_screenshots.py --seconds 5 --out /tmp/shots
    python screenshots/make_screenshots.py --only columns-chart   # one group of pictures

It starts `DemoServer`, copies the bundled demo collection to a temp directory (so nothing in the
package is touched), and runs `StreamdashApp` headless with `run_test(size=...)`: the three demo
streams autostarted, "List items" autosent, and real events flowing for a few seconds before each
picture. The pictures are live data, so they differ from run to run (times, prices, counts); the
deterministic pictures are the snapshot tests in tests/ui/test_snapshots.py.

Files written:
    dashboard-160x48.svg     log, requests, response and stats side by side
    filtered-160x48.svg      the log filtered with the filter language
    event-detail-160x48.svg  Enter on a log line: the event in full
    dashboard-80x24.svg      narrow: one pane at a time (the events)
    stats-80x24.svg          narrow: F5, the stats pane
    gaps-detail-160x48.svg   recording all streams (R); a flaky event after a resume that lost ids
    replay-160x48.svg        that recording replayed into the dashboard (streamdash replay FILE)
    columns-chart-160x48.svg the logs stream as JSON columns (level, service, msg) and the chart
                             pane (C) plotting the ticker's price
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import streamdash.demo
from streamdash.core.buffer import STREAM, TYPE
from streamdash.core.collections import Collection, StreamSettings, load_collection
from streamdash.core.playback import RecordingPlayer
from streamdash.core.recording import read_recording
from streamdash.demo import DemoServer
from streamdash.ui.app import StreamdashApp
from streamdash.ui.launch import build_app
from streamdash.ui.screens.event_detail import EventDetailScreen

HERE = Path(__file__).resolve().parent
DEMO_COLLECTION = Path(streamdash.demo.__file__).parent / "collection"
STREAMS = ("streams/ticker", "streams/logs", "streams/flaky", "streams/chat")
REQUESTS = ("api/List items",)
FILTER = "stream:logs level=error or type:price symbol=ACME"
WIDE = (160, 48)
NARROW = (80, 24)


def make_app(collection_root: Path, server: DemoServer, **kw) -> StreamdashApp:
    return build_app(
        load_collection(collection_root),
        variables={"base_url": server.url},
        autostart=STREAMS,
        autosend=REQUESTS,
        **kw,
    )


async def wait_for(pilot, condition: Callable[[], bool], timeout: float = 15.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what or 'the app'}")
        await pilot.pause(0.05)


async def let_events_flow(pilot, app: StreamdashApp, seconds: float) -> None:
    """Events from all three streams and the REST answer, then `seconds` more of live data."""
    await wait_for(pilot, lambda: app.response_view.summary is not None, what="the REST response")
    await wait_for(
        pilot,
        lambda: {entry[STREAM] for entry in app.session.buffer} >= {"ticker", "logs", "flaky"},
        what="events from all three streams",
    )
    await pilot.pause(seconds)
    app.refresh_stats()  # not wait for the 1 Hz tick: the picture shows the latest counters
    await pilot.pause(0.2)


def save(app: StreamdashApp, out: Path, name: str) -> Path:
    path = Path(app.save_screenshot(filename=name, path=str(out)))
    print(f"wrote {path}")
    return path


async def wide_screens(root: Path, server: DemoServer, out: Path, seconds: float) -> None:
    app = make_app(root, server)
    async with app.run_test(size=WIDE) as pilot:
        await let_events_flow(pilot, app, seconds)
        save(app, out, "dashboard-160x48.svg")

        # The filter: `/`, the expression, Enter (which also focuses the log).
        await pilot.press("slash", *FILTER, "enter")
        await wait_for(pilot, lambda: app.events_pane.view.filter.text == FILTER, what="the filter")
        await pilot.pause(1.0)
        app.refresh_stats()
        await pilot.pause(0.2)
        save(app, out, "filtered-160x48.svg")

        # The event detail: the newest error (or warning) from the logs stream if one is on
        # screen, else the newest line; Enter opens it.
        log = app.events_pane.log_view
        log.focus()
        log.pause()
        entries = log.entries
        pick = next(
            (i for i in range(len(entries) - 1, -1, -1)
             if entries[i][STREAM] == "logs" and entries[i][TYPE] in ("error", "warning")),
            len(entries) - 1,
        )
        log.cursor = pick
        log.scroll_to_region_of_cursor()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, EventDetailScreen), what="the event detail")
        await pilot.pause(0.3)
        save(app, out, "event-detail-160x48.svg")


async def narrow_screens(root: Path, server: DemoServer, out: Path, seconds: float) -> None:
    app = make_app(root, server)
    async with app.run_test(size=NARROW) as pilot:
        await let_events_flow(pilot, app, seconds)
        # At narrow widths an arriving response switches to the Response pane; F3 goes back.
        await pilot.press("f3")
        await pilot.pause(0.5)
        save(app, out, "dashboard-80x24.svg")
        await pilot.press("f5")
        app.refresh_stats()
        await pilot.pause(0.3)
        save(app, out, "stats-80x24.svg")


async def evidence_screens(root: Path, server: DemoServer, out: Path, seconds: float) -> None:
    """Record every stream through a flaky drop (which loses 3 ids), show the gap in the detail
    view, then replay the recording into a second dashboard."""
    recordings = root.parent / "recordings"
    app = make_app(root, server, recordings_dir=recordings)
    async with app.run_test(size=WIDE) as pilot:
        await wait_for(pilot, lambda: len(app.session.streams) == len(STREAMS), what="the streams")
        app.session.record_all()
        flaky = app.session.live(app.session.find("streams/flaky"))
        await wait_for(
            pilot, lambda: flaky.measures.gaps.missing > 0, timeout=60, what="a flaky resume losing ids"
        )
        await pilot.pause(seconds)
        app.refresh_stats()
        log = app.events_pane.log_view
        log.focus()
        log.pause()
        entries = log.entries
        log.cursor = next(i for i in range(len(entries) - 1, -1, -1) if entries[i][STREAM] == "flaky")
        log.scroll_to_region_of_cursor()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, EventDetailScreen), what="the event detail")
        await pilot.pause(0.3)
        save(app, out, "gaps-detail-160x48.svg")
        app.session.stop_recording()
    recording = next(recordings.glob("*.jsonl"))
    player = RecordingPlayer(read_recording(recording), speed=None)
    replay = build_app(
        Collection(root.parent, f"recording {recording.name}"),
        player=player,
        replay_settings=StreamSettings(latency_field="ts", assemble="choices.0.delta.content"),
    )
    replay.title = f"streamdash replay {recording.name}"
    async with replay.run_test(size=WIDE) as pilot:
        await wait_for(pilot, lambda: player.clock.finished, what="the replay")
        await pilot.pause(0.5)
        replay.refresh_stats()
        await pilot.pause(0.2)
        save(replay, out, "replay-160x48.svg")


LOG_COLUMNS = '\n[stream]\ncolumns = ["level", "service", "msg"]\n'


async def columns_chart_screens(root: Path, server: DemoServer, out: Path, seconds: float) -> None:
    """The logs stream with saved JSON columns, and the chart pane open on the ticker's price,
    plotted the way `v` -> price does it (the session's chart feed, backfilled from the buffer)
    and shown by C's action. On its own copy of the collection: the columns are saved in it."""
    logs = root / "streams" / "logs.toml"
    logs.write_text(logs.read_text(encoding="utf-8") + LOG_COLUMNS, encoding="utf-8")
    app = make_app(root, server)
    async with app.run_test(size=WIDE) as pilot:
        await let_events_flow(pilot, app, seconds)
        app.session.chart.backfill("ticker", "price", app.session.buffer.since(0))
        app.action_toggle_chart()
        await pilot.pause(seconds)  # the price line grows from the backfill
        app.refresh_stats()
        await pilot.pause(0.5)
        save(app, out, "columns-chart-160x48.svg")


GROUPS = {
    "wide": wide_screens,
    "narrow": narrow_screens,
    "evidence": evidence_screens,
    "columns-chart": columns_chart_screens,
}


async def main_async(out: Path, seconds: float, time_scale: float, seed: int, only: str | None = None) -> None:
    with (
        tempfile.TemporaryDirectory(prefix="streamdash-shots-") as tmp,
        DemoServer(seed=seed, time_scale=time_scale) as server,
    ):
        print(f"demo server at {server.url}")
        for name, group in GROUPS.items():
            if only in (None, name):
                root = Path(tmp) / name / "demo"  # each group on a fresh copy
                shutil.copytree(DEMO_COLLECTION, root)
                await group(root, server, out, seconds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=HERE, help="directory for the SVGs (default: screenshots/)")
    parser.add_argument("--seconds", type=float, default=3.0, help="live data before each picture (default: 3)")
    parser.add_argument(
        "--time-scale",
        type=float,
        default=0.25,
        help="demo server pace: below 1 is faster, so a few seconds fill the log and the flaky "
        "stream drops and reconnects (default: 0.25)",
    )
    parser.add_argument("--seed", type=int, default=7, help="demo server seed (default: 7)")
    parser.add_argument("--only", choices=list(GROUPS), help="make only this group of pictures")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    asyncio.run(main_async(args.out, args.seconds, args.time_scale, args.seed, args.only))
    return 0


if __name__ == "__main__":
    sys.exit(main())
