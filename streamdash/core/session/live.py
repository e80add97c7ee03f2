"""A stream the session is running (or played from a recording): its engine, counters,
measures and stats tracker, under the key of its request's file."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from streamdash.core.collections.models import SavedRequest, StreamSettings
from streamdash.core.http.prepare import PreparedRequest
from streamdash.core.sse.events import StateChange, StreamState
from streamdash.core.sse.measures import StreamMeasures
from streamdash.core.sse.stream import SSEStream, StreamStats
from streamdash.core.stats import StreamTracker

__all__ = ["LiveStream", "request_id"]


def request_id(request: SavedRequest) -> str:
    """A request's key: its file, which a rename moves and nothing else shares. A request with
    no file (one played from a recording) is known by group/name."""
    if request.path is not None:
        return str(request.path)
    return "/".join((*request.group, request.name))


def measures_for(settings: StreamSettings, started_at: float | None) -> StreamMeasures:
    return StreamMeasures(
        latency_field=settings.latency_field, assemble=settings.assemble, started_at=started_at
    )


@dataclass
class LiveStream:
    key: str
    request: SavedRequest  # as saved: placeholders intact, the current name
    stats: StreamStats
    tracker: StreamTracker
    measures: StreamMeasures
    prepared: PreparedRequest | None = None  # None: played from a recording
    environment: str | None = None  # the environment it was prepared under
    stream: SSEStream | None = None
    task: asyncio.Task[None] | None = field(default=None, repr=False)
    last_change: StateChange | None = None
    alarmed: bool = False  # the silence alarm was raised and not yet cleared
    skips_reported: bool = False  # an oversized event was skipped and said so (the rest are counted)

    @classmethod
    def create(
        cls,
        key: str,
        request: SavedRequest,
        stats: StreamStats,
        *,
        started_at: float | None,
        prepared: PreparedRequest | None = None,
        environment: str | None = None,
    ) -> LiveStream:
        measures = measures_for(request.stream, started_at)
        tracker = StreamTracker(
            request.name, stats, measures=measures, silence_after=request.stream.silence_alarm
        )
        live = cls(key, request, stats, tracker, measures, prepared, environment)
        live._describe()
        return live

    @property
    def name(self) -> str:
        """The label of its events in the log: the request's current name."""
        return self.request.name

    @property
    def state(self) -> StreamState:
        return self.stats.state

    @property
    def host(self) -> str:
        """Where the events come from: the host a redirect took the stream to, if it did."""
        if self.stats.moved_to:
            return self.stats.moved_to
        return self.prepared.host if self.prepared is not None else ""

    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done()

    def follow(self, request: SavedRequest) -> None:
        """The request was renamed or edited: show it under its new name and settings."""
        before = self.request.stream
        self.request = request
        settings = request.stream
        if (settings.latency_field, settings.assemble) != (before.latency_field, before.assemble):
            started = self.measures.assembler.started_at if self.measures.assembler else None
            self.measures = self.tracker.measures = measures_for(settings, started)
        self.tracker.silence_after = settings.silence_alarm
        self._describe()

    def _describe(self) -> None:
        tracker = self.tracker
        tracker.name = self.request.name
        tracker.key = self.key
        tracker.host = self.host
        tracker.environment = self.environment
