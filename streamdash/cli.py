"""Command-line entry point: argument parsing only; each command imports its own code lazily.

`streamdash --help` must stay fast: nothing here imports Textual, httpx or uvicorn.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from streamdash import __version__

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """A bad argument, found after parsing (a malformed URL, an unreadable body file)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not usage plus a line
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _int_at_least(minimum: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}: {text!r}")
        return value

    return parse


_positive_int = _int_at_least(1)
_non_negative_int = _int_at_least(0)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0: {text!r}")
    return value


def _header(text: str) -> tuple[str, str]:
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
    out.add_argument("--count", type=_positive_int, metavar="N", help="exit 0 after N events")
    out.add_argument("--duration", type=_seconds, metavar="S", help="exit 0 after S seconds")
    out.add_argument(
        "-q", "--quiet", action="store_true", help="no diagnostics on stderr, only failures"
    )
    out.add_argument(
        "--heartbeats", action="store_true", help="show comment heartbeats (text format)"
    )
    conn = parser.add_argument_group("connection")
    conn.add_argument(
        "--no-reconnect",
        action="store_true",
        help="stop when the stream ends: a clean end exits 0, a failure exits 1",
    )
    conn.add_argument(
        "--last-event-id", metavar="ID", default="", help="resume from this id (Last-Event-ID)"
    )
    conn.add_argument(
        "--read-timeout",
        type=_seconds,
        metavar="S",
        default=60.0,
        help="reconnect when no byte (heartbeats included) arrives for S seconds; 0 = never "
        "(default 60)",
    )
    conn.add_argument(
        "--connect-timeout", type=_seconds, metavar="S", default=10.0, help="(default 10)"
    )
    conn.add_argument(
        "--max-event-bytes",
        type=_non_negative_int,
        metavar="N",
        default=1024 * 1024,
        help="fail on an event larger than N bytes of data; 0 = no cap (default 1 MiB)",
    )
    conn.add_argument(
        "--retry-policy",
        choices=("strict", "resilient"),
        default="resilient",
        help="resilient (default): retry 5xx, 408, 429 with backoff, honouring Retry-After; "
        "strict: any status but 200 and 204 fails",
    )
    conn.add_argument(
        "--retry-first-connect",
        action="store_true",
        help="keep retrying when the very first attempt cannot connect (refused, DNS); by "
        "default that fails at once, since it is most often a typo",
    )


def _refresh_hz(text: str) -> float:
    value = _seconds(text)
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
        type=_refresh_hz,
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
        type=_int_at_least(1000),
        metavar="N",
        default=default,
        help="events retained for filtering and catch-up (default 100,000)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="streamdash",
        description="Watch live Server-Sent-Events streams and the REST API beside them.",
        epilog="Exit codes: 0 clean finish, 1 the stream or request failed, 2 usage error, "
        "130 interrupted (Ctrl-C).",
    )
    parser.add_argument("--version", action="version", version=f"streamdash {__version__}")
    parser.add_argument(
        "--collection",
        metavar="PATH",
        help="open this collection folder (default: your default collection, created with an "
        "example on first run)",
    )
    add_dashboard_arguments(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    tail = commands.add_parser(
        "tail",
        help="print a stream's events to stdout, as text or JSON lines",
        description="Print a stream's events to stdout; diagnostics go to stderr.",
        epilog="Exit codes: 0 count/duration reached, server sent 204, or a clean end with "
        "--no-reconnect; 1 the stream failed; 2 usage error; 130 Ctrl-C.",
    )
    tail.add_argument("url", metavar="URL", help="the stream's http:// or https:// URL")
    req = tail.add_argument_group("request")
    req.add_argument(
        "-H",
        "--header",
        dest="headers",
        action="append",
        type=_header,
        default=[],
        metavar="'NAME: VALUE'",
        help="add a request header (repeatable)",
    )
    req.add_argument("-X", "--request", dest="method", metavar="METHOD", help="(default GET)")
    req.add_argument(
        "-d",
        "--data",
        metavar="BODY",
        help="request body; @FILE reads a file, @- stdin; implies POST unless -X is given",
    )
    add_stream_arguments(tail)
    evidence = tail.add_argument_group("evidence")
    evidence.add_argument(
        "--record",
        metavar="FILE",
        help="also append every event and connection change to FILE (JSON lines; play it back "
        "with streamdash replay)",
    )
    evidence.add_argument(
        "--name",
        metavar="NAME",
        help="the stream's name in the recording (default: the URL's last path segment)",
    )
    evidence.add_argument(
        "--silence-alarm",
        type=_seconds,
        metavar="S",
        default=30.0,
        help="say so on stderr when the open stream sends nothing at all (heartbeats count as "
        "something) for S seconds; 0 = never (default 30)",
    )
    evidence.add_argument(
        "--latency-field",
        metavar="PATH",
        help="a JSON field of the data holding the server's send time (ISO 8601 or epoch s/ms): "
        "adds latency_ms to --format jsonl and (+N ms) to text",
    )
    evidence.add_argument(
        "--assemble",
        metavar="PATH",
        help="print the text an LLM token stream carries at this JSON path (e.g. "
        "choices.0.delta.content) as it grows, instead of the events",
    )

    demo = commands.add_parser(
        "demo",
        help="the dashboard on an embedded demo server (no network needed)",
        description="Serve a demo API on 127.0.0.1 (streams and REST endpoints that look like "
        "production) and open the dashboard on a demo collection; or, with --tail, print one "
        "of its streams.",
    )
    demo.add_argument(
        "--tail",
        nargs="?",
        const="flaky",
        choices=("flaky", "ticker", "logs"),
        metavar="STREAM",
        help="no dashboard: print one demo stream (flaky, ticker or logs; default flaky)",
    )
    demo.add_argument("--port", type=_non_negative_int, default=0, help="(default: a free port)")
    demo.add_argument("--seed", type=int, default=None, help="seed the demo's randomness")
    demo.add_argument(
        "--serve-only", action="store_true", help="only serve the demo API until Ctrl-C"
    )
    add_dashboard_arguments(demo, suppress=True)
    add_stream_arguments(demo)

    from streamdash.commands.run import add_run_parser  # argparse only: no heavy imports

    add_run_parser(commands)
    from streamdash.commands.replay_cmd import add_replay_parser  # argparse only

    add_replay_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "tail":
            from streamdash.commands.tail import run_tail

            return run_tail(args)
        if args.command == "demo":
            from streamdash.commands.demo import run_demo

            return run_demo(args)
        if args.command == "run":
            from streamdash.commands.run import run_replay

            return run_replay(args)
        if args.command == "replay":
            from streamdash.commands.replay_cmd import run_replay_file

            return run_replay_file(args)
        from streamdash.commands.dashboard import run_dashboard

        return run_dashboard(args)
    except UsageError as exc:
        prog = f"streamdash {args.command}" if args.command else "streamdash"
        print(f"{prog}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    raise SystemExit(main())
