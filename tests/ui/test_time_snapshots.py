"""Snapshots of moving in time (issue 11, item 4): two marked lines with their glyph in the
gutter, the cursor on another, and the D column (the time since each stream's previous event)
with the pauses over a 0.5 s gap threshold standing out. Made like tests/ui/test_snapshots.py
(fixed events, frozen clock, TZ=UTC); update with --snapshot-update and read the SVG text."""

from __future__ import annotations

from tests.ui.test_snapshots import (  # noqa: F401 - the fixtures are used by name
    SIZES,
    collection_dir,
    fill,
    frozen_perf_counter,
    make_app,
    steady_cursors,
    utc,
)


@SIZES
def test_marks_in_the_gutter_and_the_since_column(snap_compare, collection_dir, size):  # noqa: F811
    async def run_before(pilot) -> None:
        app = await fill(pilot)
        await pilot.press("f3")  # the events pane, the focus on the log, at any width
        log = app.events_pane.log_view
        assert log.set_gap_seconds("0.5") is None
        await pilot.press("up", "up", "m", "up", "up", "up", "m", "up")
        await pilot.press("D")
        assert len(log.marks) == 2 and log.columns.gutter and log.columns.since
        app.clear_notifications()  # the toasts of D and of the threshold
        await pilot.pause(0.2)
        steady_cursors(app)

    assert snap_compare(make_app(collection_dir), terminal_size=size, run_before=run_before)
