"""Missing ids in a stream whose ids are increasing integers.

Decisions:
* Only ids made of ASCII digits (leading zeros allowed) are counted. Any other non-empty id is
  ignored for counting, bumps `non_integer`, and makes `applicable` False for good: the stream's
  ids are not a sequence, so a UI should not show a gap count for it. Empty ids are ignored
  altogether (an event that set no id).
* A repeat of the last id counts in `repeats`; a lower id counts in `resets` (a server restart).
  Neither is a gap; after a reset the sequence continues from the new id.
* Missing ranges are inclusive `(first_missing, last_missing)` pairs; only the last `max_ranges`
  (100) are kept, but `missing` stays exact.

Example: 1, 2, 3, 7, 8, 10 -> ranges [(4, 6), (9, 9)], missing 4.
"""

from __future__ import annotations

from collections import deque

__all__ = ["GapTracker", "parse_int_id"]


def parse_int_id(event_id: str) -> int | None:
    text = event_id.strip()
    if text and text.isascii() and text.isdigit():
        return int(text)
    return None


class GapTracker:
    def __init__(self, max_ranges: int = 100) -> None:
        if max_ranges < 1:
            raise ValueError("max_ranges must be at least 1")
        self.last: int | None = None
        self.missing = 0
        self.resets = 0
        self.repeats = 0
        self.non_integer = 0
        self.integers = 0
        self.ranges: deque[tuple[int, int]] = deque(maxlen=max_ranges)

    @property
    def applicable(self) -> bool:
        """Integer ids seen and no other kind: a gap count means something."""
        return self.integers > 0 and self.non_integer == 0

    def add(self, event_id: str) -> int:
        """Record one id; returns how many ids it showed to be missing (0 most of the time)."""
        if not event_id:
            return 0
        number = parse_int_id(event_id)
        if number is None:
            self.non_integer += 1
            return 0
        self.integers += 1
        last, self.last = self.last, number
        if last is None:
            return 0
        if number == last:
            self.repeats += 1
            return 0
        if number < last:
            self.resets += 1
            return 0
        skipped = number - last - 1
        if skipped:
            self.missing += skipped
            self.ranges.append((last + 1, number - 1))
        return skipped
