"""Timeouts across the curl boundary: copy as curl writes a request's own timeouts, a pasted curl
command's --connect-timeout / --max-time / --speed-time become the request's, and the copied
command, run by the real curl against a server that never answers, gives up as the app does."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time

import pytest

from streamdash.core.collections import SavedRequest
from streamdash.core.collections.curl import CurlError, parse_curl
from streamdash.core.http.as_curl import as_curl
from streamdash.core.http.prepare import prepare
from tests.helpers.raw_server import Conn, RawServer


def test_a_pasted_commands_timeouts_become_the_requests():
    request = parse_curl("curl --connect-timeout 2 -m 5 https://api.example.com/x")
    assert (request.extra["connect_timeout"], request.extra["timeout"]) == (2, 5)
    assert parse_curl("curl --speed-limit 1 --speed-time 0.5 https://h/").extra["timeout"] == 0.5
    with pytest.raises(CurlError, match="--max-time wants seconds, not 'soon'"):
        parse_curl("curl --max-time soon https://h/")
    with pytest.raises(CurlError, match="wants seconds > 0"):
        parse_curl("curl -m 0 https://h/")


def test_copy_as_curl_writes_only_the_timeouts_that_were_set_and_they_round_trip():
    plain = as_curl(prepare(SavedRequest(name="a", url="https://h/a"), {})).text
    assert "--connect-timeout" not in plain and "--speed-time" not in plain
    own = SavedRequest(name="a", url="https://h/a", extra={"timeout": 0.5, "connect_timeout": 2})
    text = as_curl(prepare(own, {})).text
    assert "--connect-timeout 2" in text and "--speed-limit 1 --speed-time 0.5" in text
    back = parse_curl(text)
    assert (back.extra["timeout"], back.extra["connect_timeout"]) == (0.5, 2)
    stream = SavedRequest(name="s", kind="sse", url="https://h/s", extra={"timeout": 0.5})
    assert "--speed-time" not in as_curl(prepare(stream, {})).text


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs the curl command")
def test_the_copied_command_gives_up_on_a_silent_server_like_the_app(raw_server: RawServer):
    async def never_answer(conn: Conn) -> None:
        await asyncio.sleep(30)

    raw_server.handler = never_answer
    own = SavedRequest(name="a", url=raw_server.url + "/slow", extra={"timeout": 1})
    command = as_curl(prepare(own, {})).text
    start = time.monotonic()
    done = subprocess.run(["sh", "-c", command + " -s"], capture_output=True, timeout=20,
                          env={"PATH": "/usr/bin:/bin", "NO_PROXY": "*"})
    took = time.monotonic() - start
    assert done.returncode == 28  # curl: operation timed out
    assert took < 10
