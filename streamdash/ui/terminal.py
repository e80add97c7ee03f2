"""What the terminal costs and can do: the bytes the app writes to it (over SSH, the price of
watching), and whether it has only 16 colours."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from typing import Any

__all__ = ["TerminalMeter", "few_colours"]


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
