"""Cookies as a person meets them in the app: a login's cookie shows in the response line and in
the cookies screen (K, or the palette), masked until `v`; `d` deletes one and the next send goes
without it; `X` asks, then empties the jar. Against httpbin (from PyPI) on 127.0.0.1."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest

from streamdash.core.collections import load_collection
from streamdash.ui.app import StreamdashApp
from streamdash.ui.launch import build_app
from streamdash.ui.screens.cookies import CookiesScreen
from tests.helpers.httpbin_server import HttpbinServer
from tests.ui.pilot import palette, send_request, wait_for


@pytest.fixture
def collection_dir(tmp_path: Path) -> Path:
    root = tmp_path / "c"
    root.mkdir()
    (root / "collection.toml").write_text('name = "shop"\n')
    (root / "login.toml").write_text('name = "login"\nurl = "{{base_url}}/cookies/set?session=s3cr3tvalue&theme=dark"\n')
    (root / "whoami.toml").write_text('name = "whoami"\nurl = "{{base_url}}/cookies"\n')
    return root


def make_app(collection_dir: Path, httpbin: HttpbinServer) -> StreamdashApp:
    return build_app(load_collection(collection_dir), variables={"base_url": httpbin.url})


def screen_text(app: StreamdashApp) -> str:
    """What the screen shows, as text to search (the screenshot's SVG, its spaces made spaces)."""
    return html.unescape(app.export_screenshot()).replace("\xa0", " ")


async def send(pilot, app: StreamdashApp, key: str) -> dict:
    return json.loads((await send_request(pilot, app, key)).body)


@pytest.mark.parametrize("size", [(160, 48), (80, 24)], ids=["160x48", "80x24"])
async def test_see_reveal_and_delete_a_cookie(collection_dir, httpbin, size):
    app = make_app(collection_dir, httpbin)
    async with app.run_test(size=size) as pilot:
        answer = await send(pilot, app, "login")
        assert answer["cookies"] == {"session": "s3cr3tvalue", "theme": "dark"}
        status = str(app.query_one("#response-status").render())
        assert "sent 2 cookies from the jar (session, theme)" in status

        await pilot.press("K")
        await wait_for(pilot, lambda: isinstance(app.screen, CookiesScreen), what="the cookies screen")
        shot = screen_text(app)
        assert "session" in shot and "s3cr3tvalue" not in shot and "(11 chars)" in shot
        await pilot.press("v")
        await pilot.pause()
        assert "s3cr3tvalue" in screen_text(app)
        await pilot.press("v", "d")  # the cursor is on the first row: session
        await pilot.pause()
        assert [e.name for e in app.screen.entries] == ["theme"]
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, CookiesScreen), what="closed")

        assert (await send(pilot, app, "whoami"))["cookies"] == {"theme": "dark"}


async def test_delete_all_asks_first_and_the_palette_opens_it(collection_dir, httpbin):
    app = make_app(collection_dir, httpbin)
    async with app.run_test(size=(120, 36)) as pilot:
        await send(pilot, app, "login")
        await palette(pilot, "Cookies")
        await wait_for(pilot, lambda: isinstance(app.screen, CookiesScreen), what="the cookies screen")
        await pilot.press("X")
        await pilot.pause()
        await pilot.press("n")  # no: nothing deleted
        await pilot.pause()
        assert len(app.session.executor.cookies) == 2
        await pilot.press("X")
        await pilot.pause()
        await pilot.press("y")
        await wait_for(pilot, lambda: len(app.session.executor.cookies) == 0, what="the jar emptied")
        assert "deleted 2 cookies: the jar is empty" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert (await send(pilot, app, "whoami"))["cookies"] == {}
