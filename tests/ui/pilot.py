"""Driving the dashboard as a person does: wait for what shows, pick a request, run a palette
command by typing its name, read the notifications."""

from __future__ import annotations

from collections.abc import Callable

from textual.command import CommandPalette

from streamdash.ui.app import StreamdashApp
from streamdash.ui.screens.environments import EnvironmentScreen
from streamdash.ui.widgets.requests_tree import RequestsTree


async def wait_for(pilot, condition: Callable[[], object], timeout: float = 10.0, what: str = "") -> None:
    waited = 0.0
    while not condition():
        await pilot.pause(0.05)
        waited += 0.05
        if waited > timeout:
            raise AssertionError(f"condition not met in time{': ' + what if what else ''}")


async def select(pilot, app: StreamdashApp, key: str) -> None:
    tree = app.query_one(RequestsTree)
    tree.focus()
    assert tree.select_key(key), key
    await pilot.pause()


async def palette(pilot, title: str) -> None:
    """Ctrl+P, type the command's name, Enter: what a person does."""
    app = pilot.app
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), what="the palette")
    await pilot.press(*title)
    await pilot.pause(0.3)  # the palette searches as it is typed
    await pilot.press("enter")
    await wait_for(pilot, lambda: not isinstance(app.screen, CommandPalette), what="the palette to close")
    await pilot.pause()


def notes(app: StreamdashApp, title: str | None = None) -> list[str]:
    return [n.message for n in app._notifications if title is None or n.title == title]


async def pick_environment(pilot, name: str | None) -> None:
    """F6 opens the picker (never a cycle); the cursor goes to `name` and Enter chooses it."""
    app = pilot.app
    await pilot.press("f6")
    await wait_for(pilot, lambda: isinstance(app.screen, EnvironmentScreen))
    listing = app.screen.query_one("#environment-list")
    names = [None, *app.session.environments]
    listing.highlighted = names.index(name)
    await pilot.press("enter")
    await pilot.pause()


async def send_request(pilot, app: StreamdashApp, key: str):
    """Pick the request, Enter, and wait for its answer in the response pane (the summary)."""
    from streamdash.ui.widgets.response_view import ResponseView

    view = app.query_one(ResponseView)
    before = view.summary
    await select(pilot, app, key)
    await pilot.press("enter")
    await wait_for(pilot, lambda: view.summary is not before and view.summary is not None, what=f"{key} answered")
    return view.summary
