"""What the terminal costs and can do: the bytes the app writes to it (over SSH, the price of
watching), and whether it has only 16 colours."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Mapping
from types import FrameType
from typing import Any

__all__ = ["TerminalMeter", "few_colours", "hang_up"]

HANG_UP_GRACE_S = 5.0


def hang_up(app: Any) -> Callable[[int, FrameType | None], None]:
    """A SIGHUP handler: the terminal went away (an SSH drop), so leave at once, writing nowhere.

    The kernel sends SIGCONT right after SIGHUP, and Textual's SIGCONT handler (meant for a
    resume after Ctrl+Z) puts the dead terminal back into application mode; its writer thread
    dies on the first write and the exit then waits for it forever. So SIGCONT goes back to its
    default, the terminal's descriptors to /dev/null (every write succeeds, nothing is shown),
    and if the exit still takes longer than a few seconds the process ends anyway. Recordings
    and history are written a batch at a time, so nothing waits to be saved."""

    def handler(signum: int, frame: FrameType | None) -> None:
        signal.signal(signal.SIGCONT, signal.SIG_DFL)
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        os.close(devnull)
        watchdog = threading.Timer(HANG_UP_GRACE_S, os._exit, args=(0,))
        watchdog.daemon = True
        watchdog.start()
        loop = getattr(app, "_loop", None)  # the app's own loop; a signal handler interrupts it
        if loop is not None and loop.is_running():
            loop.call_soon_threadsafe(app.exit)
        else:
            app.exit()

    return handler


class TerminalMeter:
    """Counts the bytes the app's driver writes; `rate()` is bytes/s since the last call."""

    def __init__(self) -> None:
        self.bytes = 0
        self._sample = (time.monotonic(), 0)

    def attach(self, driver: Any) -> None:
        write = getattr(driver, "write", None)
        if driver is None or write is None:
            return

        def counting_write(data: str) -> None:
            self.bytes += len(data)
            write(data)

        driver.write = counting_write

    def rate(self) -> float:
        then, count = self._sample
        now = time.monotonic()
        self._sample = (now, self.bytes)
        return (self.bytes - count) / max(now - then, 1e-3)


def few_colours(environ: Mapping[str, str] | None = None) -> bool:
    """A terminal that announces 16 colours (or fewer): TERM=xterm-16color, linux, vt100..."""
    env = os.environ if environ is None else environ
    term = env.get("TERM", "")
    if env.get("COLORTERM"):
        return False
    return term.endswith("16color") or term in ("linux", "vt100", "vt220", "xterm-color", "ansi")
