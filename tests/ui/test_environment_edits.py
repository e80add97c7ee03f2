"""Environments and variables edited in the app, as a person does it: E, a, a name and variables
(a token typed literally among them), Ctrl+S; choose it and send; edit it while a request uses
it; edit the collection's own variables from "no environment"; delete it. Against httpbin (from
PyPI) on 127.0.0.1, so what the request sent is what the server echoes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from streamdash.core.collections import load_collection
from streamdash.ui.app import StreamdashApp
from streamdash.ui.launch import build_app
from streamdash.ui.screens.environments import EnvironmentEditScreen, EnvironmentScreen
from streamdash.ui.widgets.response_view import ResponseView
from tests.ui.pilot import notes, select, send_request, wait_for


@pytest.fixture
def root(tmp_path: Path, httpbin) -> Path:
    root = tmp_path / "c"
    root.mkdir()
    (root / "collection.toml").write_text(f'name = "shop"\n\n[variables]\nbase_url = "{httpbin.url}"\n')
    (root / "echo.toml").write_text(
        'name = "echo"\nurl = "{{base_url}}/anything/{{region}}"\nheaders = { X-Token = "{{token}}" }\n'
    )
    return root


def status(app: StreamdashApp) -> str:
    """The response pane's status line, where a request that cannot be sent says why."""
    return str(app.query_one("#response-status").render())


async def send(pilot, app: StreamdashApp) -> dict:
    return json.loads((await send_request(pilot, app, "echo")).body)


async def open_environments(pilot, app: StreamdashApp) -> EnvironmentScreen:
    await pilot.press("escape")  # out of any pane's input
    await pilot.press("E")
    await wait_for(pilot, lambda: isinstance(app.screen, EnvironmentScreen), what="the environments")
    return app.screen


async def type_into(pilot, app: StreamdashApp, selector: str, text: str) -> None:
    widget = app.screen.query_one(selector)
    widget.focus()
    await pilot.pause()
    if hasattr(widget, "clear"):
        widget.clear()
    await pilot.press(*["enter" if ch == "\n" else ch for ch in text])


@pytest.mark.parametrize("size", [(160, 48), (80, 24)], ids=["160x48", "80x24"])
async def test_create_use_edit_and_delete_an_environment(root, httpbin, size):
    app = build_app(load_collection(root))
    async with app.run_test(size=size) as pilot:
        # Before: the variables are missing, and nothing defines them yet.
        await select(pilot, app, "echo")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "unknown variable 'region'" in status(app), what="a refusal")
        assert "defined in" not in status(app)

        # E works in a collection with no environments: it is where one is made.
        await open_environments(pilot, app)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, EnvironmentEditScreen), what="the editor")
        await type_into(pilot, app, "#environment-name", "staging")
        await type_into(pilot, app, "#environment-variables", "region = eu\ntoken = s3cr3t-tok\n")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, EnvironmentScreen), what="back to the list")
        env_file = (root / "env" / "staging.toml").read_text()
        assert "s3cr3t-tok" not in env_file and "{{staging_token}}" in env_file
        assert "s3cr3t-tok" in (root / ".secrets.toml").read_text()
        assert any("secrets moved to .secrets.toml" in n for n in notes(app))

        # The missing variable now names the environment that defines it.
        await pilot.press("escape")
        await pilot.pause()
        await select(pilot, app, "echo")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "(defined in environment staging; in use: none)" in status(app),
                       what="the hint")

        # Choose it; the request goes out with its values.
        screen = await open_environments(pilot, app)
        screen.query_one("#environment-list").highlighted = 1
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.session.env_name == "staging", what="staging in use")
        echoed = await send(pilot, app)
        assert echoed["url"].endswith("/anything/eu") and echoed["headers"]["X-Token"] == "s3cr3t-tok"
        assert "s3cr3t-tok" not in app.query_one(ResponseView).body_text  # masked

        # Edit the one in use: the next send has the new value.
        screen = await open_environments(pilot, app)
        screen.query_one("#environment-list").highlighted = 1
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, EnvironmentEditScreen), what="the editor")
        shown = app.screen.query_one("#environment-variables").text
        assert "s3cr3t-tok" not in shown  # the file's reference, never the secret
        await type_into(pilot, app, "#environment-variables", shown.replace("region = eu", "region = us"))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, EnvironmentScreen), what="back to the list")
        await pilot.press("escape")
        await pilot.pause()
        assert (await send(pilot, app))["url"].endswith("/anything/us")

        # A bad line keeps the editor open with one line saying why.
        screen = await open_environments(pilot, app)
        screen.query_one("#environment-list").highlighted = 1
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, EnvironmentEditScreen), what="the editor")
        await type_into(pilot, app, "#environment-variables", "just words\n")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, EnvironmentEditScreen)
        assert "line 1: want name = value" in str(app.screen.query_one("#environment-error").render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, EnvironmentScreen), what="back to the list")

        # Delete it (asked first): in use, so the session goes back to no environment.
        app.screen.query_one("#environment-list").highlighted = 1
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await wait_for(pilot, lambda: app.session.env_name is None, what="no environment")
        assert not (root / "env" / "staging.toml").exists()
        await pilot.press("escape")


async def test_the_collections_variables_from_no_environment(root, httpbin):
    app = build_app(load_collection(root))
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_environments(pilot, app)
        screen.query_one("#environment-list").highlighted = 0
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, EnvironmentEditScreen), what="the editor")
        await type_into(pilot, app, "#environment-variables",
                        f"base_url = {httpbin.url}\nregion = ap\ntoken = {{{{env:SD_NOT_SET_TOKEN}}}}\n")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, EnvironmentScreen), what="back to the list")
        await pilot.press("escape")
        text = (root / "collection.toml").read_text()
        assert 'region = "ap"' in text and 'token = "{{env:SD_NOT_SET_TOKEN}}"' in text
        assert app.session.collection.variables["region"] == "ap"


async def test_an_environment_added_on_disk_while_the_app_runs_is_listed(root):
    app = build_app(load_collection(root))
    async with app.run_test(size=(120, 36)) as pilot:
        (root / "env").mkdir()
        (root / "env" / "late.toml").write_text('[variables]\nregion = "x"\n')
        await open_environments(pilot, app)
        assert list(app.session.environments) == ["late"]
        assert "late" in str(app.screen.query_one("#environment-list").get_option_at_index(1).prompt)
