"""Streams as evidence in the dashboard, driven with Pilot against real servers on 127.0.0.1:
latency, gaps across a resume, an LLM stream assembled, the silence alarm, recording from the
app through a reconnect, and replaying that recording into the dashboard."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime
from pathlib import Path

from textual.widgets import DataTable, Static

from streamdash.core.buffer import DATA, ID, RECEIVED_AT, STREAM, TYPE
from streamdash.core.collections import Collection, load_collection
from streamdash.core.playback import RecordingPlayer
from streamdash.core.recording import DamagedLine, Recorder, read_recording
from streamdash.core.sse import Event, StateChange, StreamState
from streamdash.ui.app import StreamdashApp
from streamdash.ui.launch import build_app
from streamdash.ui.screens.event_detail import EventDetailScreen
from streamdash.ui.widgets.assembled_text import AssembledText
from streamdash.ui.widgets.event_log import EventLog
from tests.helpers.raw_server import Conn
from tests.ui.test_app import select, wait_for


def one_stream(tmp_path: Path, url: str, stream: str = "", extra: str = "") -> Collection:
    """A collection with one SSE request `watch`, its [stream] table given as TOML lines."""
    root = tmp_path / "coll"
    root.mkdir()
    (root / "watch.toml").write_text(
        f'name = "watch"\nkind = "sse"\nurl = "{url}"\n{extra}\n[stream]\n{stream}\n', "utf-8"
    )
    collection = load_collection(root)
    assert not collection.errors, collection.errors
    return collection


def stats_row(app: StreamdashApp, table_id: str, name: str) -> dict[str, str]:
    table = app.query_one(f"#{table_id}", DataTable)
    keys = [column.key.value for column in table.columns.values()]
    live = app.session.live(app.session.find(name))  # rows are keyed by the request's file
    assert live is not None, name
    return {key: str(cell) for key, cell in zip(keys, table.get_row(live.key), strict=True)}


def measures_row(app: StreamdashApp, name: str = "watch") -> dict[str, str]:
    return stats_row(app, "stats-measures", name)


def streams_row(app: StreamdashApp, name: str = "watch") -> dict[str, str]:
    return stats_row(app, "stats-streams", name)


async def start_watch(pilot, app: StreamdashApp) -> None:
    await select(pilot, app, "watch")
    await pilot.press("enter")


async def test_latency_from_a_send_time_field(raw_server, tmp_path):
    async def handler(conn: Conn) -> None:
        await conn.start()
        for n in range(5):
            sent = datetime.fromtimestamp(time.time() - 0.3, UTC).isoformat()
            await conn.send(f'id: {n}\ndata: {{"n": {n}, "meta": {{"sent": "{sent}"}}}}\n\n'.encode())
        await asyncio.sleep(10)

    raw_server.handler = handler
    app = build_app(one_stream(tmp_path, raw_server.url, 'latency_field = "meta.sent"'))
    async with app.run_test(size=(160, 48)) as pilot:
        await start_watch(pilot, app)
        await wait_for(pilot, lambda: len(app.session.buffer) == 5)
        app.refresh_stats()
        await pilot.pause()
        row = measures_row(app)
        for key in ("lat_last", "lat_p50", "lat_p95", "lat_p99"):
            value = float(row[key].removesuffix(" ms").replace(",", ""))
            assert 300 <= value < 5000, (key, row[key])
        log = app.query_one(EventLog)
        app.set_focus(log)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, EventDetailScreen)
        notes = str(app.screen.query_one("#detail-notes", Static).render())
        assert "latency" in notes and "from meta.sent" in notes
        assert "no missing ids" in notes


async def test_gaps_across_a_resume_that_skips_ids(raw_server, tmp_path):
    async def handler(conn: Conn) -> None:
        await conn.start()
        if conn.index == 0:
            await conn.send(b"retry: 10\nid: 1\ndata: a\n\nid: 2\ndata: b\n\nid: 3\ndata: c\n\n")
            await asyncio.sleep(0.05)
            conn.drop()
            return
        assert conn.request.header("Last-Event-ID") == "3"
        # The server no longer has 4-6 (and later loses 9): the resume skips them.
        await conn.send(b"id: 7\ndata: g\n\nid: 8\ndata: h\n\nid: 10\ndata: j\n\n")
        await asyncio.sleep(10)

    raw_server.handler = handler
    app = build_app(one_stream(tmp_path, raw_server.url))
    async with app.run_test(size=(160, 48)) as pilot:
        await start_watch(pilot, app)
        await wait_for(pilot, lambda: len(app.session.buffer) == 6)
        app.refresh_stats()
        await pilot.pause()
        assert measures_row(app)["missing"] == "4 (2)"
        assert streams_row(app)["reconnects"] == "1"
        app.set_focus(app.query_one(EventLog))
        await pilot.press("enter")
        await pilot.pause()
        notes = str(app.screen.query_one("#detail-notes", Static).render())
        assert "4 ids missing in 2 ranges: 4-6, 9" in notes


async def test_llm_post_stream_assembled_beside_the_log(raw_server, tmp_path):
    tokens = ["The", " answer", " is", " 42", "."]

    async def handler(conn: Conn) -> None:
        assert conn.request.method == "POST"
        assert json.loads(conn.request.body) == {"prompt": "q", "stream": True}
        await conn.start()
        await conn.send(b'data: {"choices": [{"delta": {"role": "assistant"}}]}\n\n', pause=0.1)
        for token in tokens:
            chunk = {"choices": [{"delta": {"content": token}, "finish_reason": None}]}
            await conn.send(f"data: {json.dumps(chunk)}\n\n".encode(), pause=0.03)
        await conn.send(b'data: {"choices": [{"delta": {}, "finish_reason": "stop"}]}\n\ndata: [DONE]\n\n')
        await conn.end()

    raw_server.handler = handler
    body = "method = \"POST\"\nbody = '''{\"prompt\": \"q\", \"stream\": true}'''"
    collection = one_stream(
        tmp_path, raw_server.url, 'reconnect = false\nassemble = "choices.0.delta.content"', body
    )
    app = build_app(collection)
    async with app.run_test(size=(160, 48)) as pilot:
        view = app.query_one(AssembledText)
        assert not view.display  # nothing assembled yet: the log has the room
        await start_watch(pilot, app)
        await wait_for(pilot, lambda: app.session.live(app.session.find("watch")).state is StreamState.CLOSED)
        await pilot.pause(0.2)
        text = str(view.query_one("#assembled-text", Static).render())
        assert view.display
        assert "The answer is 42." in text
        assert "watch \u00b7 5 tokens \u00b7 first token" in text and "done (stop)" in text
        app.refresh_stats()
        await pilot.pause()
        row = measures_row(app)
        assert row["tokens"] == "5"
        ttft = float(row["ttft"].removesuffix(" ms"))
        assert 100 <= ttft < 3000  # the role-only chunk came first, 0.1 s before any token
        assert float(row["tok_rate"]) > 0


async def test_silence_alarm_while_open_and_cleared_by_a_heartbeat(raw_server, tmp_path):
    beat = asyncio.Event()

    async def handler(conn: Conn) -> None:
        await conn.start()
        await conn.send(b"id: 1\ndata: hello\n\n")
        while not beat.is_set():
            await asyncio.sleep(0.02)
        await conn.send(b": still here\n\n")
        await asyncio.sleep(10)

    raw_server.handler = handler
    app = build_app(one_stream(tmp_path, raw_server.url, "silence_alarm = 0.3"))
    async with app.run_test(size=(160, 48)) as pilot:
        await start_watch(pilot, app)
        await wait_for(pilot, lambda: len(app.session.buffer) == 1)
        await pilot.pause(0.5)
        app.refresh_stats()
        await pilot.pause()
        assert streams_row(app)["state"].startswith("SILENT")
        assert "silent" in str(app.events_pane.border_subtitle)
        alarms = [n for n in app._notifications if n.title == "stream silent"]
        assert len(alarms) == 1 and "watch: nothing received for" in alarms[0].message
        app.refresh_stats()  # still silent: said once, not every second
        assert len([n for n in app._notifications if n.title == "stream silent"]) == 1
        raw_server._loop.call_soon_threadsafe(beat.set)
        await wait_for(pilot, lambda: app.session.live(app.session.find("watch")).stats.last_byte_at and time.time() - app.session.live(app.session.find("watch")).stats.last_byte_at < 0.3)
        app.refresh_stats()
        await pilot.pause()
        assert streams_row(app)["state"] == "open"


def live_rows(entries) -> list[tuple]:
    return [(e[STREAM], e[TYPE], e[DATA], e[ID], e[RECEIVED_AT]) for e in entries]


async def test_record_in_the_app_through_a_reconnect_then_replay_it(raw_server, tmp_path):
    release = asyncio.Event()

    async def handler(conn: Conn) -> None:
        await conn.start()
        if conn.index == 0:
            await conn.send(b"retry: 10\nid: 1\ndata: one\n\n")
            while not release.is_set():  # wait until the test has pressed R
                await asyncio.sleep(0.01)
            await conn.send(b"event: tick\nid: 2\ndata: two\n\n")
            await asyncio.sleep(0.05)
            conn.drop()
            return
        await conn.send(b'id: 3\ndata: {"three": 3}\n\nid: 4\ndata: four\n\n')
        await asyncio.sleep(10)

    raw_server.handler = handler
    recordings = tmp_path / "recordings"
    app = build_app(one_stream(tmp_path, raw_server.url), recordings_dir=recordings)
    async with app.run_test(size=(160, 48)) as pilot:
        await start_watch(pilot, app)
        await wait_for(pilot, lambda: len(app.session.buffer) == 1)
        await select(pilot, app, "watch")
        await pilot.press("R")
        assert app.session.live(app.session.find("watch")).key in app.session.recordings.keys
        assert "\u25cf rec" in str(app.events_pane.border_subtitle)
        raw_server._loop.call_soon_threadsafe(release.set)
        await wait_for(pilot, lambda: len(app.session.buffer) == 4)
        await pilot.press("R")  # stop recording: the file is closed and named
        assert app.session.recordings.recorder is None
        live = live_rows(list(app.session.buffer))
        reconnects = app.session.live(app.session.find("watch")).stats.reconnects
    files = list(recordings.glob("*.jsonl"))
    assert len(files) == 1
    items = list(read_recording(files[0]))
    assert not [i for i in items if isinstance(i, DamagedLine)]
    states = [(i.state, i.last_event_id) for i in items if i.kind == "state"]
    assert states[0] == ("open", "1")  # recording began on an open stream
    assert ("backoff", "2") in states and ("connecting", "2") in states and ("open", "2") in states
    recorded = [("watch", i.event, i.data, i.id, i.t) for i in items if i.kind == "event"]
    assert recorded == live[1:]  # everything after R, event for event, times included
    assert reconnects == 1

    # The recording played into the dashboard: the same events and the same counters.
    player = RecordingPlayer(read_recording(files[0]), speed=None)
    replay = build_app(load_collection(tmp_path / "coll"), player=player)
    async with replay.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: player.clock.finished)
        await pilot.pause(0.2)
        assert live_rows(list(replay.session.buffer)) == live[1:]
        running = replay.session.streams["recording/watch"]
        assert running.stats.reconnects == 1 and running.stats.events == 3
        assert running.stats.last_event_id == "4"
        log = replay.query_one(EventLog)
        assert [e[ID] for e in log.entries] == ["2", "3", "4"]
        # The filter works on a replay as on a live stream.
        await pilot.press("slash")
        await pilot.press(*"three=3")
        await pilot.press("enter")
        await wait_for(pilot, lambda: [e[ID] for e in log.entries] == ["3"])
        assert "finished" in replay.sub_title


def write_recording(path: Path, damaged_line: bool = True) -> None:
    """Two minutes of a stream recorded in 2020: opened, events, a drop, a resume."""
    t0 = 1_600_000_000.0
    with Recorder(path, stream="prices", heartbeats=True) as rec:
        rec.write_items([StateChange(StreamState.CONNECTING, at=t0)])
        rec.write_items([StateChange(StreamState.OPEN, status=200, at=t0 + 0.1)])
        rec.write_items([Event("price", f'{{"n": {n}}}', str(n), received_at=t0 + n) for n in range(1, 6)])
        rec.write_items([StateChange(StreamState.BACKOFF, "connection lost", delay=1.0, last_event_id="5", at=t0 + 60)])
    if damaged_line:
        with path.open("a", encoding="utf-8") as f:
            f.write('{"t": 1600000061.0, "stream": "prices", "kind": "event", "data": \n')
    with Recorder(path, stream="prices", heartbeats=True) as rec:
        rec.write_items([StateChange(StreamState.CONNECTING, last_event_id="5", at=t0 + 61)])
        rec.write_items([StateChange(StreamState.OPEN, status=200, last_event_id="5", at=t0 + 61.2)])
        rec.write_items([Event("price", '{"n": 9}', "9", received_at=t0 + 120)])


async def test_replay_reports_a_damaged_line_and_keeps_the_recordings_times(tmp_path):
    path = tmp_path / "incident.jsonl"
    write_recording(path)
    player = RecordingPlayer(read_recording(path), speed=None)
    app = build_app(Collection(tmp_path, "incident"), player=player)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: player.clock.finished)
        await pilot.pause(0.2)
        assert [e[ID] for e in app.session.buffer] == ["1", "2", "3", "4", "5", "9"]
        damaged = [n for n in app._notifications if n.title == "damaged line skipped"]
        assert len(damaged) == 1 and damaged[0].message.startswith("line 10: not JSON")
        finished = [n.message for n in app._notifications if n.title == "replay"]
        assert finished == ["replay finished: 11 items; 1 damaged line skipped"]
        app.refresh_stats()
        await pilot.pause()
        row = streams_row(app, "prices")
        # On the recording's clock: open for the last 58.8 s, the last event just now.
        assert row["up"] == "58.8 s" and row["last_event"] == "0 ms"
        assert row["reconnects"] == "1"
        measures = measures_row(app, "prices")
        assert measures["error"] == "connection lost"
        assert measures["missing"] == "3 (1)"  # 6-8 never arrived
        assert measures["gap_max"] == "1 m 55 s"


async def test_replay_at_a_speed_keeps_the_pace(tmp_path):
    path = tmp_path / "paced.jsonl"
    with Recorder(path, stream="s") as rec:
        rec.write_items([Event("message", str(n), str(n), received_at=1000.0 + n * 0.4) for n in range(3)])
    player = RecordingPlayer(read_recording(path), speed=2.0)
    app = build_app(Collection(tmp_path, "paced"), player=player)
    started = time.monotonic()  # the replay starts as the app mounts
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: player.clock.finished)
        took = time.monotonic() - started
        # 0.8 recorded seconds at 2x: about 0.4 s, never all at once.
        assert took >= 0.35
        assert [e[DATA] for e in app.session.buffer] == ["0", "1", "2"]
        assert app.session.clock() == 1000.8


async def test_recording_problems_are_one_line_and_the_stream_goes_on(raw_server, tmp_path):
    async def handler(conn: Conn) -> None:
        await conn.start()
        for n in range(1, 1000):
            await conn.send(f"id: {n}\ndata: {n}\n\n".encode(), pause=0.02)

    raw_server.handler = handler
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the recordings folder should be")
    app = build_app(one_stream(tmp_path, raw_server.url), recordings_dir=blocked)
    async with app.run_test(size=(160, 48)) as pilot:
        await start_watch(pilot, app)
        await wait_for(pilot, lambda: len(app.session.buffer) >= 1)
        await pilot.press("R")
        problems = [n for n in app._notifications if n.title == "cannot record"]
        assert len(problems) == 1 and "\n" not in problems[0].message
        assert problems[0].message.startswith(str(blocked)) and not app.session.recordings.keys

        app.session.recordings.folder = tmp_path / "recordings"
        await pilot.press("R")
        assert app.session.recordings.keys == {app.session.live(app.session.find("watch")).key}

        def disk_full(data: bytes) -> int:
            raise OSError(28, "No space left on device")

        app.session.recordings.recorder._file.write = disk_full  # the disk fills up mid-recording
        seen = len(app.session.buffer)
        await wait_for(pilot, lambda: not app.session.recordings.keys)
        stopped = [n for n in app._notifications if n.title == "recording stopped"]
        assert len(stopped) == 1 and stopped[0].message.endswith("No space left on device")
        await wait_for(pilot, lambda: len(app.session.buffer) > seen + 3)  # the stream itself goes on


async def test_notifications_show_brackets_as_written(tmp_path):
    """A path or a server's reason with [brackets] is text, not markup (which could also fail)."""
    path = tmp_path / "[bold]odd[b].jsonl"
    write_recording(path, damaged_line=False)
    player = RecordingPlayer(read_recording(path), speed=None)
    app = build_app(Collection(tmp_path, "odd"), player=player)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await wait_for(pilot, lambda: player.clock.finished)
        app.notify(f"{path}: [red]no[/red] such [file")
        await pilot.pause(0.2)
        assert all(not n.markup for n in app._notifications)
        toasts = " ".join(str(toast.render()) for toast in app.screen.query("Toast"))
        assert "[red]no[/red] such [file" in toasts
