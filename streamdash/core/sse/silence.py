"""The silence alarm's threshold and test: an open stream that sent nothing for too long."""

from __future__ import annotations

DEFAULT_SILENCE_THRESHOLD = 30.0

__all__ = ["DEFAULT_SILENCE_THRESHOLD", "silence_alarm"]


def silence_alarm(
    last_activity_at: float | None, now: float, threshold: float = DEFAULT_SILENCE_THRESHOLD
) -> float | None:
    """Seconds silent since `last_activity_at` when that is over `threshold`, else None (and None
    when there is nothing to measure from)."""
    if last_activity_at is None:
        return None
    silent = now - last_activity_at
    return silent if silent > threshold else None
