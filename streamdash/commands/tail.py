"""`streamdash tail URL`: one stream to stdout, diagnostics to stderr, a meaningful exit code."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from contextlib import aclosing
from typing import TextIO

import httpx

from streamdash.exits import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, UsageError
from streamdash.commands.output import EventPrinter, describe_change, use_colour
from streamdash.core.http.client import make_client
from streamdash.core.recording import Recorder
from streamdash.core.sse.assemble import Assembler
from streamdash.core.stats import format_duration, silent_for
from streamdash.core.text import escape_controls
from streamdash.core.sse import (
    Event,
    RetryPolicy,
    SSEStream,
    StateChange,
    StreamOptions,
    StreamState,
)


def check_url(text: str) -> httpx.URL:
    """A stream URL must be absolute http(s) with a host; say plainly what is wrong."""
    try:
        url = httpx.URL(text)
    except httpx.InvalidURL as exc:
        raise UsageError(f"invalid URL {text!r}: {exc}") from None
    if url.scheme not in ("http", "https"):
        raise UsageError(f"invalid URL {text!r}: it must start with http:// or https://")
    if not url.host:
        raise UsageError(f"invalid URL {text!r}: no host")
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


def stream_options(args: argparse.Namespace, **request: object) -> StreamOptions:
    """The stream options common to `tail` and `demo`, from parsed arguments."""
    headers = list(request.pop("headers", ()))
    last_event_id = args.last_event_id
    # A Last-Event-ID given as a header is the starting resume point, not a fixed header.
    for name, value in list(headers):
        if name.lower() == "last-event-id":
            headers.remove((name, value))
            last_event_id = last_event_id or value
    return StreamOptions(
        headers=tuple(headers),
        last_event_id=last_event_id,
        reconnect=not args.no_reconnect,
        retry_policy=RetryPolicy(args.retry_policy),
        read_timeout=args.read_timeout or None,
        connect_timeout=args.connect_timeout or 10.0,
        max_event_bytes=args.max_event_bytes or None,
        retry_first_connect=args.retry_first_connect,
        **request,  # type: ignore[arg-type]
    )


def stream_name(url: httpx.URL) -> str:
    """A short name for a recorded stream: the last path segment, else the host."""
    segments = [segment for segment in url.path.split("/") if segment]
    return segments[-1] if segments else url.host


class Diagnostics:
    """State changes as one-line messages on stderr."""

    def __init__(self, url: str, err: TextIO, quiet: bool) -> None:
        self.url = url
        self.err = err
        self.quiet = quiet

    def show(self, change: StateChange) -> None:
        message = self.describe(change)
        if message and (not self.quiet or change.state is StreamState.FAILED):
            print(f"streamdash: {message}", file=self.err, flush=True)

    def warn(self, message: str) -> None:
        if not self.quiet:
            print(f"streamdash: {message}", file=self.err, flush=True)

    def describe(self, change: StateChange) -> str:
        return describe_change(change, self.url)


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
) -> int:
    """Print one stream until count, duration, or the stream's own end; return the exit code.

    With a `recorder` every batch (events and connection changes) is also appended to the
    recording; with an `assembler` the text the events carry is printed instead of the events."""
    own_client = client is None
    client = client or make_client()
    printed = 0
    stream = SSEStream(client, url, options)
    alarm = None
    if silence_alarm:
        alarm = asyncio.create_task(_silence_alarm(stream, diagnostics, silence_alarm))
    try:
        async with asyncio.timeout(duration):
            async with aclosing(stream.batches()) as batches:
                async for batch in batches:
                    first = batch[0]
                    if type(first) is StateChange:
                        if recorder is not None:
                            recorder.write_items(batch)
                        diagnostics.show(first)
                        continue
                    if count is not None:
                        batch = _first_events(batch, count - printed)
                    if recorder is not None:
                        recorder.write_items(batch)
                    if assembler is not None:
                        printed += _assemble(assembler, batch, printer.out)
                    else:
                        printed += printer.write(batch)
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


def _assemble(assembler: Assembler, batch: list, out) -> int:  # type: ignore[no-untyped-def]
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


def _assembled_summary(assembler: Assembler, out, diagnostics: Diagnostics) -> None:  # type: ignore[no-untyped-def]
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


def _first_events(batch: list, wanted: int) -> list:
    """The batch cut right after its `wanted`-th event."""
    seen = 0
    for index, item in enumerate(batch):
        if type(item) is Event:
            seen += 1
            if seen == wanted:
                return batch[: index + 1]
    return batch


def run_watch(coro_factory: Callable[[], Awaitable[int]]) -> int:
    """Run an async command with the exits a pipe-friendly tool owes: Ctrl-C, a closed pipe."""
    try:
        return asyncio.run(coro_factory())
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`| head`): that ends us cleanly, without a traceback at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:
        # stdout itself failed (a full disk, a dead terminal): say so in one line.
        print(f"streamdash: cannot write output: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILED


def run_tail(args: argparse.Namespace) -> int:
    url = check_url(args.url)
    body = read_body(args.data)
    method = (args.method or ("POST" if body is not None else "GET")).upper()
    options = stream_options(args, method=method, headers=args.headers, body=body)
    printer = EventPrinter(
        args.format,
        colour=use_colour(sys.stdout),
        heartbeats=args.heartbeats,
        latency_field=args.latency_field,
    )
    diagnostics = Diagnostics(str(url), sys.stderr, args.quiet)
    recorder = None
    if args.record:
        try:
            recorder = Recorder(Path(args.record), stream=args.name or stream_name(url), source=str(url))
        except OSError as exc:
            print(f"streamdash tail: cannot record to {args.record}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_FAILED
    assembler = Assembler(args.assemble, started_at=time.time()) if args.assemble else None
    return run_watch(
        lambda: watch(
            url,
            options,
            printer,
            diagnostics,
            count=args.count,
            duration=args.duration,
            recorder=recorder,
            assembler=assembler,
            silence_alarm=args.silence_alarm,
        )
    )
