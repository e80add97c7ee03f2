"""A session: the collection, environments, running streams, retained events, recording and
stats of one person's work, with a method per user action, and no UI (see `session.py`)."""

from streamdash.core.session.events import (
    AlertFired,
    CollectionChanged,
    EnvironmentChanged,
    LogChanged,
    Notice,
    SessionEvent,
    StreamChanged,
)
from streamdash.core.session.live import LiveStream, request_id
from streamdash.core.session.session import SendResult, Session

__all__ = [
    "AlertFired",
    "CollectionChanged",
    "EnvironmentChanged",
    "LiveStream",
    "LogChanged",
    "Notice",
    "SendResult",
    "Session",
    "SessionEvent",
    "StreamChanged",
    "request_id",
]
