"""HTTP edges as the app meets them: what a send cannot do is one line in the response pane or one
notification, and the app keeps running (issue 10 items 4, 5 and 11)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from streamdash.core.collections import load_collection
from streamdash.ui.launch import build_app
from streamdash.ui.widgets.response_view import ResponseView
from tests.core.http.auth_app import PASSWORD, USER
from tests.helpers.raw_server import Conn, RawServer
from tests.ui.pilot import notes, select, wait_for


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


def recording_server(raw_server):
    """A server that answers a stream with one event and a REST request with `{}`."""

    async def handler(conn: Conn) -> None:
        if conn.request.header("Accept") == "text/event-stream":
            await conn.start()
            await conn.send(b"data: hi\n\n")
            await asyncio.sleep(5)
            return
        await conn.start(200, {"Content-Length": "2"}, content_type="application/json")
        await conn.send(b"{}")
        await conn.end()

    raw_server.handler = handler
    return raw_server


async def test_an_illegal_header_is_one_line_and_nothing_connects(tmp_path, raw_server):
    """A saved stream and a REST request with `X(A)` as a header name: one notification, one
    status line, no connection, and the app goes on."""
    recording_server(raw_server)
    bad = '[headers]\n"X(A)" = "b"\n'
    root = collection(tmp_path / "c", raw_server.url, {
        "feed": f'kind = "sse"\nurl = "{{{{base_url}}}}/feed"\n{bad}',
        "api": f'url = "{{{{base_url}}}}/api"\n{bad}',
    })
    app = build_app(load_collection(root), history_dir=tmp_path / "history")
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "feed")
        await pilot.press("enter")
        await wait_for(pilot, lambda: notes(app, "cannot send"), what="the notification")
        (note,) = notes(app, "cannot send")
        assert note.startswith("feed: ") and note.endswith("feed.toml: 'X(A)' is not a valid header name")
        assert "\n" not in note
        view = await send(pilot, app, "api")
        assert not view.summary.sent
        line = status_text(view)
        assert line.endswith("api.toml: 'X(A)' is not a valid header name") and "\n" not in line
        assert app.is_running
    assert raw_server.connections == 0


async def test_a_non_ascii_header_value_goes_out_as_utf8_from_the_app(tmp_path, raw_server):
    """It once killed the stream's worker without a word (httpx refuses a non-ASCII str)."""
    recording_server(raw_server)
    header = '[headers]\nX-Name = "café €"\n'
    root = collection(tmp_path / "c", raw_server.url, {
        "feed": f'kind = "sse"\nurl = "{{{{base_url}}}}/feed"\n{header}',
        "api": f'url = "{{{{base_url}}}}/api"\n{header}',
    })
    app = build_app(load_collection(root), history_dir=tmp_path / "history")
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "feed")
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(app.session.buffer) >= 1, what="the stream's event")
        view = await send(pilot, app, "api")
        assert view.summary.status == 200
    wire = [request.raw_headers for request in raw_server.requests]
    assert len(wire) == 2 and all(b"\r\nX-Name: caf\xc3\xa9 \xe2\x82\xac\r\n" in raw for raw in wire)


async def test_a_cross_origin_redirect_is_named_in_the_status_line(tmp_path, raw_server, monkeypatch):
    other = recording_server(RawServer().start())

    async def moved(conn: Conn) -> None:
        await conn.start(302, {"Location": f"{other.url}/landed", "Content-Length": "0"}, content_type=None)
        await conn.end()

    raw_server.handler = moved
    monkeypatch.setenv("SD_APP_KEY", "app-key-0123456789")
    root = collection(tmp_path / "c", raw_server.url, {
        "api": 'url = "{{base_url}}/api"\n[headers]\nX-Api-Key = "{{env:SD_APP_KEY}}"\n',
    })
    app = build_app(load_collection(root), history_dir=tmp_path / "history")
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            view = await send(pilot, app, "api")
            assert view.summary.status == 200
            assert f"redirected to 127.0.0.1:{other.port}; not sent there: X-Api-Key" in status_text(view)
    finally:
        other.stop()
    assert other.requests[0].header("X-Api-Key") is None


async def test_encoded_answers_in_the_pane(tmp_path):
    """br decodes to pretty JSON; a body encoded as foo says so on the status line and shows as a
    hex dump, not as replacement characters (issue 12 item 2)."""
    from textual.widgets import DataTable

    from streamdash.ui.screens.history import HistoryScreen
    from tests.helpers.encoding_server import EncodingServer

    with EncodingServer() as server:
        root = collection(tmp_path / "c", server.url, {
            "br": 'url = "{{base_url}}/encoded/br"\n', "foo": 'url = "{{base_url}}/encoded/foo"\n',
        })
        app = build_app(load_collection(root), history_dir=tmp_path / "history")
        async with app.run_test(size=(160, 48)) as pilot:
            view = await send(pilot, app, "br")
            assert view.body_text.startswith('{\n  "encoded": true,') and "shown raw" not in status_text(view)
            view = await send(pilot, app, "foo")
            reason = "body is encoded as foo, which streamdash cannot decode; shown raw"
            assert status_text(view).startswith("foo \u00b7 200 OK \u00b7 ") and reason in status_text(view)
            assert view.body_text.startswith("00000000  8f 00 ff 6e 6f 74 2d 64")
            assert "\ufffd" not in view.body_text
            await pilot.press("f7")  # the history says it too, beside the URL
            await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen), what="the history")
            table = app.screen.query_one(DataTable)
            assert str(table.get_row_at(0)[-1]) == f"{server.url}/encoded/foo  {reason}"
            assert str(table.get_row_at(1)[-1]) == f"{server.url}/encoded/br"


async def test_a_timeout_in_the_pane_and_the_editor(tmp_path):
    """The editor shows the timeout that applies and where it is set; a send past it is one
    line in the pane (issue 12 item 1)."""
    from streamdash.ui.screens.request_editor import RequestEditorScreen

    async def never_answer(conn: Conn) -> None:
        await asyncio.sleep(30)

    server = RawServer(handler=never_answer).start()
    try:
        root = collection(tmp_path / "c", server.url, {
            "slow": 'url = "{{base_url}}/slow"\ntimeout = 0.2\n', "plain": 'url = "{{base_url}}/"\n',
        })
        settings = root / "collection.toml"
        settings.write_text("connect_timeout = 3\n" + settings.read_text())  # before [variables]
        app = build_app(load_collection(root), history_dir=tmp_path / "history")
        async with app.run_test(size=(160, 48)) as pilot:
            view = await send(pilot, app, "slow")
            assert status_text(view) == (
                "slow \u00b7 failed: timed out after 0.2 s waiting for a response (read timeout,"
                f" timeout = 0.2 in the request) \u00b7 GET {server.url}/slow"
            )
            for key, line in (
                ("slow", "Timeout: 0.2 s (connect 3 s) \u00b7 timeout from the request,"
                         " connect_timeout from collection.toml"),
                ("plain", "Timeout: 30 s (connect 3 s) \u00b7 connect_timeout from collection.toml"),
            ):
                await select(pilot, app, key)
                await pilot.press("e")
                await wait_for(pilot, lambda: isinstance(app.screen, RequestEditorScreen), what="the editor")
                shown = app.screen.query_one("#editor-timeout")
                assert shown.display and str(shown.render()) == line
                await pilot.press("escape")
                await wait_for(pilot, lambda: not isinstance(app.screen, RequestEditorScreen))
    finally:
        server.stop()
