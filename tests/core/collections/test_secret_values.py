"""Imports never write a credential into a request file: it goes to the git-ignored secrets file
as a `{{variable}}`, and the request still sends it (a real echo server on 127.0.0.1)."""

from __future__ import annotations

import base64
import json
import os
import stat
import tomllib
from pathlib import Path

import pytest

from streamdash.core.collections import SavedRequest
from streamdash.core.collections.secret_values import (
    SECRETS_FILE,
    load_secret_values,
    save_secret_values,
    take_credentials,
)
from streamdash.core.session import request_id
from tests.helpers.echo_server import EchoServer
from tests.helpers.sessions import noting_session

BEARER, API_KEY, COOKIE, QUERY_KEY = "curl-bearer-0123456789", "curl-x-api-key-42", "curl-cookie-77", "curl-query-key-9"


@pytest.fixture(scope="module")
def echo():
    with EchoServer() as server:
        yield server


@pytest.fixture
async def session(tmp_path):
    root = tmp_path / "coll"
    root.mkdir()
    (root / "collection.toml").write_text('name = "c"\n')
    async with noting_session(root, tmp_path / "state") as s:
        yield s


def files_text(root: Path) -> str:
    """Every request and environment file of the collection (what goes into git)."""
    return "".join(p.read_text() for p in root.rglob("*.toml") if p.name != SECRETS_FILE)


async def test_a_pasted_curl_keeps_its_credentials_out_of_the_request_file(session, echo):
    root = session.collection.root
    saved = session.import_curl(
        f"curl '{echo.url}/echo?api_key={QUERY_KEY}&page=2' -H 'Authorization: Bearer {BEARER}' "
        f"-H 'X-API-Key: {API_KEY}' -b 'sid={COOKIE}' -H 'Accept: application/json'"
    )
    assert saved is not None and saved.path is not None
    on_disk = saved.path.read_text()
    for secret in (BEARER, API_KEY, COOKIE, QUERY_KEY):
        assert secret not in files_text(root), secret
    assert "{{authorization}}" in on_disk and "{{x_api_key}}" in on_disk and "{{api_key}}" in on_disk
    assert "page" in on_disk and "application/json" in on_disk  # the rest is as pasted
    secrets_file = root / SECRETS_FILE
    assert tomllib.loads(secrets_file.read_text())["variables"] == {
        "api_key": QUERY_KEY, "authorization": f"Bearer {BEARER}", "x_api_key": API_KEY, "cookie": f"sid={COOKIE}",
    }
    if os.name == "posix":
        assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    assert (root / ".gitignore").read_text().splitlines() == [SECRETS_FILE]
    (notice,) = [n for n in session.notices if "saved" in n.text]
    assert "\n" not in notice.text and "4 credentials moved to .secrets.toml (git-ignored)" in notice.text
    # Sending it still sends every credential; copy as curl gives them back as pasted.
    result = await session.send(session.find(request_id(saved)))
    assert result.summary.status == 200
    seen = echo.state.seen[-1]
    assert (seen["authorization"], seen["x-api-key"], seen["cookie"]) == (f"Bearer {BEARER}", API_KEY, f"sid={COOKIE}")
    assert QUERY_KEY in result.summary.text()
    command = session.curl(session.find(request_id(saved)))
    assert command is not None and all(s in command.text for s in (BEARER, API_KEY, COOKIE, QUERY_KEY))
    # ... and the history of that send holds none of them.
    history = (session.executor.history.path).read_text()
    assert not any(s in history for s in (BEARER, API_KEY, COOKIE, QUERY_KEY))


async def test_user_password_oauth2_bearer_and_userinfo_are_credentials_too(session, echo):
    root = session.collection.root
    basic = session.import_curl(f"curl -u bob:curl-user-password '{echo.url}/echo'")
    bearer = session.import_curl(f"curl --oauth2-bearer curl-oauth2-bearer-1 '{echo.url}/echo?x=1'")
    userinfo = session.import_curl(f"curl 'http://eve:curl-url-password@127.0.0.1:{echo.url.rsplit(':', 1)[1]}/echo'")
    assert basic and bearer and userinfo
    for secret in ("curl-user-password", "curl-oauth2-bearer-1", "curl-url-password"):
        assert secret not in files_text(root), secret
    assert load_secret_values(root) == {
        "password": "curl-user-password", "authorization": "Bearer curl-oauth2-bearer-1",
        "password_2": "curl-url-password",
    }
    assert (root / ".gitignore").read_text().count(SECRETS_FILE) == 1  # added once, not per import
    await session.send(session.find(request_id(basic)))
    expected = "Basic " + base64.b64encode(b"bob:curl-user-password").decode()
    assert echo.state.seen[-1]["authorization"] == expected
    await session.send(session.find(request_id(bearer)))
    assert echo.state.seen[-1]["authorization"] == "Bearer curl-oauth2-bearer-1"
    await session.send(session.find(request_id(userinfo)))
    assert echo.state.seen[-1]["authorization"] == "Basic " + base64.b64encode(b"eve:curl-url-password").decode()


async def test_the_same_value_reuses_its_name_and_another_value_gets_a_new_one(session, echo):
    first = session.import_curl(f"curl -H 'Authorization: Bearer first-token-1111' '{echo.url}/echo?n=1'")
    again = session.import_curl(f"curl -H 'Authorization: Bearer first-token-1111' '{echo.url}/echo?n=2'")
    other = session.import_curl(f"curl -H 'Authorization: Bearer other-token-2222' '{echo.url}/echo?n=3'")
    assert first and again and other
    assert load_secret_values(session.collection.root) == {
        "authorization": "Bearer first-token-1111", "authorization_2": "Bearer other-token-2222",
    }
    await session.send(session.find(request_id(first)))  # an earlier import still sends its own value
    assert echo.state.seen[-1]["authorization"] == "Bearer first-token-1111"
    await session.send(session.find(request_id(other)))
    assert echo.state.seen[-1]["authorization"] == "Bearer other-token-2222"


async def test_an_http_file_moves_secret_variables_and_literal_credentials(session, echo, tmp_path):
    root = session.collection.root
    http = tmp_path / "api.http"
    http.write_text(
        f"@host = {echo.url}\n@token = http-file-token-31337\n\n"
        "### Echo\nGET {{host}}/echo\nAuthorization: Bearer {{token}}\nX-Auth-Token: http-literal-token-5\n"
    )
    assert session.import_http_file(http) == 1
    assert "http-file-token-31337" not in files_text(root) and "http-literal-token-5" not in files_text(root)
    # The one import path (as `streamdash import api.http`): the environment names its secret.
    assert tomllib.loads((root / "env" / "api.toml").read_text())["variables"] == {
        "host": echo.url, "token": "{{api_token}}"}
    assert load_secret_values(root) == {"api_token": "http-file-token-31337", "x_auth_token": "http-literal-token-5"}
    (summary,) = [n.text for n in session.notices if n.text.startswith("imported")]
    assert "2 secrets moved to .secrets.toml (git-ignored)" in summary and "\n" not in summary
    session.use_environment("api")
    result = await session.send(session.find("Echo"))
    assert result.summary.status == 200
    assert echo.state.seen[-1]["authorization"] == "Bearer http-file-token-31337"
    assert echo.state.seen[-1]["x-auth-token"] == "http-literal-token-5"


def test_run_and_tail_read_the_secrets_file_and_mask_what_it_holds(tmp_path, echo):
    import subprocess
    import sys

    root = tmp_path / "c"
    root.mkdir()
    (root / "collection.toml").write_text(f'name = "c"\n[variables]\nbase = "{echo.url}"\n')
    request, new = take_credentials(
        SavedRequest(name="echo", url="{{base}}/echo", headers=[("X-API-Key", "run-file-key-0042")]))
    (root / "echo.toml").write_text(
        f'name = "echo"\nurl = "{{{{base}}}}/echo"\n[headers]\nX-API-Key = "{request.headers[0][1]}"\n'
        '[[check]]\njson = "x_api_key"\nequals = "not it"\n')
    save_secret_values(root, new)
    (root / "feed.toml").write_text(
        f'name = "feed"\nkind = "sse"\nurl = "{{{{base}}}}/sse?status=401"\n[headers]\nX-API-Key = "{request.headers[0][1]}"\n')
    run = subprocess.run([sys.executable, "-m", "streamdash", "run", str(root)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 1 and "json x_api_key" in run.stdout, run.stdout + run.stderr  # sent, checked
    assert echo.state.seen[-1]["x-api-key"] == "run-file-key-0042"
    assert "run-file-key-0042" not in run.stdout + run.stderr
    tail = subprocess.run([sys.executable, "-m", "streamdash", "tail", "--collection", str(root), "feed"],
                          capture_output=True, text=True, timeout=60)
    assert tail.returncode == 1 and "HTTP 401" in tail.stderr
    assert echo.state.seen[-1]["x-api-key"] == "run-file-key-0042"


def test_gitignore_keeps_its_lines_and_gets_the_entry_once(tmp_path):
    (tmp_path / ".gitignore").write_text("*.log\n.recordings")  # no final newline
    save_secret_values(tmp_path, {"a": "1"})
    save_secret_values(tmp_path, {"b": "2"})
    assert (tmp_path / ".gitignore").read_text() == f"*.log\n.recordings\n{SECRETS_FILE}\n"
    assert load_secret_values(tmp_path) == {"a": "1", "b": "2"}


def test_a_broken_secrets_file_is_one_line_naming_it(tmp_path):
    from streamdash.core.collections.models import CollectionError

    (tmp_path / SECRETS_FILE).write_text("[variables\n")
    with pytest.raises(CollectionError) as caught:
        load_secret_values(tmp_path)
    assert SECRETS_FILE in str(caught.value) and "\n" not in str(caught.value)
    errors: list = []
    assert load_secret_values(tmp_path, errors) == {} and len(errors) == 1


async def test_a_password_in_a_json_or_form_body_goes_to_the_secrets_file(session, echo):
    # A login request is the most common place a credential sits (Bruno's own demo collection
    # has `"password": "password123"` in a JSON body). The body is sent byte for byte as pasted.
    root = session.collection.root
    json_body = '{\n  "email": "ada@example.test",\n  "password": "body-pw-\\"q\\"-1",\n  "note": "a \\"token\\": \\"x\\""\n}'
    form_body = "username=ada&client_secret=form-secret%2B2&scope=read"
    as_json = session.import_curl(
        f"curl '{echo.url}/echo' -H 'Content-Type: application/json' --data-raw '{json_body}'")
    as_form = session.import_curl(f"curl '{echo.url}/echo' -d '{form_body}'")
    assert as_json and as_form
    text = files_text(root)
    assert "body-pw-" not in text and "form-secret" not in text
    assert "ada@example.test" in text and "username=ada" in text and "scope=read" in text
    assert load_secret_values(root) == {"password": 'body-pw-\\"q\\"-1', "client_secret": "form-secret%2B2"}
    result = await session.send(session.find(request_id(as_json)))
    assert result.summary.status == 200 and json.loads(result.summary.text())["body"] == json_body
    result = await session.send(session.find(request_id(as_form)))
    assert result.summary.status == 200 and json.loads(result.summary.text())["body"] == form_body
