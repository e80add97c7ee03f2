"""A request's description: the tree's tooltip, a dim line above its response, a field of the
editor that is saved to the file (and gone from it when emptied)."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

import streamdash.demo
from streamdash.core.collections import load_collection
from streamdash.core.session import request_id
from streamdash.demo import DemoServer
from streamdash.ui.app import StreamdashApp
from streamdash.ui.launch import build_app
from streamdash.ui.screens.request_editor import RequestEditorScreen
from streamdash.ui.widgets.requests_tree import RequestsTree
from streamdash.ui.widgets.response_view import ResponseView
from tests.ui.pilot import wait_for

DEMO_COLLECTION = Path(streamdash.demo.__file__).parent / "collection"
# Markup, an escape sequence and a line break: shown as text, never as styles or a raw control.
NASTY = 'Checks [bold red]health[/] \x1b[31m\nsecond line'
NASTY_TOML = 'description = "Checks [bold red]health[/] \\u001b[31m\\nsecond line"\n'


@pytest.fixture(scope="module")
def demo():
    with DemoServer(seed=11, time_scale=0.05) as server:
        yield server


@pytest.fixture
def collection_dir(tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    shutil.copytree(DEMO_COLLECTION, root)
    health = root / "api" / "health.toml"
    health.write_text(health.read_text() + NASTY_TOML)
    return root


def make_app(collection_dir: Path, demo: DemoServer) -> StreamdashApp:
    return build_app(load_collection(collection_dir), variables={"base_url": demo.url})


async def show_requests(pilot, app: StreamdashApp, key: str) -> RequestsTree:
    await pilot.press("f2")  # the requests pane, at any width
    tree = app.query_one(RequestsTree)
    tree.focus()
    assert tree.select_key(key), key
    await pilot.pause()
    return tree


async def hover_request(pilot, tree: RequestsTree, key: str) -> None:
    request = tree.session.find(key)
    assert request is not None, key
    node = tree._leaves[request_id(request)]
    region = tree.content_region
    await pilot.hover(None, offset=(region.x + 4, region.y + node.line - int(tree.scroll_y)))
    await pilot.pause()


def test_the_file_reads_the_escaped_description(collection_dir):
    health = next(r for r in load_collection(collection_dir).requests if r.name == "Health")
    assert health.description == NASTY


@pytest.mark.parametrize("size", [(160, 48), (80, 24)], ids=["160x48", "80x24"])
async def test_tooltip_is_the_description_as_plain_text(collection_dir, demo, size):
    app = make_app(collection_dir, demo)
    async with app.run_test(size=size) as pilot:
        tree = await show_requests(pilot, app, "api/Health")
        await hover_request(pilot, tree, "api/Health")
        tip = tree.tooltip
        assert tip is not None
        # the markup is text; ESC is shown as \e; the line break stays a line break
        assert tip.plain == "Checks [bold red]health[/] \\e[31m\nsecond line"
        assert not tip.spans
        await hover_request(pilot, tree, "streams/ticker")
        assert tree.tooltip.plain == "Price updates with increasing ids; resumes from Last-Event-ID."
        await hover_request(pilot, tree, "api/Get item")  # no description: no tooltip
        assert tree.tooltip is None


@pytest.mark.parametrize("size", [(160, 48), (80, 24)], ids=["160x48", "80x24"])
async def test_response_header_shows_the_description_line(collection_dir, demo, size):
    app = make_app(collection_dir, demo)
    async with app.run_test(size=size) as pilot:
        view = app.query_one(ResponseView)
        shown = view.query_one("#response-description")
        assert not shown.display  # no response yet
        await show_requests(pilot, app, "api/Health")
        await pilot.press("enter")
        await wait_for(pilot, lambda: view.summary is not None, what="the response")
        await pilot.pause()
        assert shown.display
        assert str(shown.render()) == "Checks [bold red]health[/] \\e[31m second line"
        # a request without one hides the line
        await show_requests(pilot, app, "api/Get item")
        await pilot.press("enter")
        await wait_for(pilot, lambda: view.summary is not None and "/api/items/" in view.summary.url,
                       what="the second response")
        await pilot.pause()
        assert not shown.display


@pytest.mark.parametrize("size", [(160, 48), (80, 24)], ids=["160x48", "80x24"])
async def test_edit_the_description_save_reload_and_empty_it(collection_dir, demo, size):
    path = collection_dir / "api" / "get-item.toml"
    app = make_app(collection_dir, demo)
    async with app.run_test(size=size) as pilot:
        tree = await show_requests(pilot, app, "api/Get item")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, RequestEditorScreen), what="the editor")
        area = app.screen.query_one("#editor-description")
        assert area.text == ""
        area.focus()
        await pilot.press(*"One item", "enter", *"by its id")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, RequestEditorScreen), what="the save")
        assert tomllib.loads(path.read_text())["description"] == "One item\nby its id"
        assert tree.selected is not None and tree.selected.description == "One item\nby its id"
    # a fresh app reads it back from the file: the editor and the tooltip show it
    app = make_app(collection_dir, demo)
    async with app.run_test(size=size) as pilot:
        tree = await show_requests(pilot, app, "api/Get item")
        await hover_request(pilot, tree, "api/Get item")
        assert tree.tooltip is not None and tree.tooltip.plain == "One item\nby its id"
        await show_requests(pilot, app, "api/Get item")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, RequestEditorScreen), what="the editor")
        area = app.screen.query_one("#editor-description")
        assert area.text == "One item\nby its id"
        area.text = "  \n "  # only blanks: no description
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, RequestEditorScreen), what="the save")
    assert "description" not in tomllib.loads(path.read_text())
    again = next(r for r in load_collection(collection_dir).requests if r.name == "Get item")
    assert again.description == ""


async def test_the_editor_shows_controls_escaped_and_keeps_an_untouched_description(collection_dir, demo):
    path = collection_dir / "api" / "health.toml"
    app = make_app(collection_dir, demo)
    async with app.run_test(size=(160, 48)) as pilot:
        await show_requests(pilot, app, "api/Health")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, RequestEditorScreen), what="the editor")
        area = app.screen.query_one("#editor-description")
        assert area.text == "Checks [bold red]health[/] \\e[31m\nsecond line"  # no raw ESC
        app.screen.query_one("#editor-url").value += "?deep=1"  # another field changes
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, RequestEditorScreen), what="the save")
    saved = tomllib.loads(path.read_text())
    assert saved["url"].endswith("?deep=1")
    assert saved["description"] == NASTY  # the file's text, not the escaped view of it
