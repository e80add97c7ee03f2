"""`type = "command"` auth: a command whose standard output is the token (`gh auth token`,
`gcloud auth print-access-token`, `vault read -field=token ...`), run without a shell.

The token is cached in memory for `ttl` seconds (default 300) and sent as
`Authorization: Bearer <token>` (`header` and `scheme` change that: `scheme = ""` sends the bare
token, for an `X-API-Key`). The command runs off the event loop's back (an asyncio subprocess,
stdin closed) with a 10 s limit; a failure is one line naming the command and the last line it
wrote to stderr, never its stdout (that would be a token). A 401 runs it again once.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncGenerator, Generator, Sequence

import httpx

from streamdash.core.http.tokens import AuthError, TokenCache, TokenEndpointError, TokenKey

__all__ = ["COMMAND_TIMEOUT_S", "DEFAULT_COMMAND_TTL", "CommandAuth"]

COMMAND_TIMEOUT_S = 10.0
DEFAULT_COMMAND_TTL = 300.0
_STDOUT_CAP = 64 * 1024


class CommandAuth(httpx.Auth):
    def __init__(
        self,
        argv: Sequence[str],
        *,
        cache: TokenCache,
        ttl: float = DEFAULT_COMMAND_TTL,
        header: str = "Authorization",
        scheme: str = "Bearer",
        timeout: float = COMMAND_TIMEOUT_S,
    ) -> None:
        self.argv = tuple(argv)
        self.cache = cache
        self.ttl = ttl
        self.header = header
        self.scheme = scheme
        self.timeout = timeout
        self.key: TokenKey = ("command", *self.argv)

    def __repr__(self) -> str:
        return f"CommandAuth({self.argv[0]!r})"

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        raise AuthError("command auth needs an httpx.AsyncClient")

    def _name(self) -> str:
        return os.path.basename(self.argv[0])

    async def run(self) -> str:
        """Run the command; its first line of output is the token (cached). Raises TokenEndpointError."""
        name = self._name()
        try:
            process = await asyncio.create_subprocess_exec(
                *self.argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
        except OSError as exc:
            raise TokenEndpointError(f"auth command {name}: cannot run it: {exc.strerror or exc}") from None
        try:
            out, err = await asyncio.wait_for(process.communicate(), self.timeout)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise TokenEndpointError(f"auth command {name}: no token after {self.timeout:g} s: stopped") from None
        last = next((line for line in reversed(err.decode("utf-8", "replace").splitlines()) if line.strip()), "")
        if process.returncode != 0:
            said = f": {' '.join(last.split())[:200]}" if last else ""
            raise TokenEndpointError(f"auth command {name} exited {process.returncode}{said}")
        token = out[:_STDOUT_CAP].decode("utf-8", "replace").strip().splitlines()
        if not token or not token[0].strip():
            raise TokenEndpointError(f"auth command {name} printed no token")
        value = token[0].strip()
        self.cache.put(self.key, value, self.ttl)
        return value

    def _apply(self, request: httpx.Request, token: str) -> None:
        request.headers[self.header] = f"{self.scheme} {token}" if self.scheme else token

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        lock = self.cache.lock(self.key)
        async with lock:
            token = self.cache.get(self.key) or await self.run()
        self._apply(request, token)
        response = yield request
        if response.status_code != 401:
            return
        async with lock:  # a stale token: the command once more, one retry
            current = self.cache.get(self.key)
            if current is None or current == token:
                self.cache.forget(self.key, token)
                current = await self.run()
        self._apply(request, current)
        yield request
