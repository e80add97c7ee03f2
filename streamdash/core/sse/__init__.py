"""The SSE engine: a spec-exact incremental parser and a reconnecting stream consumer.

Public API: `SSEStream` (iterate it for `Event`, `Heartbeat` and `StateChange` items),
`StreamOptions`, `RetryPolicy`, `SSEParser` for bytes you already hold, and `open_stream`.
"""

from streamdash.core.sse.events import (
    Event,
    Heartbeat,
    Item,
    SkippedEvent,
    StateChange,
    StreamState,
)
from streamdash.core.sse.parser import (
    DEFAULT_MAX_EVENT_BYTES,
    EventTooLarge,
    OversizePolicy,
    SSEParser,
)
from streamdash.core.sse.stream import (
    RetryPolicy,
    SSEStream,
    StreamOptions,
    StreamStats,
    open_stream,
)

__all__ = [
    "DEFAULT_MAX_EVENT_BYTES",
    "Event",
    "EventTooLarge",
    "Heartbeat",
    "Item",
    "OversizePolicy",
    "RetryPolicy",
    "SSEParser",
    "SSEStream",
    "SkippedEvent",
    "StateChange",
    "StreamOptions",
    "StreamState",
    "StreamStats",
    "open_stream",
]
