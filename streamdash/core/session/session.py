"""One person's session with a collection, without any UI: the collection and its environments,
the active environment, the running streams (keyed by their request's file), the retained
events, the recording, the REST stats and the history, with one method per thing a user does.

A front end renders the session and turns keys into calls. Whatever an action touches, the
session decides: a rename keeps its stream running under the new name, a delete stops it, an
edit or an environment switch restarts the streams whose prepared request changed. It reports
through `SessionEvent`s (a `Notice` for anything the user should read); an action that fails is
a notice, never an exception.

Streams run as asyncio tasks on the caller's loop. Each appends to the ring buffer and feeds its
measures, a batch at a time; nothing here waits on a front end.
"""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
import time
from collections.abc import Callable, Sequence
from contextlib import aclosing
from dataclasses import dataclass
from pathlib import Path

import httpx

from streamdash.core.buffer import (
    DATA,
    DEFAULT_BUFFER_BYTES,
    DEFAULT_BUFFER_SIZE,
    ID,
    NOTE_STREAM,
    RECEIVED_AT,
    STREAM,
    TYPE,
    EventBuffer,
    LogEntry,
)
from streamdash.core.collections import (
    Collection,
    CollectionError,
    LoadError,
    SavedRequest,
    StreamSettings,
    delete_request,
    duplicate_request,
    load_collection,
    rename_request,
    save_request,
)
from streamdash.core.collections.curl import CurlError, parse_curl
from streamdash.core.collections.environments import Environment, load_environments
from streamdash.core.collections.secret_values import (
    SECRETS_FILE,
    load_secret_values,
    save_secret_values,
    take_all_credentials,
)
from streamdash.core.export import export_events, export_stats
from streamdash.core.history import History
from streamdash.core.http.as_curl import CurlCommand, ShellReferences, as_curl
from streamdash.core.http.client import make_client
from streamdash.core.http.errors import describe_error
from streamdash.core.http.execute import Executor, load_collection_settings
from streamdash.core.http.prepare import PreparedRequest, PrepareError
from streamdash.core.http.send import ResponseSummary
from streamdash.core.http.transport import ClientPool
from streamdash.core.playback import RecordingPlayer
from streamdash.core.recording import DamagedLine, RecordedItem
from streamdash.core.run import capture_values
from streamdash.core.series import ChartFeed
from streamdash.core.session.alert_watch import AlertWatch
from streamdash.core.session.display import StreamDisplays, engine_settings, same_engine
from streamdash.core.session.env_edits import EnvironmentEdits
from streamdash.core.session.events import (
    AlertFired,
    CollectionChanged,
    EnvironmentChanged,
    LogChanged,
    Notice,
    SessionEvent,
    Severity,
    StreamChanged,
)
from streamdash.core.session.live import LiveStream, request_id
from streamdash.core.session.recordings import Recordings
from streamdash.core.session.transfers import Transfers
from streamdash.core.sse.events import Event, Item, SkippedEvent, StateChange, StreamState
from streamdash.core.sse.measures import describe_ranges
from streamdash.core.sse.parser import describe_skip
from streamdash.core.sse.stream import SSEStream, StreamOptions
from streamdash.core.stats import RestStats, StreamSnapshot, format_duration

__all__ = ["SendResult", "Session"]

RECORDING_GROUP = ("recording",)
PACE_FROM_STREAMS = 50  # streams running from which the dashboard paces small reads (read_pace)
Listener = Callable[[SessionEvent], None]


@dataclass(frozen=True)
class SendResult:
    """A REST send as the response view shows it; `sent` is False when nothing went out."""

    request: SavedRequest
    summary: ResponseSummary
    note: str = ""
    secrets: frozenset[str] = frozenset()

    @property
    def sent(self) -> bool:
        return self.summary.sent


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


class Session:
    def __init__(
        self,
        collection: Collection,
        *,
        overrides: dict[str, str] | None = None,
        client_factory: Callable[..., httpx.AsyncClient] = make_client,
        clock: Callable[[], float] = time.time,
        history_dir: Path | None = None,
        recordings_dir: Path | None = None,
        buffer_size: int = DEFAULT_BUFFER_SIZE,
        buffer_bytes: int = DEFAULT_BUFFER_BYTES,
        scratch: str | None = None,
    ) -> None:
        self.collection = collection
        self.overrides = dict(overrides or {})  # e.g. the demo server's base_url: always win
        # What the requests' [capture] took from their answers (see _capture); forgotten when
        # the environment changes: another server's ids mean nothing.
        self.captured: dict[str, str] = {}
        self.env_errors: list[LoadError] = []
        self.environments: dict[str, Environment] = load_environments(collection.root, self.env_errors)
        # The collection's git-ignored secrets file (credentials an import took out of requests).
        self.secret_values: dict[str, str] = load_secret_values(collection.root, self.env_errors)
        self.env_name: str | None = None
        self.env_edits = EnvironmentEdits(self)  # create, edit, delete them from the app
        self.transfers = Transfers(self)  # import from other tools, export for them
        settings = load_collection_settings(collection.root)
        self.executor = Executor(
            ClientPool(client_factory),
            settings,
            history=History(history_dir) if history_dir is not None else None,
            collection_root=collection.root,
        )
        # A sign-in that needs the person (OAuth2's device grant): a notice that stays while the
        # person signs in, and goes when the sign-in is over.
        self.executor.tokens.prompt = self._sign_in
        self.buffer = EventBuffer(buffer_size, buffer_bytes)
        self.chart = ChartFeed()  # fed once per tick (`tick`), never per event
        self._ticked = self.buffer.next_seq  # where the next tick's new events start
        # With PACE_FROM_STREAMS streams running, each waits this long after a small read
        # (SSEStream.pace); the dashboard sets it, `tail` and `run` never wait. 0: never.
        self.read_pace = 0.0
        self._paced = 0.0
        self.streams: dict[str, LiveStream] = {}
        self.rest_stats = RestStats()
        self.recordings = Recordings(recordings_dir or collection.root / ".recordings")
        self.clock = clock
        # Why the collection's folder will not outlive the session ("the demo"), or None.
        self.scratch = scratch
        self.player: RecordingPlayer | None = None
        self._listeners: list[Listener] = []
        # How each stream's data shows in the log (columns, template): this session's choices.
        self.displays = StreamDisplays(self)
        self.alerts = AlertWatch(collection.root)

    # -- events -------------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def emit(self, event: SessionEvent) -> None:
        for listener in self._listeners:
            listener(event)

    def notice(
        self, text: str, title: str = "", severity: Severity = "information", timeout: float | None = None
    ) -> None:
        self.emit(Notice(text, title, severity, timeout))

    def _sign_in(self, text: str, waiting: bool) -> None:
        if waiting:
            self.emit(Notice(text, "sign in", "warning", 300, key="sign-in"))
        else:
            self.emit(Notice(text, "sign in", key="sign-in"))

    def load_problems(self) -> list[str]:
        """Files that were skipped and settings that could not be used, one line each."""
        return [
            *(str(error) for error in [*self.collection.errors, *self.env_errors]),
            *(str(error) for error in self.alerts.errors),
            *self.executor.settings.errors,
        ]

    def _pace(self) -> float:
        return self._paced

    def tick(self) -> None:
        """Once per refresh tick (the app's one timer, beside the log's flush): the events new
        since the last tick, read from the buffer once, go to the chart's feed and to the armed
        alerts; a burst's first match is one AlertFired, and starts its command."""
        now = self.clock()
        if self.read_pace:
            running = sum(1 for live in self.streams.values() if live.running)
            self._paced = self.read_pace if running >= PACE_FROM_STREAMS else 0.0
        start, self._ticked = self._ticked, self.buffer.next_seq
        entries = self.buffer.since(start) if start < self._ticked else []
        self.chart.feed(entries, now, self._ticked)
        for firing in self.alerts.offer(entries, now):
            entry = firing.entry
            data = " ".join(entry[DATA].split())
            summary = f"{entry[STREAM]} {entry[TYPE]}: {data[:80]}"
            self.emit(AlertFired(firing.rule.name, summary, firing.matches, firing.rule.bell))
            self.alerts.run_command(firing, lambda line: self.notice(line, severity="warning"))

    # -- environment --------------------------------------------------------------------------

    @property
    def environment(self) -> Environment | None:
        return self.environments.get(self.env_name) if self.env_name else None

    @property
    def variables(self) -> dict[str, str]:
        env = self.environment
        return {
            **self.collection.variables,
            **self.secret_values,
            **(env.variables if env else {}),
            **self.captured,
            **self.overrides,
        }

    def use_environment(self, name: str | None, *, reloading: bool = False) -> None:
        """Switch, then restart every running stream whose prepared request changed: in place
        (resuming) when only its headers, body or auth changed, from scratch when its URL did
        (another server's ids mean nothing). The log gets one line saying what happened;
        `reloading` (the files were read again, nobody switched) says it only when a stream
        changed."""
        if name is not None and name not in self.environments:
            self.notice(f"no environment {name!r}", "environment", "error")
            return
        if not reloading and name != self.env_name:
            self.captured.clear()
        self.env_name = self.executor.env_name = name
        env = self.environment
        self.emit(EnvironmentChanged(name, bool(env and env.production)))
        label = name or "none"
        resumed, fresh, stopped = [], [], []
        for live in list(self.streams.values()):
            if not live.running or live.prepared is None:
                continue
            outcome = self._follow(live, live.request, f"environment {label}")
            if outcome == "resumed":
                resumed.append(live.name)
            elif outcome == "fresh":
                fresh.append(live.name)
            elif outcome.startswith("stopped"):
                stopped.append(f"{live.name} ({outcome.removeprefix('stopped: ')})")
            else:
                live.environment = name
                live.tracker.environment = name
        if resumed or fresh or stopped or (not reloading and any(live.running for live in self.streams.values())):
            parts = []
            if resumed:
                parts.append("restarted " + ", ".join(resumed) + " (resuming)")
            if fresh:
                parts.append("restarted " + ", ".join(fresh) + " from scratch (new URL)")
            if stopped:
                parts.append("stopped " + ", ".join(stopped))
            line = f"environment {label}: " + ("; ".join(parts) or "no running stream changed")
            self.buffer.note(line, self.clock(), kind="env")
            self.notice(line, "environment", timeout=6)

    # -- requests -----------------------------------------------------------------------------

    def find(self, key: str) -> SavedRequest | None:
        """By key (the file), or group/name, or name."""
        for request in self.collection.requests:
            if request_id(request) == key:
                return request
        for request in self.collection.requests:
            if "/".join((*request.group, request.name)) == key:
                return request
        return next((r for r in self.collection.requests if r.name == key), None)

    def live(self, request: SavedRequest | None) -> LiveStream | None:
        return self.streams.get(request_id(request)) if request is not None else None

    def _prepared(self, request: SavedRequest) -> PreparedRequest | str:
        """The request as it would be sent now, or why it cannot be."""
        try:
            prepared = self.executor.prepare(request, self.variables)
            self.executor.client_for(prepared)
        except PrepareError as exc:
            return str(exc)
        return prepared

    def prepare(self, request: SavedRequest) -> PreparedRequest | None:
        """The request as it would be sent now; a reason (one notice) when it cannot be."""
        prepared = self._prepared(request)
        if isinstance(prepared, str):
            self.notice(f"{request.name}: {prepared}", "cannot send", "error", 8)
            return None
        return prepared

    # -- streams ------------------------------------------------------------------------------

    def _options(self, live: LiveStream, prepared: PreparedRequest) -> StreamOptions:
        def answered() -> bool:  # read at the server's clean end: the measures may be new
            assembler = live.measures.assembler
            return assembler is not None and assembler.complete

        return prepared.stream_options(
            finished=answered if prepared.stream.assemble else None, jar=self.executor.cookies
        )

    def start(self, request: SavedRequest) -> LiveStream | None:
        """Start a saved stream (one that runs already restarts in place)."""
        if request.group == RECORDING_GROUP and request.path is None:
            self.notice("a recorded stream plays from its file; it cannot be started", timeout=4)
            return None
        key = request_id(request)
        old = self.streams.get(key)
        if old is not None and old.running and old.stream is not None:
            self.restart(key)
            return old
        prepared = self.prepare(request)
        if prepared is None:
            return None
        if (warning := prepared.warning) is not None:
            self.notice(f"{request.name}: {warning}", severity="warning", timeout=8)
        resume = ""  # a stream started again resumes where it stopped, on the same URL
        if old is not None and old.prepared is not None and old.prepared.url == prepared.url:
            resume = old.stats.last_event_id
        return self._launch(request, prepared, resume, after=old.task if old is not None else None)

    def _launch(
        self,
        request: SavedRequest,
        prepared: PreparedRequest,
        resume: str,
        after: asyncio.Task[None] | None,
    ) -> LiveStream:
        """A new engine and task for `request`; the task first waits for `after` (the stream's
        previous task) to end, so there are never two connections."""
        key = request_id(request)
        stream = SSEStream(self.executor.client_for(prepared), prepared.url)
        live = LiveStream.create(
            key, request, stream.stats, started_at=time.time(), prepared=prepared,
            environment=self.env_name,
        )
        stream.options = self._options(live, prepared)
        stream.pace = self._pace
        stream.stats.last_event_id = resume or stream.options.last_event_id
        live.stream = stream
        self.streams[key] = live
        live.task = asyncio.get_running_loop().create_task(self._run(live, stream, after))
        if self.recordings.everything:
            self._say(self.recordings.start([live]))
        self.emit(StreamChanged(key))
        return live

    def restart(self, key: str) -> bool:
        """Drop the connection and reconnect at once, as after a drop (same last id, duplicate
        filter and backoff); a stream that ended starts again, resuming."""
        live = self.streams.get(key)
        if live is None:
            return False
        if live.running:
            if live.stream is not None:
                live.stream.restart("restarted by the user")  # False: not reading yet, about to
            return True
        return self.start(live.request) is not None

    def stop(self, key: str) -> None:
        live = self.streams.get(key)
        if live is not None and live.task is not None:
            live.task.cancel()
        self.emit(StreamChanged(key))

    def stop_all(self) -> None:
        for key in list(self.streams):
            self.stop(key)

    def toggle(self, request: SavedRequest) -> None:
        """Start a stream, or stop it if it runs."""
        live = self.live(request)
        if live is not None and live.running and live.state not in (StreamState.CLOSED, StreamState.FAILED):
            self.stop(live.key)
        else:
            self.start(request)

    async def _run(
        self, live: LiveStream, stream: SSEStream, after: asyncio.Task[None] | None = None
    ) -> None:
        """Feed the buffer, the measures and the recording; never a widget. A bug in here ends
        the stream with a reason, never silently."""
        if after is not None and not after.done():
            after.cancel()
            await asyncio.gather(after, return_exceptions=True)  # never two connections at once
        buffer = self.buffer
        recordings = self.recordings
        key = live.key
        try:
            async with aclosing(stream.batches()) as batches:
                async for batch in batches:
                    if live.key in recordings.keys:
                        self._say(recordings.write(live, batch))
                    first = batch[0]
                    if type(first) is StateChange:
                        live.last_change = first
                        self.chart.state(live.name, first)
                        if first.state is StreamState.OPEN:
                            live._describe()  # the host a redirect took it to, in the stats row
                        self.emit(StreamChanged(live.key, first))
                        if first.state is StreamState.FAILED:
                            self.notice(f"{live.name}: {first.reason}", "stream failed", "error", 8)
                        continue
                    events = [item for item in batch if type(item) is Event]
                    if len(events) < len(batch):
                        self._skipped(live, batch)  # the log lines in order with the events
                    elif events:
                        buffer.extend(live.name, events)
                    if events:
                        live.measures.add(events)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            stream.stats.state = StreamState.FAILED
            stream.stats.last_error = f"internal error: {type(exc).__name__}: {exc}"
            self.notice(f"{live.name}: {stream.stats.last_error}", "stream failed", "error", 10)
        finally:
            if self.streams.get(key) is live and stream.state is StreamState.CLOSED:
                stopped = StateChange(StreamState.CLOSED, "stopped", at=time.time())
                self.chart.state(live.name, stopped)
                self.emit(StreamChanged(live.key, stopped))

    def _skipped(self, live: LiveStream, batch: list[Item]) -> None:
        """Rule 34 under `skip`: each discarded event is one line in the log, where it came
        between the events; the first of a stream is a notice too (the stats count the rest)."""
        run: list[Event] = []
        for item in batch:
            if type(item) is Event:
                run.append(item)
            elif type(item) is SkippedEvent:
                if run:
                    self.buffer.extend(live.name, run)
                    run = []
                line = f"{live.name}: {describe_skip(item)}"
                self.buffer.note(line, item.received_at or time.time(), kind="skipped")
                if not live.skips_reported:
                    live.skips_reported = True
                    self.notice(line, "event skipped", "warning", 8)
        if run:
            self.buffer.extend(live.name, run)

    def _follow(self, live: LiveStream, request: SavedRequest, why: str) -> str:
        """Re-prepare a running stream's request (edited, or another environment) and restart it
        if what it sends changed: "same", "resumed", "fresh" or "stopped: reason"."""
        prepared = self._prepared(request)
        if isinstance(prepared, str):
            reason = prepared
            live.follow(request)
            self.stop(live.key)
            self.notice(f"{live.name}: stopped: {reason}", why, "warning", 10)
            return f"stopped: {reason}"
        old, stream = live.prepared, live.stream
        # Columns and a template change only how the log shows events: no restart for them.
        settings_changed = engine_settings(request.stream) != engine_settings(live.request.stream)
        live.follow(request)
        if same_engine(old, prepared) and not settings_changed:
            live.prepared = prepared
            return "same"
        if stream is not None and old is not None and old.url == prepared.url:
            stream.client = self.executor.client_for(prepared)
            live.prepared, live.environment = prepared, self.env_name
            live._describe()
            stream.restart(why, options=self._options(live, prepared))
            return "resumed"
        # Another server (or another URL on it): its ids mean nothing here, start over.
        recorded = live.key in self.recordings.keys
        self._launch(request, prepared, "", after=live.task)
        if recorded:
            self.recordings.keys.add(live.key)
        return "fresh"

    # -- REST ---------------------------------------------------------------------------------

    async def send(self, request: SavedRequest) -> SendResult:
        """Prepare and send; what could not be sent comes back with `sent` False (it counts in
        no error rate) and the reason as the summary's error."""
        key = request_id(request)
        try:
            prepared = self.executor.prepare(request, self.variables)
            execution = await self.executor.send(prepared, key)
        except (PrepareError, ValueError) as exc:
            summary = ResponseSummary(request.method, request.url, error=str(exc), sent=False)
            return SendResult(request, summary)
        except Exception as exc:  # a bug below: one line in the pane, not a dead worker
            summary = ResponseSummary(request.method, request.url, error=describe_error(exc))
            return SendResult(request, summary)
        summary = execution.summary
        if summary.sent:
            self.rest_stats.record(summary.status, summary.elapsed_s, summary.sent_at or self.clock())
        self._capture(request, summary)
        return SendResult(request, summary, execution.notes, execution.secrets)

    def _capture(self, request: SavedRequest, summary: ResponseSummary) -> None:
        """A request's [capture] sets its values for the requests after it in this session, as
        a run does (the same rule: `capture_values`) and as Postman and Bruno do. Said in one
        notice; a value that could not be taken, in another."""
        values, failed = capture_values(request, summary)
        if values:
            self.captured.update(values)
            self.notice(f"{request.name}: {', '.join(values)} set for the requests after it "
                        "(until the environment changes)", "captured", timeout=6)
        if failed:
            shown = "; ".join(f"{r.name.removeprefix('capture ')}: {r.detail}" for r in failed)
            self.notice(f"{request.name}: {shown}", "capture failed", "warning", 8)

    def curl(self, request: SavedRequest) -> CurlCommand | None:
        """The request as a curl command (secrets as shell references); None with a notice
        when it cannot be prepared."""
        refs = ShellReferences()
        try:
            prepared = self.executor.prepare(request, self.variables, environ=refs)
        except PrepareError as exc:
            self.notice(f"{request.name}: {exc}", "cannot copy as curl", "error", 8)
            return None
        return as_curl(prepared, refs, self.executor.cookies)

    # -- the collection -----------------------------------------------------------------------

    def _scratch_note(self) -> str:
        if self.scratch is None:
            return ""
        return (f" (this {self.scratch} collection is a temporary copy, deleted on exit: "
                "'Save the collection as...' keeps it)")

    def save(self, request: SavedRequest, note: str = "") -> SavedRequest | None:
        """Write a new or edited request. A running stream restarts with the new settings,
        resuming when its URL is unchanged. `note` ends the notice (what an import moved)."""
        key = request_id(request) if request.path is not None else None
        try:
            saved = save_request(self.collection, request)
        except (CollectionError, OSError) as exc:
            self.notice(str(exc), "not saved", "error", 10)
            return None
        timeout = 8 if note else 6 if self.scratch else 3
        self.notice(f"saved {saved.path}{note}{self._scratch_note()}", timeout=timeout)
        live = self.streams.get(key) if key is not None else None
        if live is not None:
            if saved.kind != "sse":
                self.stop(live.key)
                self.streams.pop(live.key, None)
                self.recordings.forget(live.key)
            elif live.running:
                self._follow(live, saved, "the request was edited")
            else:
                live.follow(saved)
            self.emit(StreamChanged(live.key))
        self.emit(CollectionChanged(request_id(saved)))
        return saved

    def duplicate(self, request: SavedRequest) -> SavedRequest | None:
        try:
            copy = duplicate_request(self.collection, request)
        except (CollectionError, OSError) as exc:
            self.notice(str(exc), "not copied", "error", 10)
            return None
        self.emit(CollectionChanged(request_id(copy)))
        return copy

    def rename(self, request: SavedRequest, name: str) -> SavedRequest | None:
        """A new name and file; a running stream keeps running under the new name (its stats
        row, its state and its events in the log follow)."""
        name = name.strip()
        if not name or name == request.name:
            return None
        old_key = request_id(request)
        try:
            renamed = rename_request(self.collection, request, name)
        except (CollectionError, OSError) as exc:
            self.notice(str(exc), "not renamed", "error", 10)
            return None
        new_key = request_id(renamed)
        live = self.streams.pop(old_key, None)
        if live is not None:
            old_name = live.name
            live.key = new_key
            live.follow(renamed)
            if live.prepared is not None:
                live.prepared = dataclasses.replace(live.prepared, name=renamed.name, request=renamed)
            self.streams[new_key] = live
            self.recordings.rename(old_key, new_key)
            self.displays.rekey(old_key, new_key)
            if not any(other.name == old_name for other in self.streams.values()):
                self.buffer.relabel(old_name, renamed.name)
                self.chart.relabel(old_name, renamed.name)
                self.emit(LogChanged((old_name, renamed.name)))
            self.emit(StreamChanged(old_key))
            self.emit(StreamChanged(new_key))
        self.emit(CollectionChanged(new_key))
        return renamed

    def delete(self, request: SavedRequest) -> bool:
        """Remove the file; its stream stops and its rows go. The cursor goes to a neighbour."""
        key = request_id(request)
        order = self.collection.requests
        index = next((i for i, r in enumerate(order) if request_id(r) == key), None)
        try:
            delete_request(self.collection, request)
        except (CollectionError, OSError) as exc:
            self.notice(str(exc), "not deleted", "error", 10)
            return False
        live = self.streams.pop(key, None)
        if live is not None and live.task is not None:
            live.task.cancel()
        self._say(self.recordings.forget(key))
        rest = self.collection.requests
        neighbour = None
        if rest and index is not None:
            neighbour = request_id(rest[min(index, len(rest) - 1)])
        self.emit(StreamChanged(key))
        self.emit(CollectionChanged(neighbour))
        return True

    def reload(self) -> None:
        """Read the collection, its settings and environments from disk again."""
        root = self.collection.root
        name = self.collection.name
        replayed = [r for r in self.collection.requests if r.group == RECORDING_GROUP and r.path is None]
        self.collection = load_collection(root)
        if self.scratch is not None:
            self.collection.name = name
        self.collection.requests.extend(replayed)
        self.env_errors = []
        self.environments = load_environments(root, self.env_errors)
        self.secret_values = load_secret_values(root, self.env_errors)
        self.executor.settings = load_collection_settings(root)
        for problem in self.load_problems():
            self.notice(problem, "skipped a file", "error", 10)
        if self.env_name not in self.environments:
            self.env_name = None
        self.use_environment(self.env_name, reloading=True)
        self.emit(CollectionChanged(None))

    def import_curl(self, command: str, group: tuple[str, ...] = ()) -> SavedRequest | None:
        """A pasted curl command (any length: `\\` continuations and all) as a saved request."""
        try:
            request = dataclasses.replace(parse_curl(command), group=group)
        except CurlError as exc:
            self.notice(str(exc), "not a curl command", "error", 10)
            return None
        (request,), note = self._without_credentials([request])
        if note is None:
            return None
        return self.save(request, note)

    def _without_credentials(self, requests: list[SavedRequest]) -> tuple[list[SavedRequest], str | None]:
        """The requests with each literal credential moved to the secrets file as a
        `{{variable}}`; the note that says so ("" when there was none), or None when the file
        could not be written (a notice says why: nothing is imported rather than a credential
        written to a file)."""
        # Names another variable holds (an environment's would win over the secrets file's).
        taken = {name: "" for env in self.environments.values() for name in env.variables}
        taken.update(self.collection.variables)
        cleaned, moved = take_all_credentials(requests, self.secret_values, taken)
        if not moved:
            return cleaned, ""
        try:
            path = save_secret_values(self.collection.root, moved)
        except (OSError, CollectionError) as exc:
            self.notice(f"{self.collection.root / SECRETS_FILE}: {getattr(exc, 'strerror', None) or exc}",
                        "not imported: its credentials have nowhere safe to go", "error", 10)
            return requests, None
        self.secret_values = load_secret_values(self.collection.root, self.env_errors)
        names = ", ".join("{{" + name + "}}" for name in moved)
        count = plural(len(moved), "credential")
        return cleaned, f"; {count} moved to {path.name} (git-ignored) as {names}"

    def import_http_file(self, path: Path) -> int:
        """Requests of a .http/.rest file, its @variables an environment of their own: the one
        import path every other file takes (`streamdash import` too)."""
        return self.transfers.import_file(path)

    def save_collection_as(self, target: Path) -> Path | None:
        """Copy the collection folder (requests, environments, settings) to a new folder."""
        target = target.expanduser()
        if target.exists() and any(target.iterdir()):
            self.notice(f"{target} is not empty: choose a new folder", "not saved", "error", 10)
            return None
        try:
            shutil.copytree(self.collection.root, target, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns(".recordings", ".*.tmp"))
        except OSError as exc:
            self.notice(f"{target}: {exc.strerror or exc}", "not saved", "error", 10)
            return None
        self.notice(f"collection saved to {target}: open it with streamdash --collection {target}",
                    "saved", timeout=10)
        return target

    # -- recording ----------------------------------------------------------------------------

    def _say(self, notice: Notice | None) -> None:
        if notice is not None:
            self.emit(notice)

    def toggle_record(self, key: str | None) -> None:
        if self.player is not None:
            self.notice("this is a replay: it is already a recording", timeout=3)
            return
        live = self.streams.get(key) if key is not None else None
        if live is None:
            self.notice("select a running stream to record (or: Record all streams)", severity="warning", timeout=4)
            return
        if live.key in self.recordings.keys:
            self.notice(f"stopped recording {live.name}", timeout=4)
            self._say(self.recordings.forget(live.key))
        else:
            self._say(self.recordings.start([live]))
        self.emit(StreamChanged(live.key))

    def record_all(self) -> None:
        if self.player is not None:
            self.notice("this is a replay: it is already a recording", timeout=3)
            return
        self.recordings.everything = True
        running = list(self.streams.values())
        if running:
            self._say(self.recordings.start(running))
        else:
            self.notice("every stream started from now on is recorded", timeout=4)
        for live in running:
            self.emit(StreamChanged(live.key))

    def stop_recording(self) -> None:
        keys = list(self.recordings.keys)
        self._say(self.recordings.stop())
        for key in keys:
            self.emit(StreamChanged(key))

    # -- export -------------------------------------------------------------------------------

    def known_secrets(self) -> frozenset[str]:
        """Every secret value the session's streams were prepared with, and the OAuth2 tokens
        fetched: what an export masks (a server may echo any of them into an event)."""
        known: set[str] = set(self.executor.tokens.issued())
        for live in self.streams.values():
            if live.prepared is not None:
                known |= live.prepared.secrets
        return frozenset(known)

    def export_events(self, entries: Sequence[LogEntry], path: Path) -> None:
        try:
            count = export_events(entries, path.expanduser(), self.known_secrets())
        except OSError as exc:
            self.notice(f"{path}: {exc.strerror or exc}", "not exported", "error", 10)
            return
        self.notice(f"exported {count:,} events to {path}", timeout=5)

    def export_stats(self, path: Path) -> None:
        now = self.clock()
        streams = [live.tracker.sample(now) for live in self.streams.values()]
        try:
            export_stats(streams, self.rest_stats.snapshot(now), path.expanduser(), at=now,
                         secrets=self.known_secrets())
        except OSError as exc:
            self.notice(f"{path}: {exc.strerror or exc}", "not exported", "error", 10)
            return
        self.notice(f"stats written to {path}", timeout=5)

    # -- what the panels show -----------------------------------------------------------------

    def sample(self, now: float | None = None) -> list[StreamSnapshot]:
        """Every stream's snapshot; an open stream gone quiet past its alarm is said once."""
        now = self.clock() if now is None else now
        snapshots = []
        for live in list(self.streams.values()):
            snap = live.tracker.sample(now)
            snapshots.append(snap)
            if snap.silent_for is None:
                live.alarmed = False
            elif not live.alarmed:
                live.alarmed = True
                self.notice(
                    f"{live.name}: nothing received for {format_duration(snap.silent_for)} while open",
                    "stream silent", "warning", 10,
                )
        return snapshots

    def stream_of(self, entry: LogEntry) -> LiveStream | None:
        return next((live for live in self.streams.values() if live.name == entry[STREAM]), None)

    def detail_notes(self, entry: LogEntry) -> list[str]:
        """What the stream's measures say about one event: its latency, the ids it is missing."""
        live = self.stream_of(entry)
        if live is None or entry[STREAM] == NOTE_STREAM:
            return []
        notes = []
        measures = live.measures
        if measures.latency is not None:
            event = Event(entry[TYPE], entry[DATA], entry[ID], received_at=entry[RECEIVED_AT])
            latency = measures.latency_of(event)
            field = measures.latency.field_path
            notes.append(
                f"latency {latency:,.0f} ms (from {field})" if latency is not None
                else f"latency: no send time at {field}"
            )
        gaps = measures.gaps
        if gaps.applicable:
            if gaps.missing:
                notes.append(
                    f"{entry[STREAM]}: {plural(gaps.missing, 'id')} missing in "
                    f"{plural(len(gaps.ranges), 'range')}: {describe_ranges(gaps.ranges)}"
                )
            else:
                notes.append(f"{entry[STREAM]}: no missing ids")
            if gaps.resets:
                notes.append(f"ids went back {plural(gaps.resets, 'time')} (a server restart?)")
        return notes

    # -- replaying a recording ----------------------------------------------------------------

    def _replayed_stream(self, name: str, settings: StreamSettings) -> LiveStream:
        """The recording's stream `name`, shown as a request of the "recording" group."""
        key = "/".join((*RECORDING_GROUP, name))
        live = self.streams.get(key)
        if live is None:
            assert self.player is not None
            request = SavedRequest(name=name, kind="sse", url=f"recording: {name}",
                                   group=RECORDING_GROUP, stream=settings)
            # No start time yet: a recorded "connecting" sets it, else the first event does.
            live = self.streams[key] = LiveStream.create(
                key, request, self.player.stats_for(name), started_at=None
            )
            self.collection.requests.append(request)
            self.emit(CollectionChanged(None))
        return live

    async def play(self, player: RecordingPlayer, settings: StreamSettings | None = None) -> None:
        """Play a recording into the buffer, the measures and the counters as live streams do;
        a damaged line is reported with its number (the first five) and skipped."""
        self.player = player
        self.clock = player.clock
        settings = settings or StreamSettings()
        reported = 0
        async for batch in player.batches():
            run: list[Event] = []
            run_stream = ""
            for item in batch:
                if type(item) is DamagedLine:
                    reported += 1
                    if reported <= 5:
                        self.notice(f"line {item.line}: {item.reason}", "damaged line skipped", "warning", 10)
                    continue
                assert type(item) is RecordedItem
                if item.kind == "event":
                    if item.stream != run_stream and run:
                        self._replayed(run_stream, run, settings)
                        run = []
                    run_stream = item.stream
                    run.append(item.to_event())
                    continue
                if run:
                    self._replayed(run_stream, run, settings)
                    run = []
                live = self._replayed_stream(item.stream, settings)
                if item.kind == "state":
                    change = item.to_state_change()
                    if change.state is StreamState.CONNECTING:
                        live.measures.request_started(item.t)
                    live.last_change = change
                    self.chart.state(live.name, change)
                    self.emit(StreamChanged(live.key, change))
            if run:
                self._replayed(run_stream, run, settings)
        damaged = len(player.damaged)
        ending = f"; {plural(damaged, 'damaged line')} skipped" if damaged else ""
        if player.error:
            self.notice(f"reading stopped early: {player.error}", "replay", "error", 10)
        self.notice(f"replay finished: {player.played:,} items{ending}", "replay", timeout=8)

    def _replayed(self, stream: str, events: list[Event], settings: StreamSettings) -> None:
        live = self._replayed_stream(stream, settings)
        self.buffer.extend(stream, events)
        live.measures.add(events)

    # -- the end ------------------------------------------------------------------------------

    async def aclose(self) -> None:
        tasks = [live.task for live in self.streams.values() if live.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.alerts.aclose()
        await self.executor.aclose()  # every pooled client, the streams' too
        self.recordings.stop()
