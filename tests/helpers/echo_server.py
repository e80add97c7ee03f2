"""A server that repeats secrets back, for the tests that prove streamdash never writes them.

- `/echo` (any method) answers JSON with the Authorization, Cookie and X-API-Key it got, the
  query and the body, and repeats the Authorization in an `X-Echo-Authorization` header;
  `?status=N` picks the status.
- `/token` is an OAuth2 client-credentials endpoint: a fresh `access_token` each call (kept in
  `issued`), any client credentials accepted.
- `/api` wants a Bearer token `/token` issued and echoes it back in its body.
- `/sse` is an event stream of one event; `?status=N` answers N with a text body instead.
Every request's headers are kept in `seen`, so a test can check what was really sent.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.helpers.threaded_app import ThreadedApp


@dataclass
class State:
    issued: list[str] = field(default_factory=list)
    seen: list[dict[str, str]] = field(default_factory=list)  # headers of each request, lowercased


def make_app(state: State) -> Starlette:
    def remember(request: Request) -> None:
        state.seen.append({k.lower(): v for k, v in request.headers.items()})

    async def echo(request: Request) -> Response:
        remember(request)
        body = (await request.body()).decode("utf-8", "replace")
        authorization = request.headers.get("authorization", "")
        document = {
            "authorization": authorization,
            "cookie": request.headers.get("cookie", ""),
            "x_api_key": request.headers.get("x-api-key", ""),
            "query": dict(request.query_params),
            "body": body,
        }
        status = int(request.query_params.get("status", "200"))
        return JSONResponse(document, status_code=status, headers={"X-Echo-Authorization": authorization})

    async def token(request: Request) -> Response:
        remember(request)
        access = "tok-" + secrets.token_hex(12)
        state.issued.append(access)
        return JSONResponse({"access_token": access, "token_type": "bearer", "expires_in": 3600})

    async def api(request: Request) -> Response:
        remember(request)
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        if scheme != "Bearer" or value not in state.issued:
            return JSONResponse({"error": "invalid_token"}, status_code=401)
        return JSONResponse({"ok": True, "token": value})

    async def sse(request: Request) -> Response:
        remember(request)
        status = int(request.query_params.get("status", "200"))
        if status != 200:
            return Response("no stream here", status_code=status)
        return Response("id: 1\ndata: hello\n\n", media_type="text/event-stream")

    return Starlette(routes=[
        Route("/echo", echo, methods=["GET", "POST", "PUT"]),
        Route("/token", token, methods=["POST"]),
        Route("/api", api, methods=["GET"]),
        Route("/sse", sse, methods=["GET", "POST"]),
    ])


class EchoServer(ThreadedApp):
    """The app under uvicorn on its own thread, on a pre-bound free port of 127.0.0.1."""

    what = "echo test server"

    def __init__(self) -> None:
        self.state = State()
        super().__init__(make_app(self.state))
