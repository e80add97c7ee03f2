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
    assert [line.split("  ")[:3] for line in lines] == [
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
    assert [line.split("  ")[1] for line in out.splitlines()] == ["items/create", "items/get"]


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
    assert out.startswith("FAIL  items/get  ---")
    assert out.rstrip().endswith("unknown variable 'item_id'")


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
    assert result.stdout.startswith("FAIL  health  ---")
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


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="FIFOs are a POSIX thing")
def test_run_skips_fifo_device_huge_file_and_folder_and_names_each(tmp_path, demo):
    from tests.core.collections.test_storage import hostile_collection

    root = tmp_path / "hostile"
    bad = hostile_collection(root)
    write(root / "good.toml", f'name = "good"\nurl = "{demo.url}/api/health"\n')
    done = cli(str(root))  # timeout=60: a FIFO once hung here for ever, /dev/zero ate memory
    assert done.returncode == 0, done.stderr
    assert [line.split("  ")[:2] for line in done.stdout.splitlines()] == [["PASS", "good"]]
    skipped = [line for line in done.stderr.splitlines() if "skipped" in line]
    assert len(skipped) == len(bad)
    for path in bad.values():
        assert sum(line.startswith(f"streamdash run: skipped {path}: ") for line in skipped) == 1
