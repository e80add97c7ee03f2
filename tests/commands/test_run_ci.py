"""`streamdash run` for CI (issue 12 item 5): --var, --junit, options anywhere, aligned columns,
the paging and cache notes, the URL as sent. Each test runs the real command in a subprocess
against a real local server."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.helpers.raw_server import Conn

RUN = "import sys; from streamdash.cli import main; sys.exit(main(['run', *sys.argv[1:]]))"


def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", RUN, *map(str, args)], capture_output=True, text=True, timeout=60
    )


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def server(raw_server):
    """Answers every request with JSON naming the target it got, and a `Link: next` to the
    following page (so a paging request runs into its page limit)."""

    async def handler(conn: Conn) -> None:
        target = conn.request.target
        page = int(target.rsplit("page=", 1)[1]) if "page=" in target else 1
        body = json.dumps({"target": target, "items": [page]}).encode()
        base = target.split("?", 1)[0]
        await conn.start(
            200,
            [("Content-Length", str(len(body))), ("Link", f'<{base}?page={page + 1}>; rel="next"'),
             ("Cache-Control", "max-age=60")],
            content_type="application/json",
        )
        await conn.send(body)
        await conn.end()

    raw_server.handler = handler
    return raw_server


@pytest.fixture
def coll(tmp_path, server) -> Path:
    root = tmp_path / "ci"
    write(root / "collection.toml", 'name = "ci"\n[variables]\nbase_url = "http://127.0.0.1:1"\n')
    write(root / "env" / "local.toml", f'[variables]\nbase_url = "{server.url}"\n')
    write(root / "a.toml", 'name = "a"\nurl = "{{base_url}}/a"\n')
    write(root / "group" / "much-longer-name.toml", '''
name = "much-longer-name"
url = "{{base_url}}/long"
[[check]]
json = "target"
equals = "/long"
''')
    return root


def test_options_before_between_and_after_request_names(coll):
    orders = [
        ["--env", "local", coll, "a", "much-longer-name"],
        [coll, "a", "--env", "local", "much-longer-name"],
        [coll, "a", "much-longer-name", "--env", "local"],
    ]
    outputs = []
    for args in orders:
        done = cli(*args, "--format", "jsonl")
        assert done.returncode == 0, done.stderr
        outputs.append([json.loads(line)["name"] for line in done.stdout.splitlines()])
    assert outputs == [["a", "much-longer-name"]] * 3


def test_unknown_option_after_a_name_is_still_a_usage_error(coll):
    done = cli(coll, "a", "--bogus")
    assert done.returncode == 2
    assert "--bogus" in done.stderr and "Traceback" not in done.stderr


def test_var_overrides_the_environment_and_the_last_one_wins(coll, server):
    done = cli(coll, "a", "--env", "local", "--var", "base_url=http://127.0.0.1:1",
               "--var", f"base_url={server.url}", "--format", "jsonl")
    assert done.returncode == 0, done.stdout + done.stderr
    (record,) = [json.loads(line) for line in done.stdout.splitlines()]
    assert record["url"] == f"{server.url}/a"
    # without --env, the collection's own (unreachable) base_url is what --var replaces
    done = cli(coll, "a", "--var", f"base_url={server.url}")
    assert done.returncode == 0, done.stdout + done.stderr


def test_var_is_used_by_the_templates_and_a_secret_one_is_masked(coll, server):
    write(coll / "q.toml", '''
name = "q"
url = "{{base_url}}/q?mode={{mode}}"
[query]
sig = "{{token}}"
[[check]]
json = "target"
equals = "nothing like it"
''')
    done = cli(coll, "q", "--var", f"base_url={server.url}", "--var", "mode=fast",
               "--var", "token=s3cr3t-t0ken-value", "--format", "jsonl")
    assert done.returncode == 1
    (record,) = [json.loads(line) for line in done.stdout.splitlines()]
    # the URL as sent, its query included, with the secret masked
    assert record["url"].startswith(f"{server.url}/q?mode=fast&sig=")
    assert server.requests[-1].target == "/q?mode=fast&sig=s3cr3t-t0ken-value"
    assert "s3cr3t-t0ken-value" not in done.stdout + done.stderr
    assert not record["passed"]


def test_bad_var_is_a_one_line_usage_error(coll):
    done = cli(coll, "--var", "no-equals-sign")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "NAME=VALUE" in done.stderr


def test_text_columns_line_up_for_names_of_different_lengths(coll):
    write(coll / "group" / "much-longer-name.toml", '''
name = "much-longer-name"
url = "{{base_url}}/long"
[[check]]
json = "target"
equals = "/elsewhere"
''')
    done = cli(coll, "--env", "local")
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert [line.split()[:3] for line in lines] == [
        ["PASS", "a", "200"], ["FAIL", "group/much-longer-name", "200"]
    ]
    status_at = {line.index(" 200 ") for line in lines}
    ms_at = {line.index(" ms ") for line in lines}
    size_at = {line.index(" B") for line in lines}
    assert len(status_at) == 1 and len(ms_at) == 1 and len(size_at) == 1, lines
    assert lines[1].rstrip().endswith('json target == "/elsewhere": got "/long"')


def test_page_limit_and_cache_hit_are_said_in_text_and_jsonl(coll):
    write(coll / "paged.toml", '''
name = "paged"
url = "{{base_url}}/paged"
[paging]
follow = "link"
max_pages = 3
''')
    write(coll / "cached.toml", 'name = "cached"\nurl = "{{base_url}}/cached"\ncache = true\n')
    text = cli(coll, "paged", "cached", "cached", "--env", "local")
    assert text.returncode == 0, text.stdout + text.stderr
    paged, first, again = text.stdout.splitlines()
    assert paged.endswith("(3 pages, 3 items (page limit (3)))")
    assert "cache hit" not in first
    assert again.endswith(" s old)") and "(cache hit, " in again
    jsonl = cli(coll, "paged", "cached", "cached", "--env", "local", "--format", "jsonl")
    notes = [json.loads(line)["note"] for line in jsonl.stdout.splitlines()]
    assert notes[0] == "3 pages, 3 items (page limit (3))"
    assert notes[1] == "" and notes[2].startswith("cache hit, ")


def test_junit_report_parses_with_one_testcase_per_request(coll, tmp_path):
    report = tmp_path / "out" / "report.xml"
    report.parent.mkdir()
    report.write_text("old report", encoding="utf-8")
    write(coll / "stream.toml", 'name = "ticker"\nkind = "sse"\nurl = "{{base_url}}/s"\n')
    write(coll / "bad.toml", '''
name = "bad"
url = "{{base_url}}/bad"
expect_status = 201
''')
    done = cli(coll, "a", "bad", "much-longer-name", "ticker", "--env", "local", "--junit", report)
    assert done.returncode == 1
    suite = ET.parse(report).getroot()
    assert suite.tag == "testsuite" and suite.get("name") == "ci"
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("4", "1", "1")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == ["a", "bad", "group/much-longer-name", "ticker"]
    assert all(float(c.get("time")) >= 0 for c in cases)
    (failure,) = suite.iter("failure")
    assert failure.get("message") == "status 201: got 200"
    assert cases[1].find("failure") is failure
    assert cases[3].find("skipped") is not None
    # written whole through a temporary file that is gone afterwards
    assert os.listdir(report.parent) == ["report.xml"]


def test_junit_into_a_missing_folder_is_one_line_and_exit_1(coll, tmp_path):
    report = tmp_path / "no-such-dir" / "report.xml"
    done = cli(coll, "a", "--env", "local", "--junit", report)
    assert done.returncode == 1
    (line,) = [ln for ln in done.stderr.splitlines() if "JUnit" in ln]
    assert str(report) in line and "Traceback" not in done.stderr
    assert not report.parent.exists()


def test_var_replacing_a_secrets_file_value_is_masked_too(coll, server):
    # `plain` is no secret by its name: only its being in the secrets file makes it one
    write(coll / ".secrets.toml", '[variables]\nplain = "from-the-secrets-file"\n')
    write(coll / "s.toml", 'name = "s"\nurl = "{{base_url}}/s/{{plain}}?plain={{plain}}"\n')
    done = cli(coll, "s", "--var", f"base_url={server.url}", "--var", "plain=typed-on-the-cli",
               "--format", "jsonl")
    assert done.returncode == 0, done.stdout + done.stderr
    assert server.requests[-1].target == "/s/typed-on-the-cli?plain=typed-on-the-cli"
    assert "typed-on-the-cli" not in done.stdout + done.stderr


def test_a_missing_variable_names_the_environment_that_defines_it(coll):
    write(coll / "env" / "staging.toml", '[variables]\nregion = "eu"\n')
    write(coll / "needs.toml", 'name = "needs"\nurl = "{{base_url}}/r/{{region}}"\n')
    done = cli(coll, "needs", "--env", "local")
    assert done.returncode == 1
    assert "unknown variable 'region' (defined in environment staging; in use: local)" in done.stdout


def test_ctrl_c_still_writes_the_junit_report_of_what_ran(tmp_path, raw_server):
    """Before: Ctrl+C (130) left no report, so CI lost the requests that had run."""
    import signal
    import time

    async def handler(conn: Conn) -> None:
        if conn.request.target.startswith("/slow"):
            await asyncio.sleep(30)
        await conn.start(200, {"Content-Length": "2"}, content_type="application/json")
        await conn.send(b"{}")
        await conn.end()

    raw_server.handler = handler
    root = tmp_path / "c"
    write(root / "collection.toml", f'name = "c"\n[variables]\nbase_url = "{raw_server.url}"\n')
    write(root / "1-fast.toml", 'name = "fast"\nurl = "{{base_url}}/fast"\n')
    write(root / "2-slow.toml", 'name = "slow"\nurl = "{{base_url}}/slow"\n')
    report = tmp_path / "j.xml"
    proc = subprocess.Popen([sys.executable, "-c", RUN, str(root), "--junit", str(report)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 20
    while not any(r.target.startswith("/slow") for r in raw_server.requests) and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    assert "interrupted after 1 of 2 requests: 1 passed, 0 failed" in err
    cases = ET.parse(report).getroot().iter("testcase")
    assert [c.get("name") for c in cases] == ["fast"]


def test_a_missing_variable_another_request_captures_says_which(coll):
    # An imported Bruno flow sent one request at a time: the id comes from a capture, which only
    # a run of the collection makes.
    write(coll / "create.toml", 'name = "Create"\nurl = "{{base_url}}/c"\n[capture]\nitem_id = { json = "id" }\n')
    write(coll / "read.toml", 'name = "Read"\nurl = "{{base_url}}/r/{{item_id}}"\n')
    done = cli(coll, "Read", "--env", "local")
    assert done.returncode == 1
    assert ("unknown variable 'item_id' (captured by Create: send it first or run the collection, "
            "or set item_id in an environment)") in done.stdout
