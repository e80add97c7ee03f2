"""The streamdash dashboard: saved requests, the live event log, REST answers and stats.

The app owns the one `httpx.AsyncClient`, the ring buffer and the stats; async workers (one per
stream, exclusive in the stream's group) feed the buffer and never touch a widget per event. A
timer at `refresh_hz` writes what is new to the log in one call, and a 1 Hz timer refreshes the
stats. Rare things (state changes, responses) arrive as messages.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import tomli_w
from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.markup import escape as escape_markup
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, Input
from textual.worker import Worker, WorkerCancelled, WorkerFailed

from streamdash.core.buffer import (
    DATA,
    DEFAULT_BUFFER_SIZE,
    ID,
    RECEIVED_AT,
    STREAM,
    TYPE,
    EventBuffer,
    LogEntry,
)
from streamdash.core.collections import (
    Collection,
    CollectionError,
    MissingVariable,
    SavedRequest,
    StreamSettings,
    atomic_write,
    delete_request,
    duplicate_request,
    load_collection,
    render_request,
    rename_request,
    save_request,
    slugify,
)
from streamdash.core.collections.curl import CurlError, parse_curl, to_curl
from streamdash.core.collections.environments import Environment, load_environments
from streamdash.core.collections.httpfile import HttpFileError, parse_http_file
from streamdash.core.export import export_events, export_stats
from streamdash.core.filter import EventFilter, FieldCache, FilterError, compile_filter
from streamdash.core.history import History, HistoryEntry
from streamdash.core.http.auth import AuthError
from streamdash.core.http.client import make_client
from streamdash.core.http.as_curl import curl_for
from streamdash.core.http.execute import Executor, load_collection_settings
from streamdash.core.http.prepare import PrepareError
from streamdash.core.http.paging import PagingError
from streamdash.core.http.send import ResponseSummary
from streamdash.core.http.transport import ClientPool, plain_http_warning
from streamdash.core.sse import (
    Event,
    RetryPolicy,
    SSEStream,
    StateChange,
    StreamOptions,
    StreamState,
    StreamStats,
)
from streamdash.core.playback import RecordingPlayer
from streamdash.core.recording import DamagedLine, Recorder, RecordedItem
from streamdash.core.sse.measures import StreamMeasures, describe_ranges
from streamdash.core.stats import RestStats, StreamTracker, describe_state, format_duration, silent_for
from streamdash.core.text import escape_controls
from streamdash.ui.screens.dialogs import ConfirmScreen, PromptScreen
from streamdash.ui.screens.event_detail import EventDetailScreen
from streamdash.ui.screens.history import HistoryScreen
from streamdash.ui.screens.run import RunScreen
from streamdash.ui.screens.request_editor import RequestEditorScreen
from streamdash.ui.widgets.assembled_text import AssembledText
from streamdash.ui.widgets.event_log import EventLog
from streamdash.ui.widgets.filter_bar import FilterBar
from streamdash.ui.widgets.requests_tree import RequestsTree, request_key
from streamdash.ui.widgets.response_view import ResponseView
from streamdash.ui.widgets.stats_panel import StatsPanel

NARROW_WIDTH = 110
FILTER_DEBOUNCE_S = 0.15
PANES = ("requests", "events", "response", "stats")


class StreamChanged(Message):
    def __init__(self, key: str, change: StateChange) -> None:
        super().__init__()
        self.key = key
        self.change = change


class ResponseReady(Message):
    def __init__(
        self, key: str, summary: ResponseSummary, reveal: bool = True, note: str = ""
    ) -> None:
        super().__init__()
        self.key = key
        self.summary = summary
        self.reveal = reveal  # a narrow screen switches to the answer the user asked for
        self.note = note  # cache hit, pages, a plain-http warning


@dataclass
class RunningStream:
    """A stream on screen: its counters, measures and stats tracker, and the live engine with
    the worker running it (a replayed stream has no engine: the recording feeds its counters)."""

    request: SavedRequest
    stats: StreamStats
    tracker: StreamTracker
    measures: StreamMeasures
    stream: SSEStream | None = None
    worker: Worker[None] | None = None
    last_change: StateChange | None = field(default=None)
    alarmed: bool = False  # the silence alarm was raised and not yet cleared

    @property
    def state(self) -> StreamState:
        return self.stats.state


def running_stream(
    request: SavedRequest, stats: StreamStats, started_at: float | None, stream: SSEStream | None = None
) -> RunningStream:
    settings = request.stream
    measures = StreamMeasures(
        latency_field=settings.latency_field, assemble=settings.assemble, started_at=started_at
    )
    tracker = StreamTracker(
        request.name, stats, measures=measures, silence_after=settings.silence_alarm
    )
    return RunningStream(request, stats, tracker, measures, stream)


def stream_options(request: SavedRequest) -> StreamOptions:
    settings = request.stream
    return StreamOptions(
        method=request.method,
        headers=tuple(request.headers),
        body=request.body.encode("utf-8") if request.body else None,
        last_event_id=settings.last_event_id,
        reconnect=settings.reconnect,
        retry_policy=RetryPolicy(settings.retry_policy),
        read_timeout=settings.read_timeout or None,
        max_event_bytes=settings.max_event_bytes or None,
        # A dashboard watches: keep trying even when the first attempt cannot connect.
        retry_first_connect=True,
    )


def request_url(request: SavedRequest) -> httpx.URL:
    url = httpx.URL(request.url)
    if request.query:
        url = url.copy_merge_params(list(request.query))
    return url


class StreamdashApp(App[None]):
    CSS_PATH = "styles.tcss"
    TITLE = "streamdash"

    BINDINGS = [
        Binding("f1,question_mark", "toggle_help", "Keys"),
        Binding("f2", "show_pane('requests')", "Requests"),
        Binding("f3", "show_pane('events')", "Events"),
        Binding("f4", "show_pane('response')", "Response"),
        Binding("f5", "show_pane('stats')", "Stats"),
        Binding("ctrl+r", "run_selected", "Run/stop"),
        Binding("f6", "switch_environment", "Env"),
        Binding("f7", "show_history", "History"),
        Binding("slash", "focus_filter", "Filter"),
        Binding("i", "toggle_invert", "Invert", show=False),
        Binding("s", "cycle_scope", "Stream scope", show=False),
        Binding("p", "toggle_pause", "Pause"),
        Binding("R", "toggle_record", "Record"),
        Binding("ctrl+l", "clear_log", "Clear log", show=False),
        Binding("ctrl+q", "quit", "Quit", priority=True),
        Binding("ctrl+z", "suspend_process", "Suspend", show=False),
    ]

    def __init__(
        self,
        collection: Collection,
        *,
        variables: dict[str, str] | None = None,
        refresh_hz: float = 20.0,
        buffer_size: int = DEFAULT_BUFFER_SIZE,
        autostart: tuple[str, ...] = (),
        autosend: tuple[str, ...] = (),
        client_factory=make_client,
        clock=time.time,
        history_dir: Path | None = None,
        player: RecordingPlayer | None = None,
        replay_settings: StreamSettings | None = None,
        recordings_dir: Path | None = None,
    ) -> None:
        super().__init__()
        self.collection = collection
        self.overrides = dict(variables or {})  # e.g. the demo server's base_url: always win
        self.env_errors: list = []
        self.environments: dict[str, Environment] = load_environments(collection.root, self.env_errors)
        self.env_name: str | None = None
        self.variables = {**collection.variables, **self.overrides}
        self.history_dir = history_dir
        self.refresh_hz = refresh_hz
        self.buffer = EventBuffer(buffer_size)
        self.field_cache = FieldCache(entries=buffer_size)  # JSON field values, sized to the ring
        self.autostart = autostart
        self.autosend = autosend
        self.client_factory = client_factory
        # A replay plays a recording instead of live streams, and its clock is the recording's.
        self.player = player
        self.replay_settings = replay_settings or StreamSettings()
        self.clock = player.clock if player is not None else clock
        self.recordings_dir = recordings_dir
        self.recorder: Recorder | None = None  # one file per session, opened on first use
        self.recording: set[str] = set()  # keys of the streams being recorded
        self._record_all = False  # "Record all streams": also those started later
        self._assembled_shown: tuple[tuple[int, bool, str | None], ...] = ()
        self.client: httpx.AsyncClient | None = None
        self.streams: dict[str, RunningStream] = {}
        self.rest_stats = RestStats()
        self.event_filter: EventFilter = compile_filter("")
        self.invert = False
        self.scope: str | None = None
        self.flushed_seq = 0
        self.waiting = 0  # matching events not shown while the log is paused
        self.log_writes = 0  # how many times the log was written to (one per tick at most)
        self._filter_timer: Timer | None = None
        self._pane = "events"

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="main"):
            yield RequestsTree(id="requests", classes="pane")
            with Vertical(id="center"):
                with Vertical(id="events", classes="pane"):
                    yield FilterBar(id="filter-bar")
                    with Horizontal(id="log-row"):
                        yield EventLog(id="log")
                        yield AssembledText(id="assembled")
                yield ResponseView(id="response", classes="pane")
        yield StatsPanel(id="stats", classes="pane")
        yield Footer()

    def on_mount(self) -> None:
        self._count_terminal_output()
        try:  # the terminal went away (an SSH drop): leave cleanly instead of dying mid-write
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self.exit)
        except (NotImplementedError, RuntimeError, ValueError):
            pass
        # Kept, not queried: the timers use them every tick.
        self.log_view = self.query_one(EventLog)
        self.filter_bar = self.query_one(FilterBar)
        self.requests_tree = self.query_one(RequestsTree)
        self.stats_panel = self.query_one(StatsPanel)
        self.response_view = self.query_one(ResponseView)
        self.events_pane = self.query_one("#events")
        self.assembled_view = self.query_one(AssembledText)
        settings = load_collection_settings(self.collection.root)
        self.pool = ClientPool(self.client_factory)
        self.client = self.pool.get(settings.transport)  # the one client streams share
        self.executor = Executor(
            self.pool,
            settings,
            history=History(self.history_dir) if self.history_dir else None,
            collection_root=self.collection.root,
        )
        for problem in settings.errors:
            self.notify(problem, title="collection settings", severity="error", timeout=10)
        self.sub_title = self._subtitle()
        for pane, title in (
            ("requests", "Requests"),
            ("events", "Events"),
            ("response", "Response"),
            ("stats", "Stats"),
        ):
            self.query_one(f"#{pane}").border_title = title
        tree = self.requests_tree
        tree.load(self.collection)
        self._report_load_errors()
        self.set_interval(1 / self.refresh_hz, self.flush_log, name="flush")
        self.set_interval(1.0, self.refresh_stats, name="stats")
        self._apply_width(self.size.width)
        if self.screen.has_class("-narrow"):
            self.action_show_pane(self._pane)  # focus what is on screen, not the hidden tree
        else:
            tree.focus()
        for key in self.autostart:
            if (request := self._find(key)) is not None:
                self.start_stream(request)
        if self.player is not None:
            self.response_view.display = False  # a replay sends nothing: the log takes the room
            self.run_worker(self._replay_worker(self.player), group="replay", exit_on_error=False)
        for key in self.autosend:
            if (request := self._find(key)) is not None:
                self.send_request(request, reveal=False)
        self.refresh_stats()

    async def on_unmount(self) -> None:
        workers = [r.worker for r in self.streams.values() if r.worker is not None]
        for worker in workers:
            worker.cancel()
        for worker in workers:
            try:
                await worker.wait()
            except (WorkerCancelled, WorkerFailed):
                pass
        if self.client is not None:
            await self.executor.aclose()  # closes every pooled client, the streams' one too
        if self.recorder is not None:
            self.recorder.close()

    def _subtitle(self) -> str:
        if self.player is not None:
            speed = self.player.speed
            pace = "instant" if speed is None else f"{speed:g}x"
            where = "finished" if self.player.clock.finished else "playing"
            return f"{self.collection.name} \u00b7 {pace} \u00b7 {where}"
        if self.env_name is None:
            return f"{self.collection.name} \u00b7 no environment"
        production = " (PRODUCTION)" if self.environments[self.env_name].production else ""
        return f"{self.collection.name} \u00b7 env: {self.env_name}{production}"

    def _report_load_errors(self) -> None:
        for error in [*self.collection.errors, *self.env_errors]:
            self.notify(str(error), title="skipped a file", severity="error", timeout=10)

    def action_switch_environment(self) -> None:
        """Cycle: no environment, then each environment of the collection."""
        if not self.environments:
            self.notify("this collection has no environments (add env/NAME.toml)", timeout=4)
            return
        names: list[str | None] = [None, *self.environments]
        index = names.index(self.env_name) if self.env_name in names else 0
        self.use_environment(names[(index + 1) % len(names)])

    def use_environment(self, name: str | None) -> None:
        self.env_name = name
        env = self.environments.get(name) if name else None
        self.variables = {
            **self.collection.variables,
            **(env.variables if env else {}),
            **self.overrides,
        }
        self.screen.set_class(bool(env and env.production), "-production")
        self.sub_title = self._subtitle()

    def on_resize(self, event) -> None:  # type: ignore[no-untyped-def]
        self._apply_width(event.size.width)

    def _apply_width(self, width: int) -> None:
        was_visible = self._log_visible()
        self.screen.set_class(width < NARROW_WIDTH, "-narrow")
        for pane in PANES:
            self.query_one(f"#{pane}").set_class(pane == self._pane, "-active")
        self.query_one("#center").set_class(self._pane in ("events", "response"), "-active")
        self.query_one("#main").set_class(self._pane != "stats", "-active")
        if not was_visible and self._log_visible() and self.waiting:
            self.refilter()

    def _log_visible(self) -> bool:
        """At narrow widths only the active pane shows; a hidden log is not written to."""
        return not self.screen.has_class("-narrow") or self._pane == "events"

    def action_show_pane(self, pane: str) -> None:
        self._pane = pane
        self._apply_width(self.size.width)
        target = {
            "requests": "#requests",
            "events": "#log",
            "response": "#response-body",
            "stats": "#stats-streams",
        }[pane]
        self.query_one(target).focus()

    def action_toggle_help(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity="information",  # type: ignore[no-untyped-def]
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Plain text by default: messages carry paths, reasons and servers' words, and a "[" in
        any of them must show as itself, not be read as markup."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    # -- the command palette ------------------------------------------------------------------

    def get_system_commands(self, screen: Screen):  # type: ignore[no-untyped-def]
        yield from super().get_system_commands(screen)
        yield SystemCommand("Run or stop the selected request", "Send a REST request, or start/stop a stream", self.action_run_selected)
        yield SystemCommand("Stop all streams", "Close every running stream", self.action_stop_all)
        yield SystemCommand("Record the selected stream", "Start or stop recording it to a file (R)", self.action_toggle_record)
        yield SystemCommand("Record all streams", "Record every running stream, and those started later", self.action_record_all)
        yield SystemCommand("Stop recording", "Close the recording file", self.action_stop_recording)
        yield SystemCommand("New request", "Create a request in this collection", self.action_new_request)
        yield SystemCommand("Edit request", "Edit the selected request", self.action_edit_request)
        yield SystemCommand("Duplicate request", "Copy the selected request", self.action_duplicate_request)
        yield SystemCommand("Rename request", "Rename the selected request", self.action_rename_request)
        yield SystemCommand("Delete request", "Delete the selected request file", self.action_delete_request)
        yield SystemCommand("Filter events", "Focus the filter bar", self.action_focus_filter)
        yield SystemCommand("Invert filter", "Show the events the filter does not match", self.action_toggle_invert)
        yield SystemCommand("Cycle stream scope", "Show all streams or one", self.action_cycle_scope)
        yield SystemCommand("Pause or follow the log", "Stop or resume the live tail", self.action_toggle_pause)
        yield SystemCommand("Clear the log", "Forget every retained event", self.action_clear_log)
        yield SystemCommand("Reload collection", "Read the collection from disk again", self.action_reload)
        yield SystemCommand("History", "Past sends; Enter sends one again (F7)", self.action_show_history)
        yield SystemCommand("Export the log", "The filtered events as JSON lines or CSV (by the file's ending)", self.action_export_log)
        yield SystemCommand("Export stats", "A stats snapshot as JSON", self.action_export_stats)
        yield SystemCommand("Run the collection", "Send every REST request in order and check the answers", self.action_run_collection)
        yield SystemCommand("Switch environment", "Cycle through env/*.toml (F6)", self.action_switch_environment)
        yield SystemCommand("Copy request as curl", "A command a shell runs back to this request", self.action_copy_curl)
        yield SystemCommand("Import a curl command", "Paste curl; it becomes a saved request", self.action_import_curl)
        yield SystemCommand("Import a .http file", "JetBrains / VS Code REST Client requests", self.action_import_http_file)

    # -- requests -----------------------------------------------------------------------------

    def _find(self, key: str) -> SavedRequest | None:
        for request in self.collection.requests:
            if request_key(request) == key or request.name == key:
                return request
        return None

    @property
    def selected_request(self) -> SavedRequest | None:
        return self.requests_tree.selected

    def action_run_selected(self) -> None:
        request = self.selected_request
        if request is None:
            self.notify("select a request first", severity="warning", timeout=3)
            return
        if self.player is not None and request.group == ("recording",):
            self.notify("a recorded stream plays from its file; it cannot be started", timeout=4)
            return
        if request.kind == "sse":
            key = request_key(request)
            running = self.streams.get(key)
            if running is not None and running.state not in (StreamState.CLOSED, StreamState.FAILED):
                self.stop_stream(key)
            else:
                self.start_stream(request)
        else:
            self.send_request(request)

    def _rendered(self, request: SavedRequest):  # type: ignore[no-untyped-def]
        try:
            return self.executor.prepare(request, self.variables)
        except PrepareError as exc:
            self.notify(f"{request.name}: {exc}", title="cannot send", severity="error", timeout=8)
            return None

    def send_request(self, request: SavedRequest, *, reveal: bool = True) -> None:
        if self._rendered(request) is None:  # say what is missing before anything is sent
            return
        self._send_worker(request_key(request), request, reveal)

    @work(group="rest", exit_on_error=False)
    async def _send_worker(self, key: str, request: SavedRequest, reveal: bool) -> None:
        try:
            run = await self.executor.run(request, self.variables, key)
        except (PrepareError, PagingError, ValueError) as exc:
            summary = ResponseSummary(request.method, request.url, error=str(exc))
            self.post_message(ResponseReady(key, summary, reveal))
            return
        note = "; ".join(part for part in (run.note, run.warning) if part)
        self.post_message(ResponseReady(key, run.summary, reveal, note))

    @on(ResponseReady)
    def _show_response(self, message: ResponseReady) -> None:
        summary = message.summary
        self.rest_stats.record(summary.status, summary.elapsed_s, summary.sent_at or self.clock())
        self.response_view.show(summary, message.key.rpartition("/")[2], message.note)
        if message.reveal and self.screen.has_class("-narrow"):
            self._pane = "response"
            self._apply_width(self.size.width)
        self.refresh_stats()

    # -- streams ------------------------------------------------------------------------------

    def start_stream(self, request: SavedRequest) -> None:
        prepared = self._rendered(request)
        if prepared is None:
            return
        key = request_key(request)
        old = self.streams.get(key)
        if (warning := prepared.warning) is not None:
            self.notify(f"{request.name}: {warning}", severity="warning", timeout=8)
        stream = SSEStream(self.executor.client_for(prepared), prepared.url, prepared.stream_options())
        if old is not None:  # a restart resumes where the last run stopped
            stream.stats.last_event_id = old.stats.last_event_id or stream.stats.last_event_id
        running = running_stream(request, stream.stats, time.time(), stream)
        self.streams[key] = running
        # exclusive within the stream's group: a restart cancels the old worker
        running.worker = self.run_worker(
            self._stream_worker(key, request.name, stream, running.measures),
            group=f"stream:{key}",
            exclusive=True,
            exit_on_error=False,
        )
        self.requests_tree.set_state(key, StreamState.CONNECTING)
        if self._record_all:
            self.start_recording([key])

    async def _stream_worker(
        self, key: str, label: str, stream: SSEStream, measures: StreamMeasures
    ) -> None:
        """Feeds the buffer, the measures and a recording; never touches a widget. `label`
        names the stream in the log."""
        buffer = self.buffer
        post = self.post_message
        recording = self.recording
        try:
            async with stream:
                async for batch in stream.batches():
                    if key in recording:
                        self._record(key, label, batch)
                    first = batch[0]
                    if type(first) is StateChange:
                        post(StreamChanged(key, first))
                        continue
                    events = [item for item in batch if type(item) is Event]
                    if events:
                        buffer.extend(label, events)
                        measures.add(events)
        finally:
            if stream.state is StreamState.CLOSED:
                post(StreamChanged(key, StateChange(StreamState.CLOSED, "stopped", at=time.time())))

    def stop_stream(self, key: str) -> None:
        running = self.streams.get(key)
        if running is None:
            return
        if running.worker is not None:
            running.worker.cancel()
        self.requests_tree.set_state(key, StreamState.CLOSED)

    def action_stop_all(self) -> None:
        for key in list(self.streams):
            self.stop_stream(key)

    @on(StreamChanged)
    def _stream_changed(self, message: StreamChanged) -> None:
        running = self.streams.get(message.key)
        if running is not None:
            running.last_change = message.change
        self.requests_tree.set_state(message.key, message.change.state)
        self._show_stream_states()
        if message.change.state is StreamState.FAILED:
            self.notify(f"{message.key}: {message.change.reason}", title="stream failed", severity="error", timeout=8)

    # -- recording ----------------------------------------------------------------------------

    def _record(self, key: str, label: str, batch: list) -> None:
        """Append a batch to the session's recording; a failing disk stops recording, loudly."""
        recorder = self.recorder
        if recorder is None:
            return
        try:
            recorder.write_items(batch, stream=label)
        except OSError as exc:
            self.recording.clear()
            self.recorder = None
            recorder.close()
            self.notify(f"{recorder.path}: {exc.strerror or exc}", title="recording stopped", severity="error", timeout=10)

    def _open_recorder(self) -> Recorder | None:
        if self.recorder is not None:
            return self.recorder
        folder = self.recordings_dir
        if folder is None:
            from streamdash.core.config import Locations

            folder = Locations.from_env().data_dir / "recordings"
        path = folder / f"streamdash-{time.strftime('%Y%m%d-%H%M%S')}.jsonl"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self.recorder = Recorder(path, stream="", heartbeats=True)
        except OSError as exc:
            self.notify(f"{path}: {exc.strerror or exc}", title="cannot record", severity="error", timeout=10)
            return None
        return self.recorder

    def start_recording(self, keys: list[str]) -> None:
        recorder = self._open_recorder()
        if recorder is None:
            return
        now = time.time()
        for key in keys:
            if key in self.recording:
                continue
            running = self.streams[key]
            stats = running.stats
            if stats.state is StreamState.OPEN:  # so a replay starts from "open", not from nothing
                opened = StateChange(StreamState.OPEN, "recording started", last_event_id=stats.last_event_id, status=stats.last_status, at=now)
                self._record(key, running.request.name, [opened])
            self.recording.add(key)
        names = ", ".join(self.streams[key].request.name for key in keys)
        self.notify(f"recording {names} to {recorder.path}", title="recording", timeout=6)
        self._show_stream_states()

    def action_toggle_record(self) -> None:
        """Record the selected stream (the one whose events the log shows, if none is selected)."""
        if self.player is not None:
            self.notify("this is a replay: it is already a recording", timeout=3)
            return
        request = self.selected_request
        key = request_key(request) if request is not None and request.kind == "sse" else None
        if key is None and self.scope is not None:
            key = next((k for k, r in self.streams.items() if r.request.name == self.scope), None)
        if key is None or key not in self.streams:
            self.notify("select a running stream to record (or: Record all streams)", severity="warning", timeout=4)
            return
        if key in self.recording:
            self.recording.discard(key)
            self.notify(f"stopped recording {self.streams[key].request.name}", timeout=4)
            if not self.recording:
                self.action_stop_recording()
            self._show_stream_states()
            return
        self.start_recording([key])

    def action_record_all(self) -> None:
        if self.player is not None:
            self.notify("this is a replay: it is already a recording", timeout=3)
            return
        self._record_all = True
        if self.streams:
            self.start_recording(list(self.streams))
        else:
            self.notify("every stream started from now on is recorded", timeout=4)

    def action_stop_recording(self) -> None:
        self._record_all = False
        self.recording.clear()
        recorder, self.recorder = self.recorder, None
        if recorder is not None:
            recorder.close()
            self.notify(f"recording saved: {recorder.path}", title="recording", timeout=8)
        self._show_stream_states()

    # -- replaying a recording ----------------------------------------------------------------

    def _replay_stream(self, name: str) -> RunningStream:
        """The stream `name` of the recording, shown as a request of the "recording" group."""
        key = f"recording/{name}"
        running = self.streams.get(key)
        if running is None:
            assert self.player is not None
            request = SavedRequest(name=name, kind="sse", url=f"recording: {name}", group=("recording",), stream=self.replay_settings)
            stats = self.player.stats_for(name)
            # No start time yet: a recorded "connecting" sets it, else the first event does.
            running = self.streams[key] = running_stream(request, stats, None)
            self.collection.requests.append(request)
            self._reload_tree()
        return running

    async def _replay_worker(self, player: RecordingPlayer) -> None:
        """Plays the recording into the buffer, the measures and the counters, as live workers
        do; a damaged line is reported with its number and skipped."""
        reported = 0
        async for batch in player.batches():
            run: list[Event] = []
            run_stream = ""
            for item in batch:
                if type(item) is DamagedLine:
                    reported += 1
                    if reported <= 5:
                        self.notify(f"line {item.line}: {item.reason}", title="damaged line skipped", severity="warning", timeout=10)
                    continue
                assert type(item) is RecordedItem
                if item.kind == "event":
                    if item.stream != run_stream and run:
                        self._replayed(run_stream, run)
                        run = []
                    run_stream = item.stream
                    run.append(item.to_event())
                    continue
                if run:
                    self._replayed(run_stream, run)
                    run = []
                running = self._replay_stream(item.stream)
                if item.kind == "state":
                    change = item.to_state_change()
                    if change.state is StreamState.CONNECTING:
                        running.measures.request_started(item.t)
                    self.post_message(StreamChanged(f"recording/{item.stream}", change))
            if run:
                self._replayed(run_stream, run)
        damaged = len(player.damaged)
        ending = f"; {plural(damaged, 'damaged line')} skipped" if damaged else ""
        if player.error:
            self.notify(f"reading stopped early: {player.error}", title="replay", severity="error", timeout=10)
        self.notify(f"replay finished: {player.played:,} items{ending}", title="replay", timeout=8)
        self.sub_title = self._subtitle()
        self.refresh_stats()

    def _replayed(self, stream: str, events: list[Event]) -> None:
        running = self._replay_stream(stream)
        self.buffer.extend(stream, events)
        running.measures.add(events)

    # -- the log ------------------------------------------------------------------------------

    def _visible(self, entries: list[LogEntry]) -> list[LogEntry]:
        if self.scope is not None:
            entries = [e for e in entries if e[STREAM] == self.scope]
        if self.event_filter.is_empty and not self.invert:
            return entries
        return self.event_filter.apply(entries)

    def flush_log(self) -> None:
        """One tick: what arrived since the last tick goes to the log in one write."""
        buffer = self.buffer
        if buffer.next_seq == self.flushed_seq:
            return
        self._show_assembled()
        new = buffer.since(self.flushed_seq)
        self.flushed_seq = buffer.next_seq
        self._show_count()
        shown = self._visible(new)
        if not shown:
            return
        log = self.log_view
        if not log.following or not self._log_visible():
            self.waiting += len(shown)  # hidden or paused: caught up from the buffer later
            self._show_badge()
            return
        log.append(shown)
        self.log_writes += 1

    def refilter(self) -> None:
        """Re-run the filter over everything retained and show the newest matches."""
        log = self.log_view
        start = time.perf_counter()
        matches = self._visible(list(self.buffer))
        self.flushed_seq = self.buffer.next_seq
        self.waiting = 0
        log.replace(matches[-(log.max_lines or len(matches)) :] if matches else [])
        took = (time.perf_counter() - start) * 1000
        bar = self.filter_bar
        if self.event_filter.is_empty and self.scope is None and not self.invert:
            bar.show_status(f"{len(self.buffer):,} events")
        else:
            bar.show_status(f"{len(matches):,} of {len(self.buffer):,} match \u00b7 {took:.0f} ms")
        self._show_badge()

    def _show_badge(self) -> None:
        log = self.log_view
        bar = self.filter_bar
        if log.following:
            bar.show_badge("")
        else:
            bar.show_badge(f"paused \u00b7 {self.waiting:,} new \u00b7 End to follow")

    @on(EventLog.Paused)
    def _paused(self) -> None:
        self._show_badge()

    @on(EventLog.Resumed)
    def _resumed(self) -> None:
        self.waiting = 0
        self.refilter()

    def _show_assembled(self) -> None:
        """The text of every stream that assembles one, beside the log; shown only when there is
        some, and rewritten only when a stream's text grew."""
        blocks = [
            (running.request.name, assembler)
            for running in self.streams.values()
            if (assembler := running.measures.assembler) is not None and assembler.tokens
        ]
        shown = tuple((len(a.text), a.done, a.finish_reason) for _, a in blocks)
        if shown == self._assembled_shown:
            return
        self._assembled_shown = shown
        self.assembled_view.show(blocks)

    def detail_notes(self, entry: LogEntry) -> list[str]:
        """What the stream's measures say about one event: its latency, the ids its stream is
        missing."""
        running = next((r for r in self.streams.values() if r.request.name == entry[STREAM]), None)
        if running is None:
            return []
        notes = []
        measures = running.measures
        if measures.latency is not None:
            event = Event(entry[TYPE], entry[DATA], entry[ID], received_at=entry[RECEIVED_AT])
            latency = measures.latency_of(event)
            field_path = measures.latency.field_path
            notes.append(
                f"latency {latency:,.0f} ms (from {field_path})"
                if latency is not None
                else f"latency: no send time at {field_path}"
            )
        gaps = measures.gaps
        if gaps.applicable:
            if gaps.missing:
                notes.append(
                    f"{entry[STREAM]}: {plural(gaps.missing, 'id')} missing in "
                    f"{plural(len(gaps.ranges), 'range')}: "
                    f"{describe_ranges(gaps.ranges)}"
                )
            else:
                notes.append(f"{entry[STREAM]}: no missing ids")
            if gaps.resets:
                notes.append(f"ids went back {plural(gaps.resets, 'time')} (a server restart?)")
        return notes

    @on(EventLog.OpenEntry)
    def _open_entry(self, message: EventLog.OpenEntry) -> None:
        self.push_screen(EventDetailScreen(message.entry, self.detail_notes(message.entry)))

    def action_toggle_pause(self) -> None:
        log = self.log_view
        if log.following:
            log.pause()
        else:
            log.action_follow()

    def action_clear_log(self) -> None:
        self.buffer.clear()
        self.refilter()

    # -- the filter ---------------------------------------------------------------------------

    def action_focus_filter(self) -> None:
        if self.screen.has_class("-narrow"):
            self._pane = "events"
            self._apply_width(self.size.width)
        # At once, not on the next idle: keys typed right after "/" belong to the filter.
        self.set_focus(self.filter_bar.input)

    @on(Input.Changed, "#filter-input")
    def _filter_typed(self, event: Input.Changed) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(FILTER_DEBOUNCE_S, self.apply_filter)

    @on(Input.Submitted, "#filter-input")
    def _filter_submitted(self) -> None:
        self.apply_filter()
        self.log_view.focus()

    def apply_filter(self) -> None:
        text = self.filter_bar.input.value
        try:
            self.event_filter = compile_filter(text, invert=self.invert, cache=self.field_cache)
        except FilterError as exc:
            self.filter_bar.show_status(str(exc), error=True)
            return
        self.refilter()

    def action_toggle_invert(self) -> None:
        self.invert = not self.invert
        self.filter_bar.show_invert(self.invert)
        self.apply_filter()

    def action_cycle_scope(self) -> None:
        names = sorted({e[STREAM] for e in self.buffer} | {r.request.name for r in self.streams.values()})
        options: list[str | None] = [None, *names]
        index = options.index(self.scope) if self.scope in options else 0
        self.scope = options[(index + 1) % len(options)]
        self.filter_bar.show_scope(self.scope)
        self.refilter()

    # -- stats --------------------------------------------------------------------------------

    def _count_terminal_output(self) -> None:
        """Count the bytes the app writes to the terminal: over SSH that is the cost to watch."""
        self.terminal_bytes = 0
        driver = self._driver
        write = getattr(driver, "write", None)
        if driver is None or write is None:
            return

        def counting_write(data: str) -> None:
            self.terminal_bytes += len(data)
            write(data)

        driver.write = counting_write  # type: ignore[method-assign]
        self._terminal_sample = (time.monotonic(), 0)

    def terminal_rate(self) -> float:
        """Bytes per second written to the terminal since the last stats tick."""
        then, count = getattr(self, "_terminal_sample", (time.monotonic(), 0))
        now = time.monotonic()
        self._terminal_sample = (now, self.terminal_bytes)
        return (self.terminal_bytes - count) / max(now - then, 1e-3)

    def refresh_stats(self) -> None:
        now = self.clock()
        snapshots = [running.tracker.sample(now) for running in self.streams.values()]
        self._silence_alarms(snapshots)
        # Headless (tests, screenshots) there is no terminal to measure.
        terminal = None if self.is_headless else (self.terminal_rate(), self.refresh_hz)
        self.stats_panel.show(snapshots, self.rest_stats.snapshot(now), terminal=terminal)
        self._show_stream_states(now)
        self._show_count()

    def _silence_alarms(self, snapshots) -> None:  # type: ignore[no-untyped-def]
        """Say it once when an open stream goes quiet past its threshold (heartbeats count as
        life); the state line and the stats panel keep showing it until something arrives."""
        for running, snap in zip(list(self.streams.values()), snapshots, strict=True):
            if snap.silent_for is None:
                running.alarmed = False
            elif not running.alarmed:
                running.alarmed = True
                self.notify(
                    f"{running.request.name}: nothing received for {format_duration(snap.silent_for)} while open",
                    title="stream silent",
                    severity="warning",
                    timeout=10,
                )

    def _marks(self, key: str, running: RunningStream, now: float) -> str:
        """What the state line adds to a stream's name: recording, and the silence alarm."""
        marks = " \u25cf rec" if key in self.recording else ""
        silent = silent_for(running.stats, now, running.tracker.silence_after)
        if silent is not None:
            marks += f" \u26a0 silent {format_duration(silent)}"
        return marks

    def _show_count(self) -> None:
        """With no filter the status counts the retained events (a filter shows its matches)."""
        if self.event_filter.is_empty and self.scope is None and not self.invert:
            self.filter_bar.show_status(f"{len(self.buffer):,} events")

    def _show_stream_states(self, now: float | None = None) -> None:
        """Every stream's state under the log, so it stays visible when the stats pane is not."""
        now = self.clock() if now is None else now
        parts = [
            f"{running.request.name}{self._marks(key, running, now)}: "
            f"{escape_controls(describe_state(running.stats, now))[:48]}"
            for key, running in self.streams.items()
        ]
        subtitle = escape_markup(" \u00b7 ".join(parts))
        events = self.events_pane
        if events.border_subtitle != subtitle:  # setting it repaints the pane, even unchanged
            events.border_subtitle = subtitle

    # -- editing the collection ---------------------------------------------------------------

    def _save(self, request: SavedRequest) -> SavedRequest | None:
        try:
            saved = save_request(self.collection, request)
        except (CollectionError, OSError) as exc:
            self.notify(str(exc), title="not saved", severity="error", timeout=10)
            return None
        self._reload_tree(saved)
        self.notify(f"saved {saved.path}", timeout=3)
        return saved

    def _reload_tree(self, select: SavedRequest | None = None) -> None:
        self.requests_tree.load(self.collection, request_key(select) if select else None)

    def action_edit_request(self) -> None:
        request = self.selected_request
        if request is None:
            return

        def done(edited: SavedRequest | None) -> None:
            if edited is not None:
                self._save(edited)

        self.push_screen(RequestEditorScreen(request), done)

    def action_new_request(self) -> None:
        selected = self.selected_request
        group = selected.group if selected is not None else ()
        blank = SavedRequest(name="New request", url="{{base_url}}/" if "base_url" in self.variables else "https://", group=group)

        def done(created: SavedRequest | None) -> None:
            if created is not None:
                self._save(dataclasses.replace(created, path=None))

        self.push_screen(RequestEditorScreen(blank, title="New request"), done)

    def action_duplicate_request(self) -> None:
        request = self.selected_request
        if request is None:
            return
        try:
            copy = duplicate_request(self.collection, request)
        except (CollectionError, OSError) as exc:
            self.notify(str(exc), title="not copied", severity="error", timeout=10)
            return
        self._reload_tree(copy)

    def action_rename_request(self) -> None:
        request = self.selected_request
        if request is None:
            return

        def done(name: str | None) -> None:
            if not name or name == request.name:
                return
            try:
                renamed = rename_request(self.collection, request, name)
            except (CollectionError, OSError) as exc:
                self.notify(str(exc), title="not renamed", severity="error", timeout=10)
                return
            self._reload_tree(renamed)

        self.push_screen(PromptScreen(f"Rename {request.name!r} to:", request.name), done)

    def action_delete_request(self) -> None:
        request = self.selected_request
        if request is None:
            return

        def done(yes: bool | None) -> None:
            if not yes:
                return
            try:
                delete_request(self.collection, request)
            except (CollectionError, OSError) as exc:
                self.notify(str(exc), title="not deleted", severity="error", timeout=10)
                return
            self.stop_stream(request_key(request))
            self._reload_tree()

        self.push_screen(ConfirmScreen(f"Delete {request.name!r} ({request.path})?"), done)

    def action_run_collection(self) -> None:
        requests = [r for r in self.collection.requests if r.kind == "rest"]
        if not requests:
            self.notify("no REST requests to run", timeout=3)
            return
        self.push_screen(RunScreen(self.executor, requests, dict(self.variables)))

    def _export_default(self, suffix: str) -> str:
        from streamdash.core.config import Locations

        stamp = time.strftime("%Y%m%d-%H%M%S")
        return str(Locations.from_env().data_dir / "exports" / f"streamdash-{stamp}{suffix}")

    def action_export_log(self) -> None:
        def done(path: str | None) -> None:
            if not path:
                return
            entries = self._visible(list(self.buffer))
            try:
                count = export_events(entries, Path(path).expanduser())
            except OSError as exc:
                self.notify(f"{path}: {exc.strerror or exc}", title="not exported", severity="error", timeout=10)
                return
            self.notify(f"exported {count:,} events to {path}", timeout=5)

        prompt = "Export the filtered log to (.jsonl, or .csv for CSV):"
        self.push_screen(PromptScreen(prompt, self._export_default(".jsonl")), done)

    def action_export_stats(self) -> None:
        def done(path: str | None) -> None:
            if not path:
                return
            now = self.clock()
            streams = [running.tracker.sample(now) for running in self.streams.values()]
            try:
                export_stats(streams, self.rest_stats.snapshot(now), Path(path).expanduser(), at=now)
            except OSError as exc:
                self.notify(f"{path}: {exc.strerror or exc}", title="not exported", severity="error", timeout=10)
                return
            self.notify(f"stats written to {path}", timeout=5)

        self.push_screen(PromptScreen("Write a stats snapshot (JSON) to:", self._export_default("-stats.json")), done)

    def action_show_history(self) -> None:
        history = self.executor.history
        if history is None:
            self.notify("no history for this session", timeout=3)
            return
        entries = history.entries()

        def done(entry: HistoryEntry | None) -> None:
            if entry is None:
                return
            current = self._find(entry.key) if entry.key else None
            self.send_request(current or entry.to_request())

        self.push_screen(HistoryScreen(entries, history.damaged), done)

    def action_copy_curl(self) -> None:
        request = self.selected_request
        if request is None or self._rendered(request) is None:
            return
        command = curl_for(request, self.variables, self.executor.settings)
        self.copy_to_clipboard(command.text)
        note = f"; {command.note}" if command.note else ""
        self.notify(f"copied {request.name} as curl (OSC 52){note}", timeout=4)

    def action_import_curl(self) -> None:
        selected = self.selected_request
        group = selected.group if selected is not None else ()

        def done(command: str | None) -> None:
            if not command:
                return
            try:
                request = dataclasses.replace(parse_curl(command), group=group)
            except CurlError as exc:
                self.notify(str(exc), title="not a curl command", severity="error", timeout=10)
                return
            self._save(request)

        self.push_screen(PromptScreen("Paste a curl command:"), done)

    def action_import_http_file(self) -> None:
        def done(path: str | None) -> None:
            if not path:
                return
            try:
                text = Path(path).expanduser().read_text(encoding="utf-8-sig")
                requests, _variables = parse_http_file(text, Path(path))
            except OSError as exc:
                self.notify(f"{path}: {exc.strerror or exc}", title="not imported", severity="error", timeout=10)
                return
            except HttpFileError as exc:
                self.notify(str(exc), title="not imported", severity="error", timeout=10)
                return
            saved = None
            for request in requests:
                saved = self._save(request) or saved
            env_note = ""
            if _variables:
                env_note = self._save_imported_variables(Path(path).stem, _variables)
            if saved is not None:
                self.notify(f"imported {len(requests)} requests from {path}{env_note}", timeout=6)

        self.push_screen(PromptScreen("Path of a .http or .rest file:"), done)

    def _save_imported_variables(self, stem: str, variables: dict[str, str]) -> str:
        """A .http file's @variables become an environment of their own (never overwriting one):
        the imported requests keep their {{placeholders}} and F6 selects the values."""
        folder = self.collection.root / "env"
        name = slugify(stem) or "imported"
        target = folder / f"{name}.toml"
        counter = 2
        while target.exists():
            target = folder / f"{name}-{counter}.toml"
            counter += 1
        try:
            folder.mkdir(exist_ok=True)
            atomic_write(target, tomli_w.dumps({"variables": variables}))
        except OSError as exc:
            self.notify(f"{target}: {exc.strerror or exc}", title="variables not saved", severity="error")
            return ""
        self.environments = load_environments(self.collection.root, self.env_errors)
        return f"; its variables are the environment {target.stem!r} (F6)"

    def action_reload(self) -> None:
        self.collection = load_collection(self.collection.root)
        self.env_errors = []
        self.environments = load_environments(self.collection.root, self.env_errors)
        self.use_environment(self.env_name if self.env_name in self.environments else None)
        self._reload_tree()
        self._report_load_errors()


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def few_colours(environ: dict[str, str] | None = None) -> bool:
    """A terminal that announces 16 colours (or fewer): TERM=xterm-16color, linux, vt100..."""
    env = environ if environ is not None else dict(os.environ)
    term = env.get("TERM", "")
    if env.get("COLORTERM"):
        return False
    return term.endswith("16color") or term in ("linux", "vt100", "vt220", "xterm-color", "ansi")


def run_app(
    collection_root: Path,
    *,
    variables: dict[str, str] | None = None,
    refresh_hz: float = 20.0,
    buffer_size: int = DEFAULT_BUFFER_SIZE,
    autostart: tuple[str, ...] = (),
    autosend: tuple[str, ...] = (),
    title: str | None = None,
    theme: str | None = None,
    player: RecordingPlayer | None = None,
    replay_settings: StreamSettings | None = None,
    collection_name: str | None = None,
) -> None:
    collection = load_collection(collection_root)
    if collection_name:
        collection.name = collection_name
    from streamdash.core.config import Locations

    locations = Locations.from_env()
    app = StreamdashApp(
        collection,
        history_dir=locations.state_dir / "history",
        variables=variables,
        refresh_hz=refresh_hz,
        buffer_size=buffer_size,
        autostart=autostart,
        autosend=autosend,
        player=player,
        replay_settings=replay_settings,
        recordings_dir=locations.data_dir / "recordings",
    )
    if title:
        app.title = title
    if theme in (None, "textual-dark") and few_colours():
        theme = "ansi-dark"  # the terminal's own 16 colours, so every style stays readable
    if theme:
        if theme in app.available_themes:
            app.theme = theme
        else:
            print(f"streamdash: unknown theme {theme!r} in config.toml; using the default", file=sys.stderr)
    app.run()
