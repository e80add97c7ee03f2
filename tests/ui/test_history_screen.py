"""History as a person uses it: F7 lists this collection's sends; Enter opens one as kept
(masked); `s` there sends it again; Space marks one and D compares it with another send of the
same request; `a` shows every collection, with a column naming each. httpbin's /uuid answers
differently every time, so the diff has something to show."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import DataTable

from streamdash.core.collections import load_collection
from streamdash.core.history import History
from streamdash.ui.app import StreamdashApp
from streamdash.ui.launch import build_app
from streamdash.ui.screens.history import DiffScreen, HistoryEntryScreen, HistoryScreen
from tests.ui.pilot import send_request, wait_for


def collection(root: Path, url: str) -> Path:
    root.mkdir(parents=True)
    (root / "collection.toml").write_text(f'name = "{root.name}"\n[variables]\nbase_url = "{url}"\n')
    (root / "uuid.toml").write_text('name = "uuid"\nurl = "{{base_url}}/uuid"\n')
    (root / "secret.toml").write_text(
        'name = "secret"\nurl = "{{base_url}}/anything"\nheaders = { X-Api-Key = "{{api_key}}" }\n')
    (root / ".secrets.toml").write_text('[variables]\napi_key = "k-s3cr3t-999"\n')
    return root


async def send(pilot, app: StreamdashApp, key: str) -> None:
    await send_request(pilot, app, key)


async def open_history(pilot, app: StreamdashApp) -> HistoryScreen:
    await pilot.press("f7")
    await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen), what="the history")
    await pilot.pause()
    return app.screen


@pytest.mark.parametrize("size", [(160, 48), (80, 24)], ids=["160x48", "80x24"])
async def test_open_diff_and_send_again(tmp_path, httpbin, size):
    other = collection(tmp_path / "other", httpbin.url)
    root = collection(tmp_path / "shop", httpbin.url)
    history_dir = tmp_path / "state"
    # A send of another collection, in the same history file.
    async with build_app(load_collection(other), history_dir=history_dir).run_test(size=size) as pilot:
        await send(pilot, pilot.app, "uuid")
    app = build_app(load_collection(root), history_dir=history_dir)
    async with app.run_test(size=size) as pilot:
        await send(pilot, app, "uuid")
        await send(pilot, app, "secret")
        await send(pilot, app, "uuid")
        screen = await open_history(pilot, app)
        assert [e.name for e in screen.entries] == ["uuid", "secret", "uuid"]  # this collection's only

        # Enter on the secret send: the kept answer, its key masked (httpbin echoed it back).
        screen.query_one(DataTable).move_cursor(row=1)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryEntryScreen), what="the entry")
        text = app.screen.query_one("#history-entry-text").text
        assert text.startswith(f"GET {httpbin.url}/anything") and "\n200 OK\n" in text
        assert '"X-Api-Key"' in text and "k-s3cr3t-999" not in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen), what="back")

        # Mark the newest uuid, D on the oldest: the uuid line differs.
        screen.query_one(DataTable).move_cursor(row=0)
        await pilot.press("space")
        await pilot.pause()
        await pilot.press("down")  # the secret send: another request, refused in one line
        await pilot.press("D")
        await pilot.pause()
        assert "different requests" in str(screen.query_one("#history-status").render())
        await pilot.press("down", "D")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffScreen), what="the diff")
        lines = app.screen.lines
        first, second = (json.loads(e.response_body)["uuid"] for e in (screen.entries[2], screen.entries[0]))
        assert f'-  "uuid": "{first}"' in lines and f'+  "uuid": "{second}"' in lines
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen), what="back")

        # a: every collection, with a column naming it.
        await pilot.press("a")
        await pilot.pause()
        assert len(screen.entries) == 4
        table = screen.query_one(DataTable)
        assert [str(c.label) for c in table.columns.values()][2] == "Collection"
        assert {str(table.get_row_at(i)[2]) for i in range(4)} == {"shop", "other"}
        await pilot.press("a")
        await pilot.pause()

        # Open the oldest uuid send and send it again from there.
        screen.query_one(DataTable).move_cursor(row=2)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryEntryScreen), what="the entry")
        await pilot.press("s")
        await wait_for(pilot, lambda: len(History(history_dir).entries()) == 5, what="sent again")
        assert not isinstance(app.screen, (HistoryScreen, HistoryEntryScreen))


async def test_the_title_names_the_collection_as_the_other_screens_do(tmp_path, httpbin):
    """Found in tmux: an imported "Shop API" in folder shop read "History of shop"."""
    root = collection(tmp_path / "shop", httpbin.url)
    (root / "collection.toml").write_text(f'name = "Shop API"\n[variables]\nbase_url = "{httpbin.url}"\n')
    app = build_app(load_collection(root), history_dir=tmp_path / "state")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_history(pilot, app)
        assert str(screen.query_one("#history-title").render()).startswith("History of Shop API: 0 sends")


async def test_one_send_is_one_send(tmp_path, httpbin):
    """Found in tmux on the demo: "History of streamdash demo: 1 sends"."""
    root = collection(tmp_path / "shop", httpbin.url)
    app = build_app(load_collection(root), history_dir=tmp_path / "state")
    async with app.run_test(size=(120, 36)) as pilot:
        await send(pilot, app, "uuid")
        screen = await open_history(pilot, app)
        assert str(screen.query_one("#history-title").render()).startswith("History of shop: 1 send, newest first")
