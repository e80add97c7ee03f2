"""`streamdash replay FILE`: play a recording (`tail --record`, or R in the app) back.

On a terminal it opens the dashboard with the recording as its streams: the log, filter, detail
view and stats work as on live streams, on the recording's own clock. With `--format` (or when
stdout is a pipe) it runs headless:

Events go to stdout as `tail` prints them (text, or JSON lines with a `stream` key added);
connection changes go to stderr as `streamdash: STREAM: ...`; damaged lines are reported on
stderr as `streamdash replay: FILE:LINE: damaged line skipped` and skipped.

Exit codes: 0 played (damaged lines alone do not fail a replay that played anything); 1 the file
is missing or unreadable, empty (no lines, or headers only), or nothing in it could be read;
2 usage error (a `--speed` outside 0.001-1000000 too); 130 Ctrl-C.

Kept cheap to import (the CLI imports it to build its parser): the core loads lazily.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, BinaryIO, TextIO

from streamdash.exits import EXIT_FAILED, EXIT_OK

if TYPE_CHECKING:
    from streamdash.core.recording import DamagedLine, RecordedItem

__all__ = ["add_replay_parser", "run_replay"]

PROG = "streamdash replay"
_INSTANT_CHUNK = 512  # lines per write when nothing waits between them


# The bounds of streamdash.core.recording.MIN_SPEED and MAX_SPEED, kept here so that building the
# parser imports no core (a test checks the two agree).
MIN_SPEED, MAX_SPEED = 1e-3, 1e6


def _speed(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not MIN_SPEED <= value <= MAX_SPEED:  # NaN and infinity too: no pause may last for ever
        raise argparse.ArgumentTypeError(f"must be a number from {MIN_SPEED:g} to {MAX_SPEED:g}: {text!r}")
    return value


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="a recording made with tail --record")
    pace = parser.add_mutually_exclusive_group()
    pace.add_argument(
        "--speed",
        type=_speed,
        default=1.0,
        metavar="N",
        help="play N times faster than recorded (default 1: real time)",
    )
    pace.add_argument("--instant", action="store_true", help="no pauses: print everything now")
    parser.add_argument(
        "--format",
        choices=("text", "jsonl"),
        default=None,
        help="no dashboard: print the events to stdout, as text (one readable line per event) "
        "or jsonl (one JSON object per event); the default when stdout is not a terminal is text",
    )
    parser.add_argument(
        "--latency-field",
        metavar="PATH",
        default="",
        help="JSON path of the send time in each event's data: latency per event and p50/p95/p99 "
        "(jsonl adds latency_ms)",
    )
    parser.add_argument(
        "--assemble",
        metavar="PATH",
        default="",
        help="dashboard: JSON path of an LLM stream's token text, assembled beside the log "
        "(e.g. choices.0.delta.content)",
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="no connection changes on stderr"
    )


def add_replay_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    replay = subparsers.add_parser(
        "replay",
        help="play a recording back: in the dashboard, or to stdout with --format",
        description="Play a recording (tail --record, or R in the dashboard) at its recorded "
        "pace or faster: in the dashboard on a terminal, else (or with --format) to stdout, "
        "with connection changes on stderr.",
        epilog="Exit codes: 0 played (damaged lines are reported and skipped); 1 the file is "
        "missing, unreadable or holds nothing readable; 2 usage error; 130 Ctrl-C.",
    )
    _add_arguments(replay)
    from streamdash.commands.arguments import add_dashboard_arguments

    add_dashboard_arguments(replay, suppress=True)
    return replay



def run_replay(
    args: argparse.Namespace, *, out: BinaryIO | None = None, err: TextIO | None = None
) -> int:
    from streamdash.commands.pipes import run_async
    from streamdash.core.recording import read_recording

    err = err if err is not None else sys.stderr
    try:
        items = read_recording(args.file)
    except OSError as exc:
        print(f"{PROG}: cannot read {args.file}: {exc.strerror or exc}", file=err)
        return EXIT_FAILED
    speed = None if args.instant else args.speed
    if args.format is None and out is None and sys.stdout.isatty():
        from streamdash.core.recording import first_problem

        try:
            problem = first_problem(args.file)
        except OSError as exc:
            problem = f"cannot read it: {exc.strerror or exc}"
        if problem is not None:  # say it here, in one line, rather than open an empty dashboard
            print(f"{PROG}: {args.file}: {problem}", file=err)
            return EXIT_FAILED
        return _dashboard(args, items, speed)
    return run_async(lambda: _replay(args, items, speed, out, err))


def _dashboard(args: argparse.Namespace, items: Iterator[RecordedItem | DamagedLine], speed: float | None) -> int:
    """The dashboard on a recording: an empty scratch collection, the recording's streams."""
    import tempfile
    from pathlib import Path

    from streamdash.commands.dashboard import buffer_bytes, display_settings
    from streamdash.core.collections import StreamSettings
    from streamdash.core.playback import RecordingPlayer
    from streamdash.ui.launch import run_app

    refresh_hz, buffer_size, theme = display_settings(args)
    settings = StreamSettings(latency_field=args.latency_field, assemble=args.assemble)
    with tempfile.TemporaryDirectory(prefix="streamdash-replay-") as tmp:
        return run_app(
            Path(tmp),
            refresh_hz=refresh_hz,
            buffer_size=buffer_size,
            buffer_bytes=buffer_bytes(args),
            theme=theme,
            title=f"streamdash replay {Path(args.file).name}",
            player=RecordingPlayer(items, speed=speed),
            replay_settings=settings,
            collection_name=f"recording {Path(args.file).name}",
            scratch="replay",
        )


async def _replay(args, items, speed, out: BinaryIO | None, err: TextIO) -> int:
    from streamdash.commands.output import EventPrinter, describe_change, iso_time, use_colour
    from streamdash.core.recording import DamagedLine, RecordingReadError, play
    from streamdash.core.sse.latency import event_latency_ms

    out = out if out is not None else sys.stdout.buffer
    quiet = getattr(args, "quiet", False)
    jsonl = args.format == "jsonl"
    latency_field = getattr(args, "latency_field", "")
    encode = json.JSONEncoder(ensure_ascii=False).encode
    colour = out is sys.stdout.buffer and use_colour(sys.stdout)
    printer = None if jsonl else EventPrinter("text", out, colour=colour, latency_field=latency_field or None)
    pending: list = []  # jsonl lines or (stream, Event) pairs, written together
    played = damaged = 0
    stamp_for, stamp = -1.0, ""

    def flush() -> None:
        if not pending:
            return
        if printer is not None:
            printer.write_from(pending)
        else:
            out.write("".join(pending).encode("utf-8", "replace"))
            out.flush()
        pending.clear()

    try:
        async for item in play(items, speed=speed):
            if isinstance(item, DamagedLine):
                damaged += 1
                flush()
                where = f"{args.file}:{item.line}"
                print(f"{PROG}: {where}: damaged line skipped ({item.reason})", file=err, flush=True)
                continue
            played += 1
            if item.kind == "event":
                if printer is not None:
                    pending.append((item.stream, item.to_event()))
                else:
                    if item.t != stamp_for:
                        stamp_for, stamp = item.t, iso_time(item.t)
                    row: dict[str, object] = {
                        "event": item.event,
                        "data": item.data,
                        "id": item.id,
                        "received_at": stamp,
                        "stream": item.stream,
                    }
                    if latency_field:
                        latency = event_latency_ms(item.to_event(), latency_field)
                        row["latency_ms"] = None if latency is None else round(latency, 3)
                    pending.append(encode(row) + "\n")
                if speed is not None or len(pending) >= _INSTANT_CHUNK:
                    flush()
            elif item.kind == "state" and not quiet:
                message = describe_change(item.to_state_change())
                if message:
                    flush()
                    print(f"streamdash: {item.stream}: {message}", file=err, flush=True)
    except RecordingReadError as exc:
        flush()
        print(f"{PROG}: cannot read {args.file}: {exc}", file=err)
        return EXIT_FAILED
    flush()
    if not played:  # the same line as on a terminal (first_problem), for scripts to rely on
        print(f"{PROG}: {args.file}: {'nothing readable' if damaged else 'empty: nothing to replay'}", file=err)
        return EXIT_FAILED
    return EXIT_OK
