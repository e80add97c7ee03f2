"""Every notification of the session, kept: a toast is gone in seconds and its line may be cut
where the useful part is, so the messages screen (Ctrl+N) shows each one whole."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass

MESSAGES_KEPT = 200


@dataclass(frozen=True)
class Said:
    at: float  # wall clock, for the time shown
    severity: str
    title: str
    text: str

    def when(self) -> str:
        return time.strftime("%H:%M:%S", time.localtime(self.at))


class MessageLog:
    """The newest `MESSAGES_KEPT` notifications."""

    def __init__(self, size: int = MESSAGES_KEPT) -> None:
        self._said: deque[Said] = deque(maxlen=size)

    def add(self, text: str, *, title: str = "", severity: str = "information") -> None:
        self._said.append(Said(time.time(), severity, title, text))

    def newest_first(self) -> list[Said]:
        return list(reversed(self._said))

    def __len__(self) -> int:
        return len(self._said)


def remember(app: object, text: str, *, title: str = "", severity: str = "information") -> None:
    """Keep a line for the messages screen (Ctrl+N): what every notice says, and a line shown
    cut in a narrow place (the filter bar's error) that has no toast of its own."""
    log = getattr(app, "__dict__", {}).setdefault("message_log", MessageLog())
    log.add(text, title=title, severity=severity)
