"""Typing in a burst, as keys arrive over a slow SSH link: a backspace in the middle of letters
must land where it was typed (Textual runs a widget's bound keys after they bubble to the app,
and the letters typed after them at once: textualize/textual#6605)."""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.widgets import Input, TextArea

from streamdash.core.collections import Collection
from streamdash.ui.launch import build_app
from streamdash.ui.screens.dialogs import PasteScreen
from tests.ui.pilot import wait_for

BURST = [("b", "b"), ("a", "a"), ("backspace", None), ("c", "c"), ("left", None), ("x", "x")]


def burst(app, keys=BURST) -> None:
    for key, character in keys:  # all at once, no pause between them
        app.post_message(events.Key(key, character))


async def test_a_burst_into_the_filter_keeps_its_order(tmp_path: Path):
    app = build_app(Collection(tmp_path, "empty"))
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("slash")
        burst(app)
        await pilot.pause(0.3)
        assert app.screen.query_one("#filter-input", Input).value == "bxc"


async def test_a_burst_into_a_text_box_keeps_its_order(tmp_path: Path):
    app = build_app(Collection(tmp_path, "empty"))
    async with app.run_test(size=(160, 48)) as pilot:
        app.push_screen(PasteScreen("paste"))
        await wait_for(pilot, lambda: isinstance(app.screen, PasteScreen))
        burst(app)
        await pilot.pause(0.3)
        assert app.screen.query_one(TextArea).text == "bxc"
