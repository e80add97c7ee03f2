"""The REST side in the app: environments, masked secrets, curl in and out, history."""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import pytest

import streamdash.demo
from streamdash.core.collections import load_collection
from streamdash.core.history import History
from streamdash.demo import DemoServer
from streamdash.ui.launch import build_app
from streamdash.ui.screens.dialogs import CarefulConfirmScreen, PasteScreen, PromptScreen
from streamdash.ui.widgets.requests_tree import RequestsTree
from streamdash.ui.widgets.response_view import ResponseView
from tests.ui.pilot import pick_environment, wait_for

DEMO_COLLECTION = Path(streamdash.demo.__file__).parent / "collection"


@pytest.fixture(scope="module")
def demo():
    with DemoServer(seed=13, time_scale=0.05) as server:
        yield server


@pytest.fixture
def collection_dir(tmp_path: Path, demo) -> Path:
    root = tmp_path / "demo"
    shutil.copytree(DEMO_COLLECTION, root)
    (root / "env").mkdir()
    (root / "env" / "local.toml").write_text(f'[variables]\nbase_url = "{demo.url}"\n')
    (root / "env" / "prod.toml").write_text('production = true\n[variables]\nbase_url = "http://127.0.0.1:9"\n')
    return root


async def send_selected(pilot, app, key):
    tree = app.query_one(RequestsTree)
    tree.focus()
    assert tree.select_key(key)
    await pilot.pause()
    view = app.query_one(ResponseView)
    view.summary = None
    await pilot.press("enter")
    await wait_for(pilot, lambda: view.summary is not None)
    return view


async def test_environments_switch_variables_and_mark_production(collection_dir, tmp_path):
    app = build_app(load_collection(collection_dir), history_dir=tmp_path / "history")
    async with app.run_test(size=(160, 48)) as pilot:
        assert app.sub_title.endswith("no environment")
        await pick_environment(pilot, "local")
        assert app.session.env_name == "local" and "env: local" in app.sub_title
        view = await send_selected(pilot, app, "api/Health")
        assert view.summary.status == 200
        # Production asks first, and Enter (a second press of the key that chose it) says no.
        await pick_environment(pilot, "prod")
        assert isinstance(app.screen, CarefulConfirmScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.env_name == "local"
        assert app.screen is app.screen_stack[0]  # "no" closes the list too: nothing half-chosen
        await pick_environment(pilot, "prod")
        await pilot.press("y")
        await pilot.pause()
        assert app.session.env_name == "prod" and "PRODUCTION" in app.sub_title
        assert app.screen.has_class("-production")
        view = await send_selected(pilot, app, "api/Health")
        assert view.summary.status is None and view.summary.error == "connection refused"
    entries = History(tmp_path / "history").entries()
    assert [e.status for e in entries] == [None, 200]


async def test_response_secrets_masked_until_revealed(collection_dir, demo):
    (collection_dir / "api" / "cookie.toml").write_text(
        'name = "Cookie"\nurl = "{{base_url}}/api/health"\n[headers]\nX-Api-Key = "key-1234567890abcdef"\n'
    )
    app = build_app(load_collection(collection_dir), variables={"base_url": demo.url})
    async with app.run_test(size=(160, 48)) as pilot:
        view = await send_selected(pilot, app, "api/Cookie")
        from streamdash.core.http.send import ResponseSummary

        secret = ResponseSummary("GET", "http://x/", status=200, reason="OK",
                                 headers=(("Set-Cookie", "sid=abcdefghijklmnopqrstuvwxyz; Path=/"),))
        view.show(secret, "Cookie")
        view.query_one("#response-body").focus()
        await pilot.press("h")
        shown = str(view.query_one("#response-headers").render())
        assert "abcdefghijklmnopqrstuvwxyz" not in shown and "sid=" in shown
        await pilot.press("v")
        await pilot.pause()
        assert app.focused is view.query_one("#response-body"), app.focused
        assert "abcdefghijklmnopqrstuvwxyz" in str(view.query_one("#response-headers").render())


async def test_a_token_in_an_answer_is_masked_on_screen_until_revealed(collection_dir, demo):
    """A token endpoint called as a plain REST request answers with a fresh `access_token`: the
    history masked it, the response pane showed it to whoever looks over the shoulder."""
    from streamdash.core.http.send import ResponseSummary

    app = build_app(load_collection(collection_dir), variables={"base_url": demo.url})
    async with app.run_test(size=(160, 48)) as pilot:
        view = await send_selected(pilot, app, "api/Health")
        body = b'{"access_token": "tok-abcdef0123456789", "token_type": "bearer", "expires_in": 60}'
        answer = ResponseSummary("POST", "http://x/token", status=200, reason="OK",
                                 headers=(("Content-Type", "application/json"),), body=body)
        view.show(answer, "Token")
        await pilot.pause()
        view.query_one("#response-body").focus()
        shown = view.query_one("#response-body").text
        assert "tok-abcdef0123456789" not in shown and '"token_type": "bearer"' in shown
        await pilot.press("v")
        await pilot.pause()
        assert "tok-abcdef0123456789" in view.query_one("#response-body").text


async def test_import_curl_then_copy_it_back(collection_dir, demo):
    app = build_app(load_collection(collection_dir), variables={"base_url": demo.url})
    async with app.run_test(size=(160, 48)) as pilot:
        tree = app.query_one(RequestsTree)
        tree.focus()
        tree.select_key("api/Health")
        await pilot.pause()
        app.requests_tree.action_import_curl()
        await wait_for(pilot, lambda: isinstance(app.screen, PasteScreen))
        await pilot.pause()
        command = f"curl -X POST '{demo.url}/api/items' -H 'Content-Type: application/json' -d '{{\"name\": \"$5 widget\", \"price\": 5}}'"
        app.screen.query_one("#paste-text").load_text(command)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: any(r.method == "POST" and "$5 widget" in (r.body or "") for r in app.session.collection.requests))
        saved = next(r for r in app.session.collection.requests if r.body and "$5 widget" in r.body)
        assert saved.path is not None and saved.path.parent == collection_dir / "api"
        assert tomllib.loads(saved.path.read_text())["method"] == "POST"
        view = await send_selected(pilot, app, "/".join((*saved.group, saved.name)))
        assert view.summary.status == 201 and json.loads(view.body_text)["name"] == "$5 widget"
        app.requests_tree.action_copy_curl()
        assert app.clipboard.startswith("curl ") and "$5 widget" in app.clipboard
        # A line that is not curl says why and writes nothing.
        before = sorted(p.name for p in (collection_dir / "api").iterdir())
        app.requests_tree.action_import_curl()
        await wait_for(pilot, lambda: isinstance(app.screen, PasteScreen))
        await pilot.pause()
        app.screen.query_one("#paste-text").load_text("wget http://example.com")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert sorted(p.name for p in (collection_dir / "api").iterdir()) == before
        assert any("curl" in n.message for n in app._notifications)


async def test_history_lists_sends_and_sends_again(collection_dir, tmp_path, demo):
    from streamdash.ui.screens.history import HistoryScreen

    app = build_app(load_collection(collection_dir), variables={"base_url": demo.url},
                        history_dir=tmp_path / "h")
    async with app.run_test(size=(160, 48)) as pilot:
        await send_selected(pilot, app, "api/Health")
        await send_selected(pilot, app, "api/Get item")
        await pilot.press("f7")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen))
        await pilot.pause()
        assert [e.name for e in app.screen.entries] == ["Get item", "Health"]
        view = app.query_one(ResponseView)
        view.summary = None
        await pilot.press("down", "s")  # the older one, Health, sent again
        await wait_for(pilot, lambda: view.summary is not None)
        assert view.summary.url.endswith("/api/health")
    assert len(History(tmp_path / "h").entries()) == 3


async def test_replay_in_the_app_shows_progress_and_pass_fail(collection_dir, demo):
    from streamdash.ui.screens.run import RunScreen

    (collection_dir / "api" / "flaky-api.toml").write_text(
        'name = "Flaky endpoint"\nurl = "{{base_url}}/api/flaky"\n[query]\nfail = "500"\n'
    )
    app = build_app(load_collection(collection_dir), variables={"base_url": demo.url})
    async with app.run_test(size=(160, 48)) as pilot:
        app.action_run_collection()
        await wait_for(pilot, lambda: isinstance(app.screen, RunScreen) and app.screen.finished)
        screen = app.screen
        verdicts = {r.name: r.passed for r in screen.results}
        assert verdicts["Flaky endpoint"] is False and verdicts["Health"] is True
        assert screen.query_one("ProgressBar").percentage == 1.0
        assert "1 failed" in str(screen.query_one("#run-title").render())
        await pilot.press("escape")


async def test_import_an_http_file_with_its_variables(collection_dir, demo, tmp_path):
    http_file = tmp_path / "orders.http"
    http_file.write_text(
        f"@host = {demo.url}\n\n### Health check\nGET {{{{host}}}}/api/health\n\n"
        "### Create\nPOST {{host}}/api/items\nContent-Type: application/json\n\n"
        '{"name": "from .http", "price": 1}\n'
    )
    app = build_app(load_collection(collection_dir))
    async with app.run_test(size=(160, 48)) as pilot:
        app.requests_tree.action_import_http_file()
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
        await pilot.pause()
        app.screen.query_one("#prompt-input").value = str(http_file)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "orders" in app.session.environments)
        assert app.session.environments["orders"].variables == {"host": demo.url}
        names = {r.name for r in app.session.collection.requests}
        assert {"Health check", "Create"} <= names
        app.session.use_environment("orders")
        view = await send_selected(pilot, app, "Health check")
        assert view.summary.status == 200


async def test_editor_auth_form_keeps_secrets_out_of_the_file(tmp_path, raw_server, monkeypatch):
    from textual.widgets import Input, Select

    from streamdash.ui.screens.request_editor import RequestEditorScreen
    from tests.helpers.raw_server import Conn

    seen: list[str | None] = []

    async def handler(conn: Conn) -> None:
        seen.append(conn.request.header("Authorization"))
        await conn.start(content_type="application/json")
        await conn.send(b'{"ok": true}')
        await conn.end()

    raw_server.handler = handler
    monkeypatch.setenv("API_TOKEN", "s3cret-token")
    root = tmp_path / "coll"
    root.mkdir()
    (root / "me.toml").write_text(f'name = "me"\nurl = "{raw_server.url}/me"\n')
    app = build_app(load_collection(root))
    async with app.run_test(size=(160, 48)) as pilot:
        tree = app.query_one(RequestsTree)
        tree.focus()
        assert tree.select_key("me")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, RequestEditorScreen))
        editor = app.screen
        assert not editor.query_one("#editor-auth-secret").display  # collection default: no fields
        editor.query_one("#editor-auth", Select).value = "bearer"
        await pilot.pause()
        secret = editor.query_one("#editor-auth-secret", Input)
        assert secret.display and secret.password  # masked on screen
        assert not editor.query_one("#editor-auth-user").display
        secret.value = "s3cret-token"
        await pilot.press("ctrl+s")
        await pilot.pause()
        error = str(editor.query_one("#editor-error").render())
        assert error.startswith("auth token: give a placeholder such as {{env:API_TOKEN}}")
        assert "s3cret" not in (root / "me.toml").read_text()
        secret.value = "{{env:API_TOKEN}}"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, RequestEditorScreen))
        saved = tomllib.loads((root / "me.toml").read_text())
        assert saved["auth"] == {"type": "bearer", "token": "{{env:API_TOKEN}}"}
        await send_selected(pilot, app, "me")
        assert seen == ["Bearer s3cret-token"]  # the placeholder's value reached the server only

        # Back to the collection default: the [auth] table goes.
        assert tree.select_key("me")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, RequestEditorScreen))
        assert app.screen.query_one("#editor-auth", Select).value == "bearer"
        app.screen.query_one("#editor-auth", Select).value = "default"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, RequestEditorScreen))
    assert "auth" not in tomllib.loads((root / "me.toml").read_text())


async def test_a_pasted_curl_with_a_token_says_where_the_token_went(collection_dir, demo):
    """The paste dialog's import: the request file has a {{variable}}, the git-ignored secrets
    file the token, the notification says so in one line, and copy as curl gives it back."""
    from streamdash.core.collections.secret_values import SECRETS_FILE

    app = build_app(load_collection(collection_dir), variables={"base_url": demo.url})
    async with app.run_test(size=(160, 48)) as pilot:
        app.requests_tree.action_import_curl()
        await wait_for(pilot, lambda: isinstance(app.screen, PasteScreen))
        await pilot.pause()
        app.screen.query_one("#paste-text").load_text(
            f"curl '{demo.url}/api/health' -H 'Authorization: Bearer pasted-token-0123456789'")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: (collection_dir / SECRETS_FILE).exists())
        await pilot.pause()
        saved = next(r for r in app.session.collection.requests if "Authorization" in dict(r.headers))
        assert "pasted-token" not in saved.path.read_text() and "{{authorization}}" in saved.path.read_text()
        assert "pasted-token-0123456789" in (collection_dir / SECRETS_FILE).read_text()
        assert SECRETS_FILE in (collection_dir / ".gitignore").read_text().splitlines()
        (message,) = [n.message for n in app._notifications if SECRETS_FILE in n.message]
        assert "\n" not in message and "1 credential moved" in message
        tree = app.query_one(RequestsTree)
        tree.focus()
        assert tree.select_key("/".join((*saved.group, saved.name)))
        await pilot.pause()
        app.requests_tree.action_copy_curl()
        assert "Bearer pasted-token-0123456789" in app.clipboard
