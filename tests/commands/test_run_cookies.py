"""`streamdash run` and cookies: a run starts from an empty jar, a login's cookie goes to the
requests after it in the same run, and `--cookies FILE` carries the jar from one run to the next.
The real command in a subprocess, against httpbin (from PyPI) on 127.0.0.1."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.commands.test_run_ci import cli, write


@pytest.fixture
def coll(tmp_path, httpbin) -> Path:
    root = tmp_path / "c"
    write(root / "collection.toml", f'name = "c"\n[variables]\nbase_url = "{httpbin.url}"\n')
    write(root / "01-login.toml", 'name = "login"\nurl = "{{base_url}}/cookies/set?session=s3cr3tvalue"\n')
    write(root / "02-whoami.toml",
          'name = "whoami"\nurl = "{{base_url}}/cookies"\n'
          '[[check]]\njson = "cookies.session"\nequals = "s3cr3tvalue"\n')
    return root


def test_a_login_cookie_goes_to_the_next_request_of_the_run(coll):
    done = cli(coll)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "sent 1 cookie from the jar (session)" in done.stdout
    assert "s3cr3tvalue" not in done.stdout + done.stderr


def test_a_run_starts_from_an_empty_jar(coll):
    done = cli(coll, "whoami")
    assert done.returncode == 1
    assert "FAIL" in done.stdout


def test_cookies_file_carries_the_jar_to_the_next_run(coll, tmp_path):
    jar = tmp_path / "jar.txt"
    first = cli(coll, "login", "--cookies", jar)
    assert first.returncode == 0, first.stdout + first.stderr
    assert stat.S_IMODE(jar.stat().st_mode) == 0o600
    assert "\tsession\ts3cr3tvalue" in jar.read_text()
    second = cli(coll, "--cookies", jar, "whoami")
    assert second.returncode == 0, second.stdout + second.stderr


def test_a_bad_cookies_file_is_exit_2_with_one_line(coll, tmp_path):
    jar = tmp_path / "jar.txt"
    jar.write_text("<html>not cookies</html>\n")
    done = cli(coll, "--cookies", jar)
    assert done.returncode == 2
    assert done.stderr.strip() == f"streamdash run: {jar}:1: not a Netscape cookies file (want 7 " \
        "tab-separated fields: domain, subdomains, path, secure, expiry, name, value)"
    assert jar.read_text() == "<html>not cookies</html>\n"  # left as it was


def test_cookies_false_in_the_collection_sends_none(coll):
    text = (coll / "collection.toml").read_text()
    (coll / "collection.toml").write_text(text.replace('name = "c"\n', 'name = "c"\ncookies = false\n'))
    done = cli(coll)
    assert done.returncode == 1
    assert "sent 1 cookie" not in done.stdout
