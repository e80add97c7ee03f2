"""Putting an LLM token stream back together.

Each event's data is a JSON chunk such as `{"choices":[{"delta":{"content":"Hel"}}]}`; the text
at `path` (dotted, integer list indexes: the syntax of `core.jsonpath.json_path`) is the new token.

Decisions:
* `data: [DONE]` (OpenAI) and an event of type `message_stop` (Anthropic) set `done`; a finish
  reason (`choices.0.finish_reason`, Anthropic's `delta.stop_reason`) is kept. Either makes the
  answer `complete`: a stream that assembles one then stops when the server closes, since a
  reconnect would send (and bill) the prompt again.
* Data that is not JSON, and chunks whose value at `path` is missing, not a string, or "" (a
  role-only delta), add no token.
* `started_at` is the request's start when the caller gives it, else the first event's
  received_at (any event, token or not).
* `tokens` counts chunks that added text (one chunk = one token, as the server sent them).
* `tokens_per_s` is over first token -> last token: (tokens - 1) / (last - first), the rate of
  the tokens after the first; None with fewer than two tokens or no time between them.
"""

from __future__ import annotations

import json

from streamdash.core.jsonpath import json_path
from streamdash.core.sse.events import Event

__all__ = ["DEFAULT_PATH", "DONE", "Assembler"]

DEFAULT_PATH = "choices.0.delta.content"
FINISH_PATHS = ("choices.0.finish_reason", "delta.stop_reason")
DONE = "[DONE]"
DONE_TYPES = frozenset({"message_stop"})


class Assembler:
    def __init__(self, path: str = DEFAULT_PATH, started_at: float | None = None) -> None:
        self.path = path
        self.started_at = started_at
        self.text = ""
        self.tokens = 0
        self.first_token_at: float | None = None
        self.last_token_at: float | None = None
        self.finish_reason: str | None = None
        self.done = False

    def add(self, event: Event) -> str | None:
        """The new token text this event carries (appended to `.text`), or None."""
        if self.started_at is None:
            self.started_at = event.received_at
        data = event.data
        if data.strip() == DONE or event.event in DONE_TYPES:
            self.done = True
            return None
        try:
            document = json.loads(data)
        except ValueError:
            return None
        for finish in FINISH_PATHS:
            reason = json_path(document, finish)
            if isinstance(reason, str) and reason:
                self.finish_reason = reason
        token = json_path(document, self.path)
        if not isinstance(token, str) or not token:
            return None
        self.text += token
        self.tokens += 1
        if self.first_token_at is None:
            self.first_token_at = event.received_at
        self.last_token_at = event.received_at
        return token

    @property
    def complete(self) -> bool:
        """The answer has ended: `[DONE]`, `message_stop` or a finish reason came."""
        return self.done or self.finish_reason is not None

    @property
    def time_to_first_token(self) -> float | None:
        """Seconds from `started_at` to the first token."""
        if self.first_token_at is None or self.started_at is None:
            return None
        return self.first_token_at - self.started_at

    @property
    def tokens_per_s(self) -> float | None:
        if self.tokens < 2 or self.first_token_at is None or self.last_token_at is None:
            return None
        span = self.last_token_at - self.first_token_at
        return (self.tokens - 1) / span if span > 0 else None
