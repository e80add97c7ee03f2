"""Command-line entry point: argument parsing only; each command imports its own code lazily.

`streamdash --help` must stay fast: nothing here imports Textual, httpx or uvicorn.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from streamdash import __version__
from streamdash.commands.arguments import (
    Parser,
    add_dashboard_arguments,
    add_stream_arguments,
    header,
    non_negative_int,
    seconds,
)
from streamdash.exits import EXIT_INTERRUPTED, EXIT_USAGE, UsageError


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="streamdash",
        description="Watch live Server-Sent-Events streams and the REST API beside them.",
        epilog="Exit codes: 0 clean finish, 1 the stream or request failed, 2 usage error, "
        "3 an event matched tail --until, 130 interrupted (Ctrl-C).",
    )
    parser.add_argument("--version", action="version", version=f"streamdash {__version__}")
    parser.add_argument(
        "--collection",
        metavar="PATH",
        help="open this collection folder (default: your default collection, created with an "
        "example on first run)",
    )
    add_dashboard_arguments(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    tail = commands.add_parser(
        "tail",
        help="print a stream's events to stdout, as text or JSON lines",
        description="Print a stream's events to stdout; diagnostics go to stderr.",
        epilog="Exit codes: 0 count/duration reached, server sent 204, or a clean end with "
        "--no-reconnect; 1 the stream failed; 2 usage error (also a {{variable}} with no value); "
        "3 an event matched --until (it is printed); 130 Ctrl-C.",
    )
    tail.add_argument(
        "target",
        metavar="URL | REQUEST",
        help="the stream's http:// or https:// URL; with --collection, a saved stream's name "
        "(group/name, as streamdash run names requests)",
    )
    saved = tail.add_argument_group("a saved stream")
    saved.add_argument(
        "--collection",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="tail the saved stream REQUEST of this collection, prepared as the dashboard "
        "prepares it (auth, transport, variables); the flags below override its settings and "
        "-H adds to its headers",
    )
    saved.add_argument("--env", metavar="NAME", help="with --collection: use env/NAME.toml")
    req = tail.add_argument_group("request")
    req.add_argument(
        "-H",
        "--header",
        dest="headers",
        action="append",
        type=header,
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
        type=seconds,
        metavar="S",
        default=None,
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
        "choices.0.delta.content) as it grows, instead of the events; once the answer is "
        "complete ([DONE], a finish reason, message_stop) and the server closes, stop",
    )
    evidence.add_argument(
        "--reconnect-after-answer",
        action="store_true",
        help="with --assemble: reconnect after a complete answer, as a plain stream does (each "
        "reconnect sends the request, and its prompt, again)",
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
    demo.add_argument("--port", type=non_negative_int, default=0, help="(default: a free port)")
    demo.add_argument("--seed", type=int, default=None, help="seed the demo's randomness")
    demo.add_argument(
        "--serve-only", action="store_true", help="only serve the demo API until Ctrl-C"
    )
    add_dashboard_arguments(demo, suppress=True)
    add_stream_arguments(demo)

    from streamdash.commands.run import add_run_parser  # argparse only: no heavy imports

    add_run_parser(commands)
    from streamdash.commands.replay import add_replay_parser  # argparse only

    add_replay_parser(commands)
    from streamdash.commands.import_ import add_import_parser  # argparse only

    add_import_parser(commands)
    from streamdash.commands.export import add_export_parser  # argparse only

    add_export_parser(commands)
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
            from streamdash.commands.run import run_collection

            return run_collection(args)
        if args.command == "export":
            from streamdash.commands.export import run_export

            return run_export(args)
        if args.command == "import":
            from streamdash.commands.import_ import run_import

            return run_import(args)
        if args.command == "replay":
            from streamdash.commands.replay import run_replay

            return run_replay(args)
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
