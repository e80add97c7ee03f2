"""The OAuth2 device grant as a person meets it: over SSH there is no browser to open, so the app
shows the URL and the code in a notice that stays, polls while the person signs in elsewhere,
then says so and the answer comes; `streamdash run` says the same on stderr."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from streamdash.core.collections import load_collection
from streamdash.ui.launch import build_app
from tests.helpers.oauth_server import CLIENT_ID, OAuthServer
from tests.ui.pilot import notes, send_request

RUN = "import sys; from streamdash.cli import main; sys.exit(main(['run', *sys.argv[1:]]))"


def collection(root: Path, url: str) -> Path:
    root.mkdir()
    (root / "collection.toml").write_text(
        f'name = "c"\n[auth]\ntype = "oauth2"\ngrant = "device_code"\ntoken_url = "{url}/token"\n'
        f'device_authorization_url = "{url}/device"\nclient_id = "{CLIENT_ID}"\n')
    (root / "api.toml").write_text(f'name = "api"\nurl = "{url}/api"\n')
    return root


async def test_the_code_and_url_are_a_notice_and_the_request_then_goes(tmp_path):
    with OAuthServer() as server:
        server.state.device_script = ["authorization_pending", "authorization_pending", "ok"]
        app = build_app(load_collection(collection(tmp_path / "c", server.url)))
        async with app.run_test(size=(120, 36)) as pilot:
            summary = await send_request(pilot, app, "api")
            assert summary.status == 200
            said = [line for line in app.message_log.newest_first() if "sign" in line.text]
            assert [line.text for line in reversed(said)] == [
                "sign in to cli-app: open https://example.com/device and enter the code WDJB-MJHT "
                "(the code expires in 10 min)", "signed in to cli-app"]
            # Once signed in, the code is of no use: its notice goes (it stayed for 300 s).
            assert notes(app, "sign in") == ["signed in to cli-app"]
            body = app.query_one("#response-body").text
            assert "access-1" not in body  # the token the server echoes is masked


async def test_a_denied_sign_in_takes_its_notice_down(tmp_path):
    with OAuthServer() as server:
        server.state.device_script = ["authorization_pending", "access_denied"]
        app = build_app(load_collection(collection(tmp_path / "c", server.url)))
        async with app.run_test(size=(120, 36)) as pilot:
            summary = await send_request(pilot, app, "api")
            assert summary.error is not None and "the sign-in was denied" in summary.error
            assert notes(app, "sign in") == []


def test_streamdash_run_says_it_on_stderr(tmp_path):
    with OAuthServer() as server:
        server.state.device_script = ["authorization_pending", "ok"]
        root = collection(tmp_path / "c", server.url)
        done = subprocess.run([sys.executable, "-c", RUN, str(root)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "streamdash: sign in to cli-app: open https://example.com/device and enter the code WDJB-MJHT" in done.stderr
    assert "PASS  api" in done.stdout
