"""gctune: the settings apply, undo restores them, and cycles are still freed."""

from __future__ import annotations

import gc
import weakref

from streamdash.core import gctune


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def test_tune_freezes_raises_thresholds_and_undo_restores() -> None:
    before = gc.get_threshold()
    frozen_before = gc.get_freeze_count()
    old = gctune.tune_after_start_up((12_345, 7, 9))
    try:
        assert old == before
        assert gc.get_threshold() == (12_345, 7, 9)
        assert gc.get_freeze_count() > frozen_before
    finally:
        gctune.undo(old)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_cycles_made_after_tuning_are_still_collected() -> None:
    old = gctune.tune_after_start_up()
    try:
        a, b = Node(), Node()
        a.other, b.other = b, a
        ref = weakref.ref(a)
        del a, b
        gc.collect()
        assert ref() is None
    finally:
        gctune.undo(old)
