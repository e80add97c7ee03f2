"""`streamdash tail URL`: one stream to stdout, diagnostics to stderr, a meaningful exit code."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sys
import time
from collections.abc import Callable, Iterable
from contextlib import aclosing
from pathlib import Path
from typing import BinaryIO, TextIO, cast

import httpx

from streamdash.commands.collections import collection_variables, select_requests
from streamdash.commands.output import EventPrinter, describe_change, use_colour
from streamdash.commands.pipes import run_async
from streamdash.core.buffer import SEQ, make_entry
from streamdash.core.collections import SavedRequest, StreamSettings, load_collection
from streamdash.core.filter import EventFilter
from streamdash.core.http.client import make_client
from streamdash.core.http.execute import Executor
from streamdash.core.http.headers import url_problem
from streamdash.core.http.prepare import PrepareError
from streamdash.core.http.secrets import mask_secrets, mask_urls
from streamdash.core.http.settings import CollectionSettings, load_collection_settings
from streamdash.core.http.transport import ClientPool
from streamdash.core.recording import Recorder
from streamdash.core.sse import (
    Event,
    Heartbeat,
    Item,
    OversizePolicy,
    RetryPolicy,
    SkippedEvent,
    SSEStream,
    StateChange,
    StreamOptions,
    StreamState,
)
from streamdash.core.sse.assemble import Assembler
from streamdash.core.sse.parser import describe_skip
from streamdash.core.sse.stream import DEFAULT_CONNECT_TIMEOUT
from streamdash.core.stats import format_duration, silent_for
from streamdash.core.text import escape_controls
from streamdash.exits import EXIT_FAILED, EXIT_MATCHED, EXIT_OK, UsageError


def check_url(text: str) -> httpx.URL:
    """A stream URL must be absolute http(s) with a host; say plainly what is wrong."""
    try:
        url = httpx.URL(text)
    except httpx.InvalidURL as exc:
        raise UsageError(mask_urls(f"invalid URL {text!r}: {exc}")) from None
    if problem := url_problem(url):
        raise UsageError(mask_urls(f"invalid URL {text!r}: {problem}"))
    return url


def read_body(data: str | None) -> bytes | None:
    """`-d` as curl reads it: text, `@FILE`, or `@-` for stdin."""
    if data is None:
        return None
    if not data.startswith("@"):
        return data.encode("utf-8")
    path = data[1:]
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as exc:
        raise UsageError(f"cannot read body file {path!r}: {exc.strerror}") from None


def stream_settings(args: argparse.Namespace, saved: StreamSettings | None = None) -> StreamSettings:
    """A request's `[stream]` settings with the flags given on the command line put over them."""
    settings = saved or StreamSettings()
    given = {
        "read_timeout": args.read_timeout,
        "max_event_bytes": args.max_event_bytes,
        "retry_policy": None if args.retry_policy is None else RetryPolicy(args.retry_policy),
        "last_event_id": args.last_event_id,
        "reconnect": False if args.no_reconnect else None,
        "latency_field": getattr(args, "latency_field", None),
        "assemble": getattr(args, "assemble", None),
        "oversize": None if args.oversize is None else OversizePolicy(args.oversize),
        "heartbeat_events": heartbeat_types(args.heartbeat_events),
    }
    return dataclasses.replace(settings, **{k: v for k, v in given.items() if v is not None})


def heartbeat_types(given: list[str] | None) -> tuple[str, ...] | None:
    """`--heartbeat-event` as given (None when never given); an empty TYPE adds nothing, so
    `--heartbeat-event ''` alone says "no heartbeat types"."""
    if given is None:
        return None
    return tuple(dict.fromkeys(name for name in given if name))


def typed_request(args: argparse.Namespace, url: str, *, name: str | None = None) -> SavedRequest:
    """`tail URL -H ... -X ... -d ...` as a request like a saved one (its text has no templates)."""
    body = read_body(getattr(args, "data", None))
    method = getattr(args, "method", None) or ("POST" if body is not None else "GET")
    headers, last_event_id = _split_last_event_id(getattr(args, "headers", []), args.last_event_id)
    return SavedRequest(
        name=name or stream_name(check_url(url)),
        kind="sse",
        method=method.upper(),
        url=url,
        headers=headers,
        body=None if body is None else body.decode("utf-8", "surrogateescape"),
        stream=stream_settings(args, StreamSettings(last_event_id=last_event_id or "")),
    )


def _split_last_event_id(
    headers: list[tuple[str, str]], last_event_id: str | None
) -> tuple[list[tuple[str, str]], str | None]:
    """A Last-Event-ID given as a header is the starting resume point, not a fixed header."""
    kept = []
    for name, value in headers:
        if name.lower() == "last-event-id":
            last_event_id = last_event_id or value
        else:
            kept.append((name, value))
    return kept, last_event_id


def saved_stream(args: argparse.Namespace) -> tuple[SavedRequest, dict[str, str], CollectionSettings]:
    """`tail --collection DIR REQUEST [--env NAME]`: the saved request (named as `streamdash run`
    names them), with `-H` added to its headers and the flags given put over its settings."""
    root = Path(args.collection).expanduser()
    if not root.is_dir():
        raise UsageError(f"collection folder not found: {root}")
    collection = load_collection(root)
    for error in collection.errors:  # as `run` says them: one line per file skipped
        print(f"streamdash tail: skipped {escape_controls(str(error))}", file=sys.stderr)
    matches = select_requests(collection, [args.target])
    if len(matches) > 1:
        names = ", ".join("/".join((*r.group, r.name)) for r in matches)
        raise UsageError(f"{args.target!r} names {len(matches)} requests ({names}): say group/name")
    request = matches[0]
    if request.kind != "sse":
        raise UsageError(
            f"{args.target!r} is a REST request (kind = \"rest\"); tail reads streams "
            "(streamdash run sends REST requests)"
        )
    headers, last_event_id = _split_last_event_id(list(args.headers), args.last_event_id)
    args.last_event_id = last_event_id
    body = read_body(args.data)
    request = dataclasses.replace(
        request,
        headers=[*request.headers, *headers],
        method=(args.method or ("POST" if body is not None else request.method)).upper(),
        body=request.body if body is None else body.decode("utf-8", "surrogateescape"),
        stream=stream_settings(args, request.stream),
    )
    return request, collection_variables(collection, args.env), load_collection_settings(root)


def stream_name(url: httpx.URL) -> str:
    """A short name for a recorded stream: the last path segment, else the host."""
    segments = [segment for segment in url.path.split("/") if segment]
    return segments[-1] if segments else url.host


class Diagnostics:
    """State changes as one-line messages on stderr. `secrets` (asked each time: an OAuth2 token
    is only known once fetched) are masked in every reason, as are the URLs a reason quotes: a
    server may put what it was sent into its reason phrase."""

    def __init__(
        self,
        url: str,
        err: TextIO,
        quiet: bool,
        secrets: Callable[[], Iterable[str]] = frozenset,
    ) -> None:
        self.url = url
        self.err = err
        self.quiet = quiet
        self.secrets = secrets

    def clean(self, change: StateChange) -> StateChange:
        """The change with its reason masked, as stderr and a recording may show it."""
        if not change.reason:
            return change
        return dataclasses.replace(change, reason=mask_urls(mask_secrets(change.reason, self.secrets())))

    def show(self, change: StateChange) -> None:
        message = self.describe(change)
        if message and (not self.quiet or change.state is StreamState.FAILED):
            print(f"streamdash: {message}", file=self.err, flush=True)

    def warn(self, message: str) -> None:
        if not self.quiet:
            print(f"streamdash: {message}", file=self.err, flush=True)

    def describe(self, change: StateChange) -> str:
        line = describe_change(change, self.url)
        if change.state is StreamState.OPEN and change.reason:  # "redirected to host:port; ..."
            line += f"; {escape_controls(change.reason)}"
        return line


async def watch(
    url: str | httpx.URL,
    options: StreamOptions,
    printer: EventPrinter,
    diagnostics: Diagnostics,
    *,
    count: int | None = None,
    duration: float | None = None,
    client: httpx.AsyncClient | None = None,
    recorder: Recorder | None = None,
    assembler: Assembler | None = None,
    silence_alarm: float = 0.0,
    hide_heartbeats: bool = False,
    until: EventFilter | None = None,
    stream_name: str = "",
) -> int:
    """Print one stream until count, duration, or the stream's own end; return the exit code.

    With a `recorder` every batch (events and connection changes) is also appended to the
    recording; with an `assembler` the text the events carry is printed instead of the events.
    `hide_heartbeats` leaves events of a heartbeat type out of the output (not the recording)
    and out of `count`. With `until` the first event it matches (`stream:` tests `stream_name`)
    is the last one printed and recorded, and the exit code is EXIT_MATCHED."""
    own_client = client is None
    client = client or make_client()
    printed = 0
    stream = SSEStream(client, url, options)
    skips = options.oversize == OversizePolicy.SKIP
    beats = options.heartbeat_events if hide_heartbeats else frozenset()
    alarm = None
    if silence_alarm:
        alarm = asyncio.create_task(_silence_alarm(stream, diagnostics, silence_alarm))
    try:
        async with asyncio.timeout(duration):
            async with aclosing(stream.batches()) as batches:
                async for batch in batches:
                    first = batch[0]
                    if type(first) is StateChange:
                        first = diagnostics.clean(first)
                        batch = [first, *(diagnostics.clean(c) if type(c) is StateChange else c
                                          for c in batch[1:])]
                        unrecorded = _record(recorder, batch)
                        diagnostics.show(first)
                        if unrecorded:
                            return _stop_recording(unrecorded)
                        continue
                    if skips:
                        for item in batch:
                            if type(item) is SkippedEvent:
                                diagnostics.warn(describe_skip(item))
                    if count is not None:
                        batch = _first_events(batch, count - printed, beats)
                    matched: Event | None = None
                    if until is not None:
                        at = _first_match(batch, until, stream_name, beats)
                        if at is not None:
                            batch, matched = batch[: at + 1], cast(Event, batch[at])
                    unrecorded = _record(recorder, batch)
                    if beats:
                        batch = [i for i in batch if type(i) is not Event or i.event not in beats]
                    if assembler is not None:
                        printed += _assemble(assembler, batch, printer.out)
                    else:
                        printed += printer.write(cast(list[Event | Heartbeat], batch))  # no state changes here
                    if unrecorded:  # the batch is printed, the recording is not going on
                        return _stop_recording(unrecorded)
                    if matched is not None:  # checked before count: at the same event, it wins
                        diagnostics.warn(_describe_match(matched, until))
                        return EXIT_MATCHED
                    if count is not None and printed >= count:
                        return EXIT_OK
    except TimeoutError:
        return EXIT_OK  # --duration reached
    finally:
        if alarm is not None:
            alarm.cancel()
        if own_client:
            await client.aclose()
        if recorder is not None:
            recorder.close()
        if assembler is not None:
            _assembled_summary(assembler, printer.out, diagnostics)
    return EXIT_FAILED if stream.state is StreamState.FAILED else EXIT_OK


def _record(recorder: Recorder | None, batch: list[Item]) -> str:
    """Append the batch to the recording; why it could not be (a full disk), else ""."""
    if recorder is None:
        return ""
    try:
        recorder.write_items(batch)
    except OSError as exc:  # said here, naming the recording: not "cannot write output"
        return f"cannot record to {recorder.path}: {exc.strerror or exc}"
    return ""


def _stop_recording(reason: str) -> int:
    print(f"streamdash tail: {reason}", file=sys.stderr, flush=True)
    return EXIT_FAILED


async def _silence_alarm(stream: SSEStream, diagnostics: Diagnostics, threshold: float) -> None:
    """Once per silence: an open stream that has sent nothing, heartbeats included, for
    `threshold` seconds. The read timeout may end it later; this says it earlier."""
    alarmed = False
    while True:
        await asyncio.sleep(min(1.0, threshold / 4))
        silent = silent_for(stream.stats, time.time(), threshold)
        if silent is None:
            alarmed = False
        elif not alarmed:
            alarmed = True
            diagnostics.warn(f"nothing received for {format_duration(silent)} while open")


def _assemble(assembler: Assembler, batch: list[Item], out: BinaryIO) -> int:
    """Print the text the batch's events add, as it grows; returns how many events it saw."""
    pieces = []
    events = 0
    for item in batch:
        if type(item) is Event:
            events += 1
            piece = assembler.add(item)
            if piece:
                pieces.append(piece)
    if pieces:
        out.write("".join(pieces).encode("utf-8", "replace"))
        out.flush()
    return events


def _assembled_summary(assembler: Assembler, out: BinaryIO, diagnostics: Diagnostics) -> None:
    if assembler.text and not assembler.text.endswith("\n"):
        out.write(b"\n")
        out.flush()
    if diagnostics.quiet or not assembler.tokens:
        return
    ttft = assembler.time_to_first_token
    rate = assembler.tokens_per_s
    parts = [f"{assembler.tokens} tokens"]
    if ttft is not None:
        parts.append(f"first token after {ttft * 1000:.0f} ms")
    if rate is not None:
        parts.append(f"{rate:.1f} tokens/s")
    print(f"streamdash: {', '.join(parts)}", file=diagnostics.err, flush=True)


def _first_match(
    batch: list, until: EventFilter, stream_name: str, hidden: frozenset[str] = frozenset()
) -> int | None:
    """The index in `batch` of the first event `until` matches (events of a `hidden` type are
    not printed, so not matched), else None. The batch goes through the filter's bulk path as
    log entries whose seq is the index."""
    entries = [
        make_entry(index, stream_name, item)
        for index, item in enumerate(batch)
        if type(item) is Event and item.event not in hidden
    ]
    hits = until.apply(entries) if entries else []
    return hits[0][SEQ] if hits else None


def _describe_match(event: Event, until: EventFilter | None) -> str:
    which = f"event id {escape_controls(event.id)}" if event.id else "an event"
    expression = escape_controls(repr(until.text if until is not None else ""))
    return f"{which} matched --until {expression}; exit {EXIT_MATCHED}"


def _first_events(batch: list, wanted: int, hidden: frozenset[str] = frozenset()) -> list:
    """The batch cut right after its `wanted`-th event (events of a `hidden` type not counted)."""
    seen = 0
    for index, item in enumerate(batch):
        if type(item) is Event and item.event not in hidden:
            seen += 1
            if seen == wanted:
                return batch[: index + 1]
    return batch


def run_tail(args: argparse.Namespace) -> int:
    if getattr(args, "collection", None):
        request, variables, settings = saved_stream(args)
        return tail_request(args, request, variables, settings, root=Path(args.collection).expanduser())
    return tail_request(args, typed_request(args, args.target, name=args.name), as_written=True)


def tail_request(
    args: argparse.Namespace,
    request: SavedRequest,
    variables: dict[str, str] | None = None,
    settings: CollectionSettings | None = None,
    *,
    as_written: bool = False,
    root: Path | None = None,
) -> int:
    """Tail one request, prepared as the dashboard prepares it: `tail URL`, `tail --collection`
    and `demo --tail` all end here."""
    executor = Executor(ClientPool(), settings, collection_root=root)
    executor.env_name = getattr(args, "env", None)
    from streamdash.commands.pipes import say_on_stderr

    executor.tokens.prompt = say_on_stderr  # a device sign-in's code and URL
    try:
        prepared = executor.prepare(request, variables or {}, as_written=as_written)
        client = executor.client_for(prepared)
    except PrepareError as exc:
        raise UsageError(escape_controls(str(exc))) from None
    for problem in executor.settings.errors:
        print(f"streamdash tail: {problem}", file=sys.stderr)
    printer = EventPrinter(
        args.format,
        colour=use_colour(sys.stdout),
        heartbeats=args.heartbeats,
        latency_field=request.stream.latency_field or None,
    )
    diagnostics = Diagnostics(
        prepared.masked_url, sys.stderr, args.quiet, lambda: executor.secrets_of(prepared)
    )
    recorder = None
    if getattr(args, "record", None):
        try:
            name = getattr(args, "name", None) or request.name
            recorder = Recorder(Path(args.record), stream=name, source=prepared.masked_url)
        except OSError as exc:
            print(f"streamdash tail: cannot record to {args.record}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_FAILED
    assembler = None
    finished = None
    if request.stream.assemble:
        assembler = Assembler(request.stream.assemble, started_at=time.time())
        if not getattr(args, "reconnect_after_answer", False):
            finished = lambda: assembler.complete  # noqa: E731 - asked at a clean end only
    options = prepared.stream_options(
        retry_first_connect=args.retry_first_connect,
        connect_timeout=args.connect_timeout or DEFAULT_CONNECT_TIMEOUT,
        finished=finished,
        jar=executor.cookies,
    )
    silence = getattr(args, "silence_alarm", None)
    if silence is None:
        silence = request.stream.silence_alarm

    async def go() -> int:
        try:
            return await watch(
                prepared.url,
                options,
                printer,
                diagnostics,
                count=args.count,
                duration=args.duration,
                client=client,
                recorder=recorder,
                assembler=assembler,
                silence_alarm=silence,
                hide_heartbeats=getattr(args, "hide_heartbeats", False),
                until=getattr(args, "until", None),
                stream_name=getattr(args, "name", None) or request.name,
            )
        finally:
            await executor.aclose()

    return run_async(go)
