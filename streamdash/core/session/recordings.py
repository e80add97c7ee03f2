"""The session's recording: one file per session in the recordings folder, opened on first use,
and the streams that go into it (with "record all", those started later too)."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from streamdash.core.recording import Recorder
from streamdash.core.session.events import Notice
from streamdash.core.session.live import LiveStream
from streamdash.core.sse.events import Item, StateChange, StreamState

__all__ = ["Recordings"]


class Recordings:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.recorder: Recorder | None = None
        self.keys: set[str] = set()
        self.everything = False  # "Record all streams": also those started later

    @property
    def path(self) -> Path | None:
        return self.recorder.path if self.recorder is not None else None

    def _open(self) -> Recorder | Notice:
        if self.recorder is not None:
            return self.recorder
        path = self.folder / f"streamdash-{time.strftime('%Y%m%d-%H%M%S')}.jsonl"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.recorder = Recorder(path, stream="", heartbeats=True)
        except OSError as exc:
            return Notice(f"{path}: {exc.strerror or exc}", "cannot record", "error", 10)
        return self.recorder

    def start(self, streams: Sequence[LiveStream]) -> Notice:
        """Record these streams from now on. One already open gets a synthetic "open" line, so
        a replay starts from an open stream rather than from nothing."""
        recorder = self._open()
        if isinstance(recorder, Notice):
            return recorder
        now = time.time()
        for live in streams:
            if live.key in self.keys:
                continue
            stats = live.stats
            if stats.state is StreamState.OPEN:
                opened = StateChange(
                    StreamState.OPEN,
                    "recording started",
                    last_event_id=stats.last_event_id,
                    status=stats.last_status,
                    at=now,
                )
                if (failed := self.write(live, [opened])) is not None:
                    return failed
            self.keys.add(live.key)
        names = ", ".join(live.name for live in streams)
        return Notice(f"recording {names} to {recorder.path}", "recording", timeout=6)

    def write(self, live: LiveStream, batch: Iterable[Item]) -> Notice | None:
        """Append a batch; a failing disk stops the recording (the stream goes on) and says so."""
        recorder = self.recorder
        if recorder is None:
            return None
        try:
            recorder.write_items(batch, stream=live.name)
        except OSError as exc:
            self.keys.clear()
            self.everything = False
            self.recorder = None
            recorder.close()
            return Notice(f"{recorder.path}: {exc.strerror or exc}", "recording stopped", "error", 10)
        return None

    def forget(self, key: str) -> Notice | None:
        """Stop recording one stream; the file closes with the last one."""
        self.keys.discard(key)
        if not self.keys and not self.everything:
            return self.stop()
        return None

    def rename(self, old: str, new: str) -> None:
        if old in self.keys:
            self.keys.discard(old)
            self.keys.add(new)

    def stop(self) -> Notice | None:
        self.everything = False
        self.keys.clear()
        recorder, self.recorder = self.recorder, None
        if recorder is None:
            return None
        recorder.close()
        return Notice(f"recording saved: {recorder.path}", "recording", timeout=8)
