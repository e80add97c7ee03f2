"""`streamdash replay FILE`: play a recording (`tail --record`) back to stdout, headless.

Events go to stdout as `tail` prints them (text, or JSON lines with a `stream` key added);
connection changes go to stderr as `streamdash: STREAM: ...`; damaged lines are reported on
stderr as `streamdash replay: FILE:LINE: damaged line skipped` and skipped.

Exit codes: 0 played (damaged lines alone do not fail a replay that played anything); 1 the file
is missing or unreadable, or nothing in it could be read; 2 usage error; 130 Ctrl-C.

Kept cheap to import (the CLI imports it to build its parser): the core loads lazily.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, BinaryIO, TextIO

from streamdash.cli import EXIT_FAILED, EXIT_OK

if TYPE_CHECKING:
    from streamdash.core.recording import RecordedItem

__all__ = ["add_replay_parser", "main", "run_replay_file"]

PROG = "streamdash replay"
_INSTANT_CHUNK = 512  # lines per write when nothing waits between them


def _speed(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number above 0: {text!r}")
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
        default="text",
        help="text: one readable line per event (default); jsonl: one JSON object per event",
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="no connection changes on stderr"
    )


def add_replay_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    replay = subparsers.add_parser(
        "replay",
        help="play a recorded stream (tail --record) back to stdout",
        description="Print a recording's events at their recorded pace (or faster); connection "
        "changes go to stderr.",
        epilog="Exit codes: 0 played (damaged lines are reported and skipped); 1 the file is "
        "missing, unreadable or holds nothing readable; 2 usage error; 130 Ctrl-C.",
    )
    _add_arguments(replay)
    return replay


def main(argv: Sequence[str] | None = None) -> int:
    """`streamdash replay` on its own: `argv` is what follows `replay` on the command line."""
    from streamdash.cli import main as cli_main

    return cli_main(["replay", *(sys.argv[1:] if argv is None else argv)])


def describe_state(item: RecordedItem) -> str:
    """A connection change as `tail` words it; empty for ones not worth a line."""
    from streamdash.core.text import escape_controls

    reason = escape_controls(item.reason)
    if item.state == "open":
        return f"connected (HTTP {item.status})" if item.status else "connected"
    if item.state == "backoff":
        resume = f" from id {escape_controls(item.last_event_id)}" if item.last_event_id else ""
        delay = f" in {item.delay:.1f} s" if item.delay is not None else ""
        return f"{reason or 'disconnected'}; reconnecting{delay}{resume}"
    if item.state == "failed":
        return f"failed: {reason}"
    if item.state == "closed":
        return f"closed: {reason}" if reason else "closed"
    return ""


def run_replay_file(
    args: argparse.Namespace, *, out: BinaryIO | None = None, err: TextIO | None = None
) -> int:
    from streamdash.commands.tail import run_watch
    from streamdash.core.recording import read_recording

    err = err if err is not None else sys.stderr
    try:
        items = read_recording(args.file)
    except OSError as exc:
        print(f"{PROG}: cannot read {args.file}: {exc.strerror or exc}", file=err)
        return EXIT_FAILED
    speed = None if args.instant else args.speed
    return run_watch(lambda: _replay(args, items, speed, out, err))


async def _replay(args, items, speed, out: BinaryIO | None, err: TextIO) -> int:
    from streamdash.commands.output import EventPrinter, iso_time, use_colour
    from streamdash.core.recording import DamagedLine, RecordingReadError, play

    out = out if out is not None else sys.stdout.buffer
    quiet = getattr(args, "quiet", False)
    jsonl = args.format == "jsonl"
    encode = json.JSONEncoder(ensure_ascii=False).encode
    colour = out is sys.stdout.buffer and use_colour(sys.stdout)
    printer = None if jsonl else EventPrinter("text", out, colour=colour)
    pending: list = []  # jsonl lines or Events, written together
    played = damaged = 0
    stamp_for, stamp = -1.0, ""

    def flush() -> None:
        if not pending:
            return
        if printer is not None:
            printer.write(pending)
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
                    pending.append(item.to_event())
                else:
                    if item.t != stamp_for:
                        stamp_for, stamp = item.t, iso_time(item.t)
                    pending.append(
                        encode(
                            {
                                "event": item.event,
                                "data": item.data,
                                "id": item.id,
                                "received_at": stamp,
                                "stream": item.stream,
                            }
                        )
                        + "\n"
                    )
                if speed is not None or len(pending) >= _INSTANT_CHUNK:
                    flush()
            elif item.kind == "state" and not quiet:
                message = describe_state(item)
                if message:
                    flush()
                    print(f"streamdash: {item.stream}: {message}", file=err, flush=True)
    except RecordingReadError as exc:
        flush()
        print(f"{PROG}: cannot read {args.file}: {exc}", file=err)
        return EXIT_FAILED
    flush()
    if damaged and not played:
        print(f"{PROG}: {args.file}: nothing readable", file=err)
        return EXIT_FAILED
    return EXIT_OK
