"""Argument types and the option groups several commands share (argparse only: cheap to import)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, NoReturn

from streamdash.exits import EXIT_USAGE

if TYPE_CHECKING:
    from streamdash.core.filter import EventFilter


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not usage plus a line
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see {self.prog} --help)\n")


def int_at_least(minimum: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}: {text!r}")
        return value

    return parse


positive_int = int_at_least(1)
non_negative_int = int_at_least(0)


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0: {text!r}")
    return value


_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
MIN_BUFFER_BYTES = 1 << 20


def byte_size(text: str) -> int:
    """`64M`, `1G`, `512K`, `1.5G`, `1048576`: binary units (1M = 1 MiB; `MB` and `MiB` too)."""
    spec = text.strip().upper().removesuffix("B").removesuffix("I").replace(" ", "")
    unit = spec[-1:] if spec[-1:] in _UNITS else ""
    number = spec[: len(spec) - len(unit)]
    try:
        value = float(number) * _UNITS[unit] if number.replace(".", "", 1).isdigit() else -1.0
    except OverflowError:
        value = -1.0
    if not 0 <= value < 1 << 63:
        raise argparse.ArgumentTypeError(f"not a size (like 64M or 1G): {text!r}")
    if value < MIN_BUFFER_BYTES:
        raise argparse.ArgumentTypeError(f"must be at least 1 MiB: {text!r}")
    return int(value)


def filter_expression(text: str) -> EventFilter:
    """An expression in the event log's filter syntax, compiled by the log's own parser (one
    path: `tail --until` and the `/` filter can never read an expression differently). Its
    JSON field cache is off: tail keeps no events, so it must not keep their values either."""
    from streamdash.core.filter import FieldCache, FilterError, compile_filter  # not for --help

    try:
        compiled = compile_filter(text, cache=FieldCache(paths=0))
    except FilterError as exc:
        raise argparse.ArgumentTypeError(f"bad filter {text!r}: {exc}") from None
    if compiled.is_empty:  # `--until "$PATTERN"` with PATTERN unset: not "stop at anything"
        raise argparse.ArgumentTypeError(f"empty filter {text!r}: it would match every event")
    return compiled


def header(text: str) -> tuple[str, str]:
    name, sep, value = text.partition(":")
    name = name.strip()
    if not sep or not name or any(c in name for c in " \t\r\n"):
        raise argparse.ArgumentTypeError(f"expected 'Name: value', got {text!r}")
    if any(c in value for c in "\r\n"):
        raise argparse.ArgumentTypeError(f"header value may not contain a line break: {text!r}")
    return name, value.strip()


def add_stream_arguments(parser: argparse.ArgumentParser) -> None:
    """Options shared by every command that reads a stream (`tail`, `demo`)."""
    out = parser.add_argument_group("output")
    out.add_argument(
        "--format",
        choices=("text", "jsonl"),
        default="text",
        help="text: one readable line per event (default); jsonl: one JSON object per event",
    )
    out.add_argument("--count", type=positive_int, metavar="N", help="exit 0 after N events")
    out.add_argument("--duration", type=seconds, metavar="S", help="exit 0 after S seconds")
    out.add_argument(
        "--until",
        type=filter_expression,
        metavar="EXPR",
        help="exit 3 on the first event that matches EXPR, after printing it (the event log's "
        "filter syntax: level=error, type:alert, msg~timeout, /regex/, a or b); with --count "
        "or --duration, whichever comes first",
    )
    out.add_argument(
        "-q", "--quiet", action="store_true", help="no diagnostics on stderr, only failures"
    )
    out.add_argument(
        "--heartbeats", action="store_true", help="show comment heartbeats (text format)"
    )
    out.add_argument(
        "--hide-heartbeats",
        action="store_true",
        help="do not print events whose type is a heartbeat type (see --heartbeat-event); "
        "they still count as signs of life",
    )
    conn = parser.add_argument_group("connection")
    conn.add_argument(
        "--no-reconnect",
        action="store_true",
        help="stop when the stream ends: a clean end exits 0, a failure exits 1",
    )
    # The stream's own options default to None: a saved request (tail --collection) then keeps
    # what its [stream] table says, and a flag given on the command line wins over it.
    conn.add_argument(
        "--last-event-id", metavar="ID", default=None, help="resume from this id (Last-Event-ID)"
    )
    conn.add_argument(
        "--read-timeout",
        type=seconds,
        metavar="S",
        default=None,
        help="reconnect when no byte (heartbeats included) arrives for S seconds; 0 = never "
        "(default 60)",
    )
    conn.add_argument(
        "--connect-timeout", type=seconds, metavar="S", default=10.0, help="(default 10)"
    )
    conn.add_argument(
        "--max-event-bytes",
        type=non_negative_int,
        metavar="N",
        default=None,
        help="the most bytes one event may have, all its lines counted; 0 = no cap "
        "(default 16 MiB)",
    )
    conn.add_argument(
        "--oversize",
        choices=("fail", "skip"),
        default=None,
        help="an event over --max-event-bytes: fail (default) stops with exit 1; skip discards "
        "it, says so on stderr and reads on",
    )
    conn.add_argument(
        "--heartbeat-event",
        dest="heartbeat_events",
        action="append",
        metavar="TYPE",
        default=None,
        help="events of this type are heartbeats, not news (repeatable; replaces the default "
        "ping and heartbeat; --heartbeat-event '' means none)",
    )
    conn.add_argument(
        "--retry-policy",
        choices=("strict", "resilient"),
        default=None,
        help="resilient (default): retry 5xx, 408, 429 with backoff, honouring Retry-After; "
        "strict: any status but 200 and 204 fails",
    )
    conn.add_argument(
        "--retry-first-connect",
        action="store_true",
        help="keep retrying when the very first attempt cannot connect (refused, DNS); by "
        "default that fails at once, since it is most often a typo",
    )


def refresh_hz_value(text: str) -> float:
    value = seconds(text)
    if not 0.5 <= value <= 60:
        raise argparse.ArgumentTypeError(f"must be between 0.5 and 60: {text!r}")
    return value


def add_dashboard_arguments(parser: argparse.ArgumentParser, *, suppress: bool = False) -> None:
    """Display options of the dashboard. On a subcommand they default to SUPPRESS so they do
    not overwrite the same options given before the subcommand."""
    default = argparse.SUPPRESS if suppress else None
    group = parser.add_argument_group("dashboard")
    group.add_argument(
        "--refresh-hz",
        type=refresh_hz_value,
        metavar="HZ",
        default=default,
        help="log and screen refreshes per second (default 20; lower it on slow SSH links)",
    )
    group.add_argument(
        "--low-bandwidth",
        action="store_const",
        const=5.0,
        dest="refresh_hz",
        default=argparse.SUPPRESS,
        help="a preset for slow SSH links: 5 refreshes per second (about a quarter of the bytes)",
    )
    group.add_argument(
        "--buffer-size",
        type=int_at_least(1000),
        metavar="N",
        default=default,
        help="events retained for filtering and catch-up (default 100,000)",
    )
    group.add_argument(
        "--buffer-bytes",
        type=byte_size,
        metavar="SIZE",
        default=default,
        help="and at most this much event text retained, oldest evicted first: 64M, 1G... "
        "(default 64M)",
    )


