"""`streamdash demo`: the embedded demo API on 127.0.0.1, and one of its streams tailed.

Nothing here needs the network, so a newcomer can see streamdash work on a fresh machine.
"""

from __future__ import annotations

import argparse
import sys
import threading

from streamdash.cli import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK
from streamdash.commands.output import EventPrinter, use_colour
from streamdash.commands.tail import Diagnostics, run_watch, stream_options, watch


def run_demo(args: argparse.Namespace) -> int:
    from streamdash.demo import DemoServer

    server = DemoServer(seed=args.seed, port=args.port)
    try:
        server.start()
    except RuntimeError as exc:
        print(f"streamdash demo: {exc}", file=sys.stderr)
        return EXIT_FAILED
    try:
        urls = server.urls()
        print(f"streamdash demo API on {server.url} (Ctrl-C to stop)", file=sys.stderr)
        for name, url in urls.items():
            print(f"  {name:<10} {url}", file=sys.stderr)
        if args.serve_only:
            return _serve_until_interrupted(args.duration)
        url = urls[args.stream]
        print(f"watching the {args.stream} stream:", file=sys.stderr, flush=True)
        printer = EventPrinter(args.format, colour=use_colour(sys.stdout), heartbeats=args.heartbeats)
        diagnostics = Diagnostics(url, sys.stderr, args.quiet)
        options = stream_options(args)
        return run_watch(
            lambda: watch(url, options, printer, diagnostics, count=args.count, duration=args.duration)
        )
    finally:
        server.stop()


def _serve_until_interrupted(duration: float | None) -> int:
    try:
        threading.Event().wait(duration)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    return EXIT_OK
