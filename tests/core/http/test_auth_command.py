"""`type = "command"` auth with real commands (small Python scripts the tests write, run with
this interpreter) against a real server: the token is the command's output, cached for its
TTL, run again after it or on a 401; a failing command is one line that never shows stdout."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from streamdash.core.collections import SavedRequest
from streamdash.core.http.auth import parse_auth
from streamdash.core.http.execute import Executor
from streamdash.core.http.tokens import TokenCache
from streamdash.core.http.transport import ClientPool
from tests.helpers.raw_server import Conn, RawServer


def script(tmp_path: Path, body: str) -> list[str]:
    path = tmp_path / "token.py"
    path.write_text("import sys, pathlib\n" + body)
    return [sys.executable, str(path)]


@pytest.fixture
def echo(raw_server: RawServer) -> RawServer:
    async def handler(conn: Conn) -> None:
        seen = conn.request.header("Authorization") or ""
        status = 401 if seen.endswith("stale") else 200
        body = seen.encode()
        await conn.start(status, {"Content-Length": str(len(body))}, content_type="text/plain")
        await conn.send(body)
        await conn.end()

    raw_server.handler = handler
    return raw_server


class Clock:
    now = 1000.0

    def __call__(self) -> float:
        return self.now


def counting(tmp_path: Path, tokens: str = "") -> list[str]:
    """A command that prints tok-1, tok-2... (one more each run), counting its runs in a file."""
    return script(tmp_path, (
        "p = pathlib.Path(sys.argv[0]).with_suffix('.count')\n"
        "n = int(p.read_text()) + 1 if p.exists() else 1\n"
        "p.write_text(str(n))\n"
        f"names = {tokens.split() or None!r}\n"
        "print(names[n - 1] if names else f'tok-{n}')\n"
    ))


async def send(executor: Executor, echo: RawServer, auth: dict) -> str:
    done = await executor.run(SavedRequest(name="r", url=echo.url + "/r", extra={"auth": auth}), {})
    return done.summary.error or done.summary.text()


async def test_the_token_is_the_commands_output_cached_for_its_ttl(tmp_path, echo):
    executor = Executor(ClientPool())
    clock = Clock()
    executor.tokens = TokenCache(clock=clock)
    auth = {"type": "command", "command": counting(tmp_path), "ttl": 60}
    assert await send(executor, echo, auth) == "Bearer tok-1"
    assert await send(executor, echo, auth) == "Bearer tok-1"  # cached
    clock.now += 61
    assert await send(executor, echo, auth) == "Bearer tok-2"  # the TTL ran out: run again
    assert "tok-2" in executor.secrets_of(executor.prepare(SavedRequest(name="r", url=echo.url), {}))
    await executor.aclose()


async def test_a_401_runs_the_command_again_once(tmp_path, echo):
    executor = Executor(ClientPool())
    auth = {"type": "command", "command": counting(tmp_path, "stale fresh"), "ttl": 600}
    assert await send(executor, echo, auth) == "Bearer fresh"
    await executor.aclose()


async def test_a_header_and_scheme_of_its_own_and_a_string_command(tmp_path, echo):
    executor = Executor(ClientPool())
    command = " ".join(script(tmp_path, "print('k-123')"))
    done = await executor.run(SavedRequest(name="r", url=echo.url, extra={"auth": {
        "type": "command", "command": command, "header": "Authorization", "scheme": "Token"}}), {})
    assert done.summary.text() == "Token k-123"
    await executor.aclose()


@pytest.mark.parametrize(("body", "reason"), [
    ("print('SECRET-OUT'); print('vault: permission denied', file=sys.stderr); sys.exit(3)",
     "auth command {name} exited 3: vault: permission denied"),
    ("pass", "auth command {name} printed no token"),
])
async def test_a_failing_command_is_one_line_without_its_stdout(tmp_path, echo, body, reason):
    executor = Executor(ClientPool())
    argv = script(tmp_path, body)
    error = await send(executor, echo, {"type": "command", "command": argv})
    assert error == reason.format(name=Path(argv[0]).name)
    assert "SECRET-OUT" not in error
    await executor.aclose()


async def test_a_command_that_hangs_is_stopped(tmp_path, echo):
    import streamdash.core.http.auth_command as module

    executor = Executor(ClientPool())
    config = parse_auth({"type": "command", "command": script(tmp_path, "import time; time.sleep(30)")}, "t")
    auth = module.CommandAuth(config.command, cache=executor.tokens, timeout=0.5)
    with pytest.raises(module.TokenEndpointError, match=r"no token after 0.5 s: stopped"):
        await auth.run()
    await executor.aclose()


async def test_a_missing_program_is_one_line(echo):
    executor = Executor(ClientPool())
    error = await send(executor, echo, {"type": "command", "command": ["/nonexistent/gh", "auth", "token"]})
    assert error.startswith("auth command gh: cannot run it: ")
    await executor.aclose()
