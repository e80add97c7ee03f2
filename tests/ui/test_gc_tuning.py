"""The app freezes start-up's objects and raises the GC thresholds while it runs, and gives both
back when it exits (the test process runs many apps: nothing may pile up in the frozen set)."""

from __future__ import annotations

import gc

from streamdash.core import gctune
from streamdash.ui.launch import build_app
from tests.ui.test_app_evidence import one_stream


async def test_gc_is_tuned_while_running_and_restored_after(tmp_path):
    before = gc.get_threshold()
    app = build_app(one_stream(tmp_path, "http://127.0.0.1:9/never"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert gc.get_threshold() == gctune.THRESHOLDS
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
