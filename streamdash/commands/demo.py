"""`streamdash demo`: the embedded demo API on 127.0.0.1, and one of its streams tailed.

Nothing here needs the network, so a newcomer can see streamdash work on a fresh machine.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import threading
from pathlib import Path

from streamdash.commands.tail import tail_request, typed_request
from streamdash.exits import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK


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
        if not args.tail:
            return _dashboard(args, server.url)
        url = urls[args.tail]
        print(f"watching the {args.tail} stream:", file=sys.stderr, flush=True)
        return tail_request(args, typed_request(args, url, name=args.tail), as_written=True)
    finally:
        server.stop()


DEMO_STREAMS = ("streams/ticker", "streams/logs", "streams/flaky", "streams/chat")
DEMO_FIRST_REQUEST = "api/List items"


def _dashboard(args: argparse.Namespace, base_url: str) -> int:
    """The dashboard on a private copy of the bundled demo collection (so saving works and the
    installed package is never written to), with its streams running and one answer shown."""
    from streamdash.commands.dashboard import buffer_bytes, display_settings
    from streamdash.ui.launch import run_app

    refresh_hz, buffer_size, theme = display_settings(args)
    with tempfile.TemporaryDirectory(prefix="streamdash-demo-") as tmp:
        root = Path(tmp) / "demo"
        shutil.copytree(Path(__file__).resolve().parent.parent / "demo" / "collection", root)
        return run_app(
            root,
            variables={"base_url": base_url},
            refresh_hz=refresh_hz,
            buffer_size=buffer_size,
            buffer_bytes=buffer_bytes(args),
            autostart=DEMO_STREAMS,
            autosend=(DEMO_FIRST_REQUEST,),
            theme=theme,
            scratch="demo",
        )


def _serve_until_interrupted(duration: float | None) -> int:
    try:
        threading.Event().wait(duration)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    return EXIT_OK
