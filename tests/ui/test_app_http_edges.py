"""HTTP edges as the app meets them: what a send cannot do is one line in the response pane or one
notification, and the app keeps running (issue 10 items 4, 5 and 11)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from streamdash.core.collections import load_collection
from streamdash.ui.launch import build_app
from streamdash.ui.widgets.response_view import ResponseView
from tests.core.http.auth_app import PASSWORD, USER, AuthServer
from tests.ui.pilot import select, wait_for


@pytest.fixture(scope="module")
def auth_server():
    server = AuthServer().start()
    try:
        yield server
    finally:
        server.stop()


def collection(root: Path, base_url: str, requests: dict[str, str]) -> Path:
    root.mkdir()
    (root / "collection.toml").write_text(f'name = "edges"\n[variables]\nbase_url = "{base_url}"\n')
    for name, text in requests.items():
        (root / f"{name}.toml").write_text(f'name = "{name}"\n{text}')
    return root


async def send(pilot, app, key: str) -> ResponseView:
    await select(pilot, app, key)
    view = app.query_one(ResponseView)
    view.summary = None
    await pilot.press("enter")
    await wait_for(pilot, lambda: view.summary is not None, what="the answer")
    return view


def status_text(view: ResponseView) -> str:
    return str(view.query_one("#response-status").render())


DIGEST_INT = f'''method = "POST"
url = "{{{{base_url}}}}/digest-int"
body = "in the app"
[auth]
type = "digest"
username = "{USER}"
password = "{PASSWORD}"
'''


async def test_digest_auth_int_answers_in_the_pane(tmp_path, auth_server):
    """It once showed nothing: httpx's NotImplementedError killed the send's worker."""
    root = collection(tmp_path / "c", auth_server.url, {"int": DIGEST_INT})
    app = build_app(load_collection(root), history_dir=tmp_path / "history")
    async with app.run_test(size=(160, 48)) as pilot:
        view = await send(pilot, app, "int")
        assert (view.summary.status, view.summary.error) == (200, None)
        assert '"body": "in the app"' in view.body_text


async def test_an_exception_while_sending_is_one_line_in_the_pane(tmp_path, auth_server, monkeypatch):
    from streamdash.core.http import prepare as prepare_module

    class Broken(httpx.Auth):
        def auth_flow(self, request):
            raise RuntimeError("an auth flow with a bug")
            yield request

    monkeypatch.setattr(prepare_module, "auth_for", lambda config, tokens: Broken())
    root = collection(tmp_path / "c", auth_server.url, {"int": DIGEST_INT})
    app = build_app(load_collection(root), history_dir=tmp_path / "history")
    async with app.run_test(size=(160, 48)) as pilot:
        view = await send(pilot, app, "int")
        assert view.summary.error == "RuntimeError: an auth flow with a bug"
        line = status_text(view)
        assert "RuntimeError: an auth flow with a bug" in line and "\n" not in line
        assert app.is_running
