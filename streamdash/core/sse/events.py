"""What a stream yields: events, heartbeats and state changes.

`Event` *is* an httpx-sse `ServerSentEvent` (so code written against httpx-sse keeps working); it
adds the two facts a watcher needs and httpx-sse does not carry: whether the block set its own id
(duplicate suppression looks only at those) and when the bytes that completed it arrived.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from operator import itemgetter
from typing import TYPE_CHECKING

from httpx_sse import ServerSentEvent

# Event types that are heartbeats, not news (issue 10, 6b): they count for liveness and the
# stats as heartbeats; the log dims them and can hide them. `[stream] heartbeat_events` overrides.
DEFAULT_HEARTBEAT_EVENTS: frozenset[str] = frozenset({"heartbeat", "ping"})


class Event(tuple[str, str, str, int | None, bool, float], ServerSentEvent):
    """One dispatched event. `id` is the stream's last event ID in force after it (rule 20).

    A tuple underneath so the parser can build it in C (`tuple.__new__`): a Python `__init__`
    setting six attributes took about 30 % of the parser's time.
    """

    __slots__ = ()

    def __new__(
        cls,
        event: str,
        data: str,
        id: str = "",
        retry: int | None = None,
        id_set: bool = False,
        received_at: float = 0.0,
    ) -> Event:
        return tuple.__new__(cls, (event or "message", data, id, retry, id_set, received_at))

    def __init__(self, *args: object, **kwargs: object) -> None:
        pass  # everything was set in __new__; ServerSentEvent.__init__ would store it twice

    if TYPE_CHECKING:
        # What the itemgetter properties below return: the checker cannot see through
        # itemgetter, and a Python-level getter would cost a frame on every access.
        @property
        def event(self) -> str: ...
        @property
        def data(self) -> str: ...
        @property
        def id(self) -> str: ...
        @property
        def retry(self) -> int | None: ...
        @property
        def id_set(self) -> bool:
            """Whether this event's own block carried an `id`."""
        @property
        def received_at(self) -> float:
            """Wall-clock time its last bytes arrived."""
    else:
        event = property(itemgetter(0))
        data = property(itemgetter(1))
        id = property(itemgetter(2))
        retry = property(itemgetter(3))
        id_set = property(itemgetter(4), doc="Whether this event's own block carried an `id`.")
        received_at = property(itemgetter(5), doc="Wall-clock time its last bytes arrived.")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ServerSentEvent):
            return NotImplemented
        return (self.event, self.data, self.id, self.retry) == (
            other.event,
            other.data,
            other.id,
            other.retry,
        )

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    __hash__ = None  # type: ignore[assignment]
    __repr__ = ServerSentEvent.__repr__


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """A comment line (`: ping`). It dispatches nothing but proves the connection is alive."""

    comment: str
    received_at: float = 0.0


@dataclass(frozen=True, slots=True)
class SkippedEvent:
    """An event over `max_event_bytes`, discarded under the `skip` policy (rule 34): reported once,
    at its end, with its size (the bytes of its lines, line ends not counted) and its id (the id
    in force after it: its own, when its `id:` line came before the cap was passed)."""

    size: int
    id: str
    limit: int
    received_at: float = 0.0


class StreamState(enum.StrEnum):
    CONNECTING = "connecting"
    OPEN = "open"
    BACKOFF = "backoff"
    CLOSED = "closed"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class StateChange:
    """The stream moved to `state`. `delay` is set for BACKOFF: seconds until the next attempt."""

    state: StreamState
    reason: str = ""
    delay: float | None = None
    last_event_id: str = ""
    status: int | None = None
    at: float = 0.0


Item = Event | Heartbeat | SkippedEvent | StateChange
