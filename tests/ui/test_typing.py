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


async def test_down_then_enter_in_a_burst_runs_the_request_moved_to(tmp_path: Path):
    """A priority Enter ran before the Down typed ahead of it had moved the cursor: in a burst,
    the request above the one chosen was sent (or started, or stopped)."""
    root = tmp_path / "c"
    root.mkdir()
    for name in ("a", "b", "c"):
        (root / f"{name}.toml").write_text(f'name = "{name}"\nkind = "sse"\nurl = "http://127.0.0.1:9/{name}"\n')
    from streamdash.core.collections import load_collection

    app = build_app(load_collection(root))
    async with app.run_test(size=(160, 48)) as pilot:
        app.requests_tree.focus()
        await pilot.pause(0.3)
        assert app.requests_tree.selected.name == "a"
        burst(app, [("down", None), ("enter", None)])
        await pilot.pause(0.5)
        assert [live.name for live in app.session.streams.values()] == ["b"]


async def test_typing_then_ctrl_s_in_a_burst_saves_every_letter(tmp_path: Path):
    root = tmp_path / "c"
    root.mkdir()
    (root / "a.toml").write_text('name = "a"\nurl = "http://127.0.0.1:9/a"\n')
    from streamdash.core.collections import load_collection

    app = build_app(load_collection(root))
    async with app.run_test(size=(160, 48)) as pilot:
        app.requests_tree.focus()
        await pilot.press("e")
        await pilot.pause(0.3)
        url = app.screen.query_one("#editor-url", Input)
        url.focus()
        await pilot.pause()
        burst(app, [("end", None), *((c, c) for c in "/xyz"), ("ctrl+s", None)])
        await pilot.pause(0.5)
    assert load_collection(root).requests[0].url == "http://127.0.0.1:9/a/xyz"
