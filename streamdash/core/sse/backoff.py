"""When to try again: exponential backoff with jitter, and the server's `Retry-After`."""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

# A server's `retry: 0` is honoured once; after that the doubling starts from this floor, so a
# server that closes every connection at once cannot make the client spin.
MIN_DELAY = 0.1
MAX_RETRY_AFTER = 3600.0


@dataclass
class Backoff:
    """Rule 31: from the base (the server's `retry:`, else 1 s), double per failure, cap, jitter.

    `failures` counts the connections in a row that made no progress: a connection that
    delivered a new event, or one that stayed up `reset_after` seconds, starts the count again,
    so a server that drops every connection after a few events is retried at the base delay
    (as browsers do) instead of being pushed out to the cap.
    """

    base: float = 1.0
    cap: float = 30.0
    reset_after: float = 60.0
    failures: int = 0
    rng: Callable[[], float] = random.random
    delays: int = 0  # delays handed out so far: a base of 0 is honoured for the first only

    def next_delay(self, connected_for: float | None = None, *, progressed: bool = False) -> float:
        """The wait before the next attempt. `progressed`: the connection that just ended
        delivered at least one new event; `connected_for`: how long it was open."""
        if progressed or (connected_for is not None and connected_for >= self.reset_after):
            self.failures = 0
        self.failures += 1
        self.delays += 1
        if self.failures == 1:
            # A base of 0 (`retry: 0`) is honoured once; after that it is the floor, so a server
            # that sends one event per connection cannot make the client reconnect in a loop.
            delay = self.base if self.base > 0 or self.delays == 1 else MIN_DELAY
        else:
            delay = max(self.base, MIN_DELAY) * 2 ** (self.failures - 1)
        delay = min(self.cap, delay)
        return delay - delay * 0.5 * self.rng()  # subtract up to half as jitter


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a `Retry-After` header (delta-seconds or an HTTP date); None if unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    now = time.time() if now is None else now
    return min(max(0.0, when.timestamp() - now), MAX_RETRY_AFTER)
