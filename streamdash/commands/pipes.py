"""Running an async command the way a tool in a pipe must end: Ctrl-C, a reader that went away,
a stdout that failed; each an exit code and at most one line, never a traceback."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from streamdash.exits import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK

__all__ = ["run_async", "say_on_stderr"]


def run_async(coro_factory: Callable[[], Coroutine[Any, Any, int]]) -> int:
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


def say_on_stderr(text: str, waiting: bool = True) -> None:
    """What a person must act on mid-run (an OAuth2 device sign-in's URL and code), on stderr:
    stdout stays the command's output. (`waiting`: see TokenCache.prompt; a line is a line.)"""
    from streamdash.core.text import escape_controls

    if not text:
        return
    print(f"streamdash: {escape_controls(text)}", file=sys.stderr, flush=True)
