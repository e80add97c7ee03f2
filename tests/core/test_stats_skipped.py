"""Rule 34 under `skip`: events discarded as oversized reach the stats snapshot."""

from __future__ import annotations

from streamdash.core.sse.stream import StreamStats
from streamdash.core.stats import StreamTracker

T0 = 1_800_000_000.0


def test_skipped_oversize_is_in_the_snapshot():
    stats = StreamStats(skipped_oversize=2)
    assert StreamTracker("s", stats).sample(T0).skipped_oversize == 2
