from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from streamdash.cli import main as cli_main
from streamdash.demo import DemoServer


def main(argv: list[str]) -> int:
    return cli_main(["run", *argv])


RUN = "import sys; from streamdash.cli import main; sys.exit(main(['run', *sys.argv[1:]]))"


@pytest.fixture(scope="module")
def demo():
    with DemoServer(seed=5) as server:
        yield server


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def coll(tmp_path, demo) -> Path:
    root = tmp_path / "smoke"
    write(root / "collection.toml", 'name = "smoke"\n[variables]\nbase_url = "http://127.0.0.1:1"\n')
    write(root / "env" / "local.toml", f'[variables]\nbase_url = "{demo.url}"\n')
    write(root / "a-health.toml", '''
name = "health"
url = "{{base_url}}/api/health"
[[check]]
json = "status"
equals = "ok"
''')
    write(root / "items" / "create.toml", '''
name = "create"
method = "POST"
url = "{{base_url}}/api/items"
body = '{"name": "CI widget", "price": 2}'
expect_status = 201
[headers]
Content-Type = "application/json"
[capture]
item_id = { json = "id" }
''')
    write(root / "items" / "get.toml", '''
name = "get"
url = "{{base_url}}/api/items/{{item_id}}"
[[check]]
json = "name"
equals = "CI widget"
''')
    write(root / "items" / "flaky.toml", '''
name = "flaky"
url = "{{base_url}}/api/flaky?fail=500"
expect_status = 500
''')
    write(root / "stream.toml", 'name = "ticker"\nkind = "sse"\nurl = "{{base_url}}/streams/ticker"\n')
    return root


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", RUN, *args], capture_output=True, text=True, timeout=60
    )


def test_passing_replay_exits_0(coll, capsys):
    assert main([str(coll), "--env", "local"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    # collection order: root level first, then groups; the SSE request is not run by default
    assert [line.split()[:3] for line in lines] == [
        ["PASS", "health", "200"],
        ["PASS", "items/create", "201"],
        ["PASS", "items/flaky", "500"],
        ["PASS", "items/get", "200"],
    ]
    assert all(" ms  " in line for line in lines)
    assert err.strip().startswith("streamdash run: 4 passed, 0 failed in ")


def test_capture_used_by_a_later_request_in_order_asked(coll, capsys):
    assert main([str(coll), "items/create", "get", "--env", "local"]) == 0
    out, _ = capsys.readouterr()
    assert [line.split()[1] for line in out.splitlines()] == ["items/create", "items/get"]


def test_failing_check_exits_1_and_names_it(coll, capsys):
    write(coll / "items" / "get.toml", '''
name = "get"
url = "{{base_url}}/api/items/1"
[[check]]
json = "name"
equals = "Something else"
''')
    assert main([str(coll), "--env", "local"]) == 1
    out, err = capsys.readouterr()
    (failed,) = [line for line in out.splitlines() if line.startswith("FAIL")]
    assert "items/get" in failed
    assert 'json name == "Something else": got "Red Widget"' in failed
    assert "3 passed, 1 failed" in err


def test_missing_capture_dependency_fails_with_unknown_variable(coll, capsys):
    assert main([str(coll), "get", "--env", "local"]) == 1
    out, _ = capsys.readouterr()
    assert out.split()[:3] == ["FAIL", "items/get", "---"]
    assert out.rstrip().endswith("unknown variable 'item_id' (captured by create: send it first or run the "
                                 "collection, or set item_id in an environment)")


def test_jsonl_output_parses(coll, capsys):
    assert main([str(coll), "health", "flaky", "ticker", "--env", "local", "--format", "jsonl"]) == 0
    out, err = capsys.readouterr()
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["name"] for r in records] == ["health", "flaky", "ticker"]
    assert records[0]["status"] == 200 and records[0]["passed"] is True
    assert records[0]["checks"] == [
        {"name": "status < 400", "passed": True, "detail": ""},
        {"name": 'json status == "ok"', "passed": True, "detail": ""},
    ]
    assert records[1]["status"] == 500 and records[1]["passed"] is True
    assert records[2]["skipped"] is True
    assert "1 skipped" in err


def test_jsonl_lists_capture_names_not_values(coll, capsys):
    assert main([str(coll), "create", "--env", "local", "--format", "jsonl"]) == 0
    (record,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert record["captured"] == ["item_id"]


def test_unknown_env_exits_2_in_one_line(coll):
    result = cli(str(coll), "--env", "prod")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == "streamdash run: unknown environment 'prod' (known: local)\n"


def test_unknown_request_exits_2(coll):
    result = cli(str(coll), "health", "nope", "--env", "local")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [f"streamdash run: unknown request 'nope' in {coll}"]


def test_missing_collection_exits_2(tmp_path):
    result = cli(str(tmp_path / "absent"))
    assert result.returncode == 2
    assert "collection folder not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_env_file_exits_2_naming_file_and_line(coll):
    write(coll / "env" / "broken.toml", "[variables]\nx = \n")
    result = cli(str(coll), "--env", "local")
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1
    assert "broken.toml:2: invalid TOML" in result.stderr


def test_bad_option_is_usage_error():
    result = cli("--format", "xml", "somewhere")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_subprocess_failure_exit_1_without_traceback(coll):
    # no --env: base_url is the collection default, a closed port
    result = cli(str(coll), "health")
    assert result.returncode == 1
    assert result.stdout.split()[:3] == ["FAIL", "health", "---"]
    assert len(result.stdout.splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert "0 passed, 1 failed" in result.stderr


def test_bad_request_file_is_reported_and_others_run(coll, capsys):
    write(coll / "broken.toml", "url = [\n")
    assert main([str(coll), "health", "--env", "local"]) == 0
    _, err = capsys.readouterr()
    assert "skipped" in err and "broken.toml:1" in err


def test_run_uses_the_collections_auth(tmp_path, monkeypatch):
    """collection.toml's [auth] applies to the replayed requests (through the executor)."""
    from tests.helpers.raw_server import RawServer

    seen = []

    async def handler(conn):
        seen.append(conn.request.header("Authorization"))
        await conn.start(200, {"Content-Length": "2"}, content_type="application/json")
        await conn.send(b"{}")

    server = RawServer(handler=handler).start()
    try:
        root = tmp_path / "coll"
        root.mkdir()
        (root / "collection.toml").write_text(
            f'name = "c"\n[variables]\nbase_url = "{server.url}"\n[auth]\ntype = "bearer"\ntoken = "{{{{env:SD_RUN_TOKEN}}}}"\n'
        )
        (root / "ping.toml").write_text('name = "ping"\nurl = "{{base_url}}/ping"\n')
        monkeypatch.setenv("SD_RUN_TOKEN", "abc123")
        import subprocess
        import sys

        result = subprocess.run([sys.executable, "-m", "streamdash", "run", str(root)],
                                capture_output=True, text=True, timeout=30)
    finally:
        server.stop()
    assert result.returncode == 0, result.stderr
    assert seen == ["Bearer abc123"]
    assert "abc123" not in result.stdout + result.stderr


def test_digest_auth_int_collection_runs_to_its_summary(tmp_path, auth_server):
    """qop="auth-int" once stopped the run with a traceback (httpx's NotImplementedError)."""
    from tests.core.http.auth_app import PASSWORD, USER

    root = tmp_path / "coll"
    write(root / "collection.toml", f'''name = "c"
[variables]
base_url = "{auth_server.url}"
[auth]
type = "digest"
username = "{USER}"
password = "{PASSWORD}"
''')
    write(root / "a-int.toml", 'name = "int"\nmethod = "PUT"\nurl = "{{base_url}}/digest-int"\nbody = "x"\n')
    write(root / "b-plain.toml", 'name = "plain"\nurl = "{{base_url}}/digest"\n')
    result = cli(str(root))
    assert result.returncode == 0, result.stderr
    assert [line.split()[:3] for line in result.stdout.splitlines()] == [
        ["PASS", "int", "200"], ["PASS", "plain", "200"]
    ]
    assert "2 passed, 0 failed" in result.stderr and "Traceback" not in result.stderr


def test_an_exception_in_one_send_fails_that_line_and_the_run_goes_on(coll, capsys, monkeypatch):
    """Whatever a send raises becomes that request's one-line failure: every request still gets
    its line, the summary is printed, and the exit code is 1."""
    import httpx

    from streamdash.core.http import prepare as prepare_module

    class Broken(httpx.Auth):
        def auth_flow(self, request):
            raise RuntimeError("auth flow bug")
            yield request

    write(coll / "a-health.toml", 'name = "health"\nurl = "{{base_url}}/api/health"\n'
          '[auth]\ntype = "basic"\nusername = "u"\npassword = "p"\n')
    monkeypatch.setattr(prepare_module, "auth_for", lambda config, tokens: Broken())
    assert main([str(coll), "--env", "local"]) == 1
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert len(lines) == 4 and lines[0].split()[:3] == ["FAIL", "health", "---"]
    assert lines[0].endswith("RuntimeError: auth flow bug")
    assert [line.split()[0] for line in lines[1:]] == ["PASS", "PASS", "PASS"]
    assert "3 passed, 1 failed in" in err and "Traceback" not in err


def test_an_illegal_header_or_method_fails_its_line_before_any_connection(tmp_path, capsys):
    from tests.helpers.raw_server import RawServer

    server = RawServer().start()
    try:
        root = tmp_path / "coll"
        write(root / "a.toml", f'name = "bad-header"\nurl = "{server.url}/x"\n[headers]\n"X(A)" = "b"\n')
        write(root / "b.toml", f'name = "bad-method"\nmethod = "GE T"\nurl = "{server.url}/x"\n')
        assert main([str(root)]) == 1
        assert server.connections == 0
    finally:
        server.stop()
    out, err = capsys.readouterr()
    (line,) = out.splitlines()
    assert line.split()[:3] == ["FAIL", "bad-header", "---"] and line.endswith("a.toml: 'X(A)' is not a valid header name")
    # A method is checked as the file loads: the file is named with its line, and left out.
    assert 'b.toml:2: method: must be an HTTP method such as GET or POST, not "GE T"' in err
    assert "0 passed, 1 failed" in err and "Traceback" not in err


def test_a_non_ascii_header_value_is_sent_as_utf8(tmp_path, capsys):
    from tests.helpers.raw_server import RawServer

    async def handler(conn):
        await conn.start(200, {"Content-Length": "2"}, content_type="application/json")
        await conn.send(b"{}")
        await conn.end()

    server = RawServer(handler=handler).start()
    try:
        root = tmp_path / "coll"
        write(root / "a.toml", f'name = "named"\nurl = "{server.url}/x"\n[headers]\nX-Name = "café"\n')
        assert main([str(root)]) == 0
    finally:
        server.stop()
    assert b"\r\nX-Name: caf\xc3\xa9\r\n" in server.requests[0].raw_headers


def test_a_cross_origin_redirect_is_named_on_the_line(tmp_path, capsys, monkeypatch):
    from tests.helpers.raw_server import RawServer

    async def landed(conn):
        await conn.start(200, {"Content-Length": "2"}, content_type="application/json")
        await conn.send(b"{}")
        await conn.end()

    other = RawServer(handler=landed).start()

    async def moved(conn):
        await conn.start(302, {"Location": f"{other.url}/landed", "Content-Length": "0"}, content_type=None)
        await conn.end()

    first = RawServer(handler=moved).start()
    try:
        root = tmp_path / "coll"
        write(root / "a.toml", f'name = "moved"\nurl = "{first.url}/x"\n[headers]\nX-Api-Key = "{{{{env:SD_RUN_KEY}}}}"\n')
        monkeypatch.setenv("SD_RUN_KEY", "run-key-0123456789")
        assert main([str(root), "--format", "jsonl"]) == 0
        assert main([str(root)]) == 0
    finally:
        first.stop()
        other.stop()
    assert all(r.header("X-Api-Key") is None for r in other.requests)
    out, _ = capsys.readouterr()
    record, line = out.splitlines()
    note = f"redirected to 127.0.0.1:{other.port}; not sent there: X-Api-Key"
    assert json.loads(record)["note"] == note
    assert line.startswith("PASS  moved  200") and line.endswith(f"({note})")


# --- secrets: never in what `run` prints (a real echo server and token endpoint) ----------------

RUN_KEY = "run-key/with+plus=and&long"


@pytest.fixture(scope="module")
def echo():
    from tests.helpers.echo_server import EchoServer

    with EchoServer() as server:
        yield server


def test_run_prints_no_secret_in_text_json_or_check_details(tmp_path, echo, monkeypatch):
    monkeypatch.setenv("SD_RUN_KEY", RUN_KEY)
    monkeypatch.setenv("SD_RUN_CS", "run-client-secret-1")
    root = tmp_path / "c"
    write(root / "collection.toml", f'name = "c"\n[variables]\nbase = "{echo.url}"\n')
    write(root / "a-key.toml", '''
name = "key"
url = "{{base}}/echo"
[query]
q = "{{env:SD_RUN_KEY}}"
[[check]]
json = "query.q"
equals = "something else"
''')
    write(root / "b-oauth.toml", '''
name = "oauth"
url = "{{base}}/api"
[auth]
type = "oauth2"
token_url = "{{base}}/token"
client_id = "me"
client_secret = "{{env:SD_RUN_CS}}"
[[check]]
json = "token"
equals = "something else"
''')
    write(root / "c-basic.toml", '''
name = "basic"
url = "{{base}}/echo"
[auth]
type = "basic"
username = "bob"
password = "run-basic-password"
[[check]]
json = "authorization"
equals = "something else"
''')
    import base64

    before = len(echo.state.issued)
    text, jsonl = cli(str(root)), cli(str(root), "--format", "jsonl")
    issued = echo.state.issued[before:]
    assert len(issued) == 2  # one token per run
    for result in (text, jsonl):
        assert result.returncode == 1 and "Traceback" not in result.stderr
        printed = result.stdout + result.stderr
        assert "3 failed" in result.stderr, printed
        for secret in (RUN_KEY, "run-key%2Fwith%2Bplus%3Dand%26long", "run-key/with%2Bplus%3Dand%26long",
                       *issued, base64.b64encode(b"bob:run-basic-password").decode(), "run-basic-password"):
            assert secret not in printed, (secret, printed)
    details = [c["detail"] for line in jsonl.stdout.splitlines() for c in json.loads(line)["checks"]]
    assert sum("got" in d and "••••" in d for d in details) == 3, details  # masked, still there


def test_a_captured_token_is_a_secret_for_the_requests_after_it(tmp_path, echo):
    """`[capture] token = { json = "access_token" }` then `Bearer {{token}}`: the token is sent,
    and masked in every check detail that quotes it (an echo of it included)."""
    root = tmp_path / "c"
    write(root / "collection.toml", f'name = "c"\n[variables]\nbase = "{echo.url}"\n')
    write(root / "a-login.toml", '''
name = "login"
method = "POST"
url = "{{base}}/token"
[capture]
token = { json = "access_token" }
[[check]]
json = "access_token"
equals = "not it"
''')
    write(root / "b-me.toml", '''
name = "me"
url = "{{base}}/api"
[headers]
Authorization = "Bearer {{token}}"
[[check]]
json = "token"
equals = "not it"
''')
    before = len(echo.state.issued)
    result = cli(str(root), "--format", "jsonl")
    (token,) = echo.state.issued[before:]
    assert echo.state.seen[-1]["authorization"] == f"Bearer {token}"  # the capture was sent
    steps = [json.loads(line) for line in result.stdout.splitlines()]
    assert [s["status"] for s in steps] == [200, 200] and steps[0]["captured"] == ["token"]
    assert token not in result.stdout + result.stderr
    assert all("••••" in c["detail"] for s in steps for c in s["checks"] if not c["passed"])


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="FIFOs are a POSIX thing")
def test_run_skips_fifo_device_huge_file_and_folder_and_names_each(tmp_path, demo):
    from tests.core.collections.test_storage import hostile_collection

    root = tmp_path / "hostile"
    bad = hostile_collection(root)
    write(root / "good.toml", f'name = "good"\nurl = "{demo.url}/api/health"\n')
    done = cli(str(root))  # timeout=60: a FIFO once hung here for ever, /dev/zero ate memory
    assert done.returncode == 0, done.stderr
    assert [line.split()[:2] for line in done.stdout.splitlines()] == [["PASS", "good"]]
    skipped = [line for line in done.stderr.splitlines() if "skipped" in line]
    assert len(skipped) == len(bad)
    for path in bad.values():
        assert sum(line.startswith(f"streamdash run: skipped {path}: ") for line in skipped) == 1


def test_encoded_answers_in_run_output(tmp_path):
    """br and zstd decode (the checks see the JSON); a body encoded as foo fails its JSON check
    with the reason on its line, and the run goes on (issue 12 item 2)."""
    from tests.helpers.encoding_server import EncodingServer

    root = tmp_path / "coll"
    check = '[[check]]\njson = "encoded"\nequals = true\n'
    for name in ("br", "zstd", "foo"):
        write(root / f"{name}.toml", f'name = "{name}"\nurl = "{{{{base_url}}}}/encoded/{name}"\n{check}')
    write(root / "raw.toml", 'name = "raw"\nurl = "{{base_url}}/encoded/foo"\n')
    with EncodingServer() as server:
        write(root / "collection.toml", f'name = "c"\n[variables]\nbase_url = "{server.url}"\n')
        result = cli(str(root))
        jsonl = cli(str(root), "foo", "--format", "jsonl")
    reason = "body is encoded as foo, which streamdash cannot decode; shown raw"
    lines = result.stdout.splitlines()
    assert [line.split()[:3] for line in lines] == [
        ["PASS", "br", "200"], ["FAIL", "foo", "200"], ["PASS", "raw", "200"], ["PASS", "zstd", "200"]
    ], result.stdout
    assert lines[1].endswith(f"72 B  json encoded == true: {reason}")  # said once
    assert lines[2].endswith(f"72 B  ({reason})")  # no check asked for JSON: passes, and says so
    assert "not JSON" not in result.stdout and result.returncode == 1
    (record,) = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert record["note"] == reason and record["checks"][1]["detail"] == reason


def test_a_request_past_its_timeout_is_one_line_in_run(tmp_path, raw_server):
    """`timeout` from collection.toml, a request's own over it; the run goes on (issue 12 item 1)."""
    import asyncio

    async def never_answer(conn):
        await asyncio.sleep(30)

    raw_server.handler = never_answer
    root = tmp_path / "coll"
    write(root / "collection.toml", f'name = "c"\ntimeout = 0.3\n[variables]\nbase_url = "{raw_server.url}"\n')
    write(root / "a.toml", 'name = "a"\nurl = "{{base_url}}/a"\n')
    write(root / "b.toml", 'name = "b"\nurl = "{{base_url}}/b"\ntimeout = 0.2\n')
    result = cli(str(root))
    assert result.returncode == 1, result.stderr
    a, b = result.stdout.splitlines()  # one line each
    assert a.endswith("timed out after 0.3 s waiting for a response (read timeout, timeout = 0.3 in collection.toml)")
    assert b.endswith("timed out after 0.2 s waiting for a response (read timeout, timeout = 0.2 in the request)")
    assert a.split()[:3] == ["FAIL", "a", "---"] and "0 passed, 2 failed" in result.stderr
