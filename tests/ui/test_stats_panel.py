"""The stats panel's cells for what only some streams have (rule 34's skipped events)."""

from __future__ import annotations

import dataclasses

from streamdash.core.sse.stream import StreamStats
from streamdash.core.stats import StreamTracker
from streamdash.ui.widgets.stats_panel import measure_cells

T0 = 1_800_000_000.0


def test_the_panel_shows_skipped_events_only_when_there_are_some():
    stats = StreamStats(last_error="server closed the stream")
    snapshot = StreamTracker("s", stats).sample(T0)
    assert measure_cells(snapshot)["error"] == "server closed the stream"
    shown = measure_cells(dataclasses.replace(snapshot, skipped_oversize=3))["error"]
    assert shown.startswith("3 skipped (over max_event_bytes)") and "server closed" in shown
