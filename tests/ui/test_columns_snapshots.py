"""Snapshots of JSON columns (issue 11, item 2): the demo's `logs` with saved
`columns = ["level", "service", "msg"]` and `ticker` through a display template, beside the raw
`flaky`; the column names on the pane's title. Made like tests/ui/test_snapshots.py (fixed events,
frozen clock, TZ=UTC); update with --snapshot-update and read the SVG text."""

from __future__ import annotations

from pathlib import Path

from tests.ui.test_snapshots import (  # noqa: F401 - the fixtures are used by name
    SIZES,
    collection_dir,
    fill,
    frozen_perf_counter,
    make_app,
    steady_cursors,
    utc,
)


def with_columns(root: Path) -> Path:
    logs = root / "streams" / "logs.toml"
    logs.write_text(logs.read_text() + '\n[stream]\ncolumns = ["level", "service", "msg"]\n')
    ticker = root / "streams" / "ticker.toml"
    ticker.write_text(ticker.read_text() + 'template = "{symbol} {price} ({change})"\n')
    return root


@SIZES
def test_columns(snap_compare, collection_dir, size):  # noqa: F811
    async def run_before(pilot) -> None:
        await fill(pilot)
        steady_cursors(pilot.app)

    app = make_app(with_columns(collection_dir))
    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_column_picker(snap_compare, collection_dir):  # noqa: F811
    """`c` on the newest event (a nested JSON error of `logs`): its fields, the columns ticked."""

    async def run_before(pilot) -> None:
        app = await fill(pilot)
        app.query_one("#log").focus()
        await pilot.press("c")
        await pilot.pause(0.3)
        steady_cursors(app)

    app = make_app(with_columns(collection_dir))
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
