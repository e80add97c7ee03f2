"""What a session tells its front end. The session decides what a change touches; a front end
only redraws what an event names (the dashboard posts each one to its message queue)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from streamdash.core.sse.events import StateChange

Severity = Literal["information", "warning", "error"]

__all__ = [
    "AlertFired",
    "CollectionChanged",
    "EnvironmentChanged",
    "LogChanged",
    "Notice",
    "SessionEvent",
    "Severity",
    "StreamChanged",
]


@dataclass(frozen=True)
class Notice:
    """Something to tell the user in one line: a failed action, a saved file, an alarm."""

    text: str
    title: str = ""
    severity: Severity = "information"
    timeout: float | None = None
    # A notice with a key takes down the one shown before it with that key (an empty text only
    # takes it down): a sign-in code goes once the sign-in is over.
    key: str = ""


@dataclass(frozen=True)
class StreamChanged:
    """A stream started, changed state, was renamed, stopped or went away (`change` is the
    engine's own state change when there is one)."""

    key: str
    change: StateChange | None = None


@dataclass(frozen=True)
class CollectionChanged:
    """Requests were added, saved, renamed or deleted; `select` is the request to put the cursor
    on (a neighbour after a delete), by its key."""

    select: str | None = None


@dataclass(frozen=True)
class EnvironmentChanged:
    name: str | None
    production: bool = False


@dataclass(frozen=True)
class LogChanged:
    """Retained events were relabelled (a rename: `renamed` is (old, new)) or forgotten: views
    rebuild from the buffer, and a view scoped to the old name follows it."""

    renamed: tuple[str, str] | None = None


@dataclass(frozen=True)
class AlertFired:
    """An armed alert's burst began: its name, one line about the first matching event, how
    many matched in that batch, and whether to ring the bell."""

    name: str
    summary: str
    count: int
    bell: bool = True


SessionEvent = Notice | StreamChanged | CollectionChanged | EnvironmentChanged | LogChanged | AlertFired
