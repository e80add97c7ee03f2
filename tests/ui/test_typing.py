"""Typing in a burst, as keys arrive over a slow SSH link: a backspace in the middle of letters
must land where it was typed (Textual runs a widget's bound keys after they bubble to the app,
and the letters typed after them at once: textualize/textual#6605)."""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.widgets import Input, TextArea

from streamdash.core.collections import Collection, load_collection
from streamdash.ui.launch import build_app
from streamdash.ui.screens.dialogs import ConfirmScreen, PasteScreen
from tests.ui.pilot import wait_for

BURST = [("b", "b"), ("a", "a"), ("backspace", None), ("c", "c"), ("left", None), ("x", "x")]


def dashboard(tmp_path: Path, *names: str, kind: str = "rest"):
    """The app on a folder of requests with these names (none of them reachable)."""
    root = tmp_path / "c"
    root.mkdir()
    for name in names:
        (root / f"{name}.toml").write_text(f'name = "{name}"\nkind = "{kind}"\nurl = "http://127.0.0.1:9/{name}"\n')
    return build_app(load_collection(root)), root


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
    app, _ = dashboard(tmp_path, "a", "b", "c", kind="sse")
    async with app.run_test(size=(160, 48)) as pilot:
        app.requests_tree.focus()
        await pilot.pause(0.3)
        assert app.requests_tree.selected.name == "a"
        burst(app, [("down", None), ("enter", None)])
        await pilot.pause(0.5)
        assert [live.name for live in app.session.streams.values()] == ["b"]


async def test_typing_then_ctrl_s_in_a_burst_saves_every_letter(tmp_path: Path):
    app, root = dashboard(tmp_path, "a")
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


async def test_a_name_typed_right_after_r_goes_into_the_rename_prompt(tmp_path: Path):
    """The prompt is pushed at once but focused a moment later: the keys in between were lost,
    so a rename took only the end of the name."""
    app, root = dashboard(tmp_path, "health")
    async with app.run_test(size=(160, 48)) as pilot:
        app.requests_tree.focus()
        await pilot.pause(0.3)
        burst(app, [("r", "r"), *((c, c) for c in "pulse"), ("enter", None)])
        await wait_for(pilot, lambda: app.session.find("pulse") is not None)
    assert [r.name for r in load_collection(root).requests] == ["pulse"]


async def test_dashboard_keys_wait_while_a_dialog_is_on_top(tmp_path: Path):
    """"/" typed into a confirm moved the focus to the filter under it, and the dialog could no
    longer be answered from the keyboard."""
    app, _ = dashboard(tmp_path, "health")
    async with app.run_test(size=(160, 48)) as pilot:
        app.requests_tree.focus()
        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("slash", "p", "f3")
        assert isinstance(app.screen, ConfirmScreen) and app.screen.focused is None
        assert all(c.title not in ("Filter events", "Stop all streams") for c in app.get_system_commands(app.screen))
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is app.screen_stack[0] and app.session.find("health") is not None


async def test_keys_typed_as_the_dashboard_opens_move_the_cursor(tmp_path: Path):
    """The tree put its cursor back on the first request after its first refresh, undoing the
    Down keys typed while it appeared."""
    app, _ = dashboard(tmp_path, "a", "b", "c")
    async with app.run_test(size=(160, 48)) as pilot:
        burst(app, [("down", None), ("down", None)])
        await pilot.pause(0.5)
        assert app.requests_tree.selected.name == "c"


async def test_letters_typed_right_after_slash_go_into_the_filter(tmp_path: Path):
    """Textual hands a key to the widget focused when it reads it: in a burst, the letters after
    "/" went to the tree (the filter was focused only when "/" had bubbled up) and were lost."""
    app, _ = dashboard(tmp_path, "a")
    async with app.run_test(size=(160, 48)) as pilot:
        app.requests_tree.focus()
        await pilot.pause(0.3)
        burst(app, [("slash", "/"), *((c, c) for c in "pay"), ("space", " "), ("e", "e")])
        await pilot.pause(0.5)
        assert app.screen.query_one("#filter-input", Input).value == "pay e"
        assert app.screen is app.screen_stack[0]  # "e" did not open the editor


async def test_a_read_only_text_lets_its_pane_keys_through(tmp_path: Path):
    """The answer's body is a read-only text: its pane's letters (h: headers) still work."""
    from streamdash.core.http.send import ResponseSummary

    app = build_app(Collection(tmp_path, "empty"))
    async with app.run_test(size=(160, 48)) as pilot:
        view = app.response_view
        view.show(ResponseSummary("GET", "http://x/", status=200, headers=(("a", "b"),), body=b"{}"))
        view.query_one("#response-body").focus()
        await pilot.pause()
        await pilot.press("h")
        assert view.query_one("#response-headers").display


async def test_tab_in_a_burst_moves_the_letters_after_it_to_the_next_field(tmp_path: Path):
    """Seen in tmux: "errors", Tab, "level=error" typed fast into the new-alert form all went
    into the name (Textual moves the focus on Tab after the letters queued behind it were given
    to the old field)."""
    from streamdash.ui.screens.alerts import AlertEditScreen

    app = build_app(Collection(tmp_path, "empty"))
    async with app.run_test(size=(160, 48)) as pilot:
        app.push_screen(AlertEditScreen("New alert"))
        await wait_for(pilot, lambda: isinstance(app.screen, AlertEditScreen))
        await pilot.pause(0.6)
        keys = [("a", "a"), ("b", "b"), ("tab", None), ("c", "c"), ("d", "d"), ("tab", None)]
        burst(app, [*keys, ("x", "x"), ("backspace", None), ("e", "e")])
        await pilot.pause(0.5)
        assert app.screen.query_one("#alert-name", Input).value == "ab"
        assert app.screen.query_one("#alert-filter", Input).value == "cd"
        assert app.screen.query_one("#alert-command", Input).value == "e"
