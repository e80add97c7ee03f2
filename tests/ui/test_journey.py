"""One whole journey, as a person takes it: a new collection, a stream added in the UI with
auth, started, moved to another environment, renamed, recorded, and the recording replayed.
Real servers on 127.0.0.1 record what each received."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.widgets import Input, Select

from streamdash.core.buffer import DATA, ID, NOTE_STREAM, STREAM
from streamdash.core.collections import Collection, load_collection
from streamdash.core.playback import RecordingPlayer
from streamdash.core.recording import read_recording
from streamdash.ui.launch import build_app
from streamdash.ui.screens.request_editor import RequestEditorScreen
from streamdash.ui.widgets.event_log import EventLog
from tests.helpers.raw_server import RawServer, counting_events
from tests.ui.pilot import pick_environment, select, wait_for

TOKEN = "journey-token-0123456789abcdef"


def counting_server(tag: str) -> RawServer:
    return RawServer(counting_events(pause=0.02, event=tag, data=lambda n: f'{{"server": "{tag}", "n": {n}}}')).start()


async def test_new_collection_to_a_replayed_recording(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("SD_JOURNEY_TOKEN", TOKEN)
    one, two = counting_server("one"), counting_server("two")
    root = tmp_path / "new-collection"
    (root / "env").mkdir(parents=True)
    (root / "env" / "one.toml").write_text(f'[variables]\nbase_url = "{one.url}"\n')
    (root / "env" / "two.toml").write_text(f'[variables]\nbase_url = "{two.url}"\n')
    recordings = tmp_path / "recordings"
    app = build_app(load_collection(root), recordings_dir=recordings, history_dir=tmp_path / "history")
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            session = app.session
            await pick_environment(pilot, "one")
            # Add a stream in the UI, with bearer auth from the environment.
            app.requests_tree.focus()
            await pilot.press("n")
            await wait_for(pilot, lambda: isinstance(app.screen, RequestEditorScreen))
            editor = app.screen
            editor.query_one("#editor-kind", Select).value = "sse"
            name = editor.query_one("#editor-name", Input)
            name.value = ""
            name.focus()
            await pilot.press(*"prices")
            url = editor.query_one("#editor-url", Input)
            url.value = ""
            url.focus()
            await pilot.press(*"{{base_url}}/prices")
            editor.query_one("#editor-auth", Select).value = "bearer"
            await pilot.pause()
            secret = editor.query_one("#editor-auth-secret", Input)
            secret.focus()
            await pilot.press(*"{{env:SD_JOURNEY_TOKEN}}")
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: session.find("prices") is not None)
            saved = session.find("prices")
            assert TOKEN not in saved.path.read_text()  # only the secret's name on disk
            # Start it: the environment's server gets the token.
            await select(pilot, app, "prices")
            await pilot.press("enter")
            log = app.query_one(EventLog)
            await wait_for(pilot, lambda: sum(e[STREAM] == "prices" for e in log.entries) >= 3)
            assert one.requests[0].header("Authorization") == f"Bearer {TOKEN}"
            # Another environment: another server, so the stream starts over there.
            await pick_environment(pilot, "two")
            await wait_for(pilot, lambda: two.requests and any(e[DATA].startswith('{"server": "two"') for e in log.entries))
            assert two.requests[0].header("Authorization") == f"Bearer {TOKEN}"
            assert two.requests[0].header("Last-Event-ID") is None  # another server's ids mean nothing
            notes = [e[DATA] for e in session.buffer if e[STREAM] == NOTE_STREAM]
            assert notes == ["environment two: restarted prices from scratch (new URL)"]
            # Rename it while it runs: one connection, the new name everywhere.
            connections = two.connections
            await select(pilot, app, "prices")
            await pilot.press("r")
            await pilot.pause()
            prompt = app.screen.query_one("#prompt-input", Input)
            prompt.value = ""
            await pilot.press(*"two prices", "enter")
            await wait_for(pilot, lambda: session.find("two prices") is not None)
            await wait_for(pilot, lambda: log.entries and log.entries[-1][STREAM] == "two prices")
            assert two.connections == connections
            assert "two prices @127.0.0.1" in str(app.events_pane.border_subtitle)
            assert all(e[STREAM] != "prices" for e in session.buffer)
            # Record it through a restart in place (Ctrl+T), then stop.
            await select(pilot, app, "two prices")
            await pilot.press("R")
            recorded_from = session.buffer.next_seq
            await pilot.press("ctrl+t")
            await wait_for(pilot, lambda: two.connections == connections + 1)
            await wait_for(pilot, lambda: session.buffer.next_seq > recorded_from + 10)
            await pilot.press("R")
            assert session.recordings.recorder is None
            (file,) = recordings.glob("*.jsonl")
            await asyncio.sleep(0)
            live_ids = [e[ID] for e in session.buffer if e[STREAM] == "two prices"]
        # Replay what was recorded.
        player = RecordingPlayer(read_recording(file), speed=None)
        replay = build_app(Collection(tmp_path / "replay", "replay"), player=player)
        async with replay.run_test(size=(160, 48)) as pilot:
            await wait_for(pilot, lambda: player.clock.finished)
            replayed = [e[ID] for e in replay.session.buffer]
            assert replayed and replayed == live_ids[live_ids.index(replayed[0]):][: len(replayed)]
            ids = [int(i) for i in replayed]
            assert ids == list(range(ids[0], ids[0] + len(ids)))  # the restart lost and repeated nothing
            assert replay.caught_errors == []
        assert app.caught_errors == []
    finally:
        one.stop()
        two.stop()
