"""An OAuth2 authorization server for the grant tests, under uvicorn: password, refresh_token
(rotating refresh tokens), client credentials for a public client, and the device authorization
grant (RFC 8628) whose polls answer a scripted sequence (pending, slow_down, then a token, a
denial or an expiry). `/api` wants a live bearer token."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.helpers.threaded_app import ThreadedApp

CLIENT_ID = "cli-app"
USER, PASSWORD = "ada", "pw-of-ada"


@dataclass
class State:
    expires_in: int = 3600
    refresh_ok: bool = True
    rotate: bool = True
    device_script: list[str] = field(default_factory=lambda: ["authorization_pending", "slow_down", "ok"])
    device_polls: list[float] = field(default_factory=list)  # time.monotonic() of each poll
    forms: list[dict[str, str]] = field(default_factory=list)
    live: dict[str, float] = field(default_factory=dict)  # access token -> valid until
    refresh: set[str] = field(default_factory=set)
    counter: itertools.count = field(default_factory=lambda: itertools.count(1))

    def issue(self) -> dict[str, object]:
        n = next(self.counter)
        token, refresh = f"access-{n}", f"refresh-{n}"
        self.live[token] = time.time() + self.expires_in
        self.refresh.add(refresh)
        return {"access_token": token, "token_type": "Bearer", "expires_in": self.expires_in,
                "refresh_token": refresh}


def error(code: str, status: int = 400) -> Response:
    return JSONResponse({"error": code}, status_code=status)


def make_app(state: State) -> Starlette:
    async def token(request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode()))
        state.forms.append(form)
        if form.get("client_id") != CLIENT_ID:
            return error("invalid_client", 401)
        grant = form.get("grant_type")
        if grant == "password":
            if (form.get("username"), form.get("password")) != (USER, PASSWORD):
                return error("invalid_grant")
            return JSONResponse(state.issue())
        if grant == "refresh_token":
            old = form.get("refresh_token", "")
            if not state.refresh_ok or old not in state.refresh:
                return error("invalid_grant")
            if state.rotate:
                state.refresh.discard(old)
            return JSONResponse(state.issue())
        if grant == "urn:ietf:params:oauth:grant-type:device_code":
            state.device_polls.append(time.monotonic())
            outcome = state.device_script.pop(0) if state.device_script else "ok"
            if outcome == "ok":
                return JSONResponse(state.issue())
            return error(outcome)
        return error("unsupported_grant_type")

    async def device(request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode()))
        state.forms.append(form)
        if form.get("client_id") != CLIENT_ID:
            return error("invalid_client", 401)
        return JSONResponse({"device_code": "dev-code-1", "user_code": "WDJB-MJHT", "expires_in": 600,
                             "verification_uri": "https://example.com/device", "interval": 0.05})

    async def api(request: Request) -> Response:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        if scheme != "Bearer" or state.live.get(value, 0) < time.time():
            return Response("no", status_code=401)
        return JSONResponse({"ok": True, "token": value})

    return Starlette(routes=[Route("/token", token, methods=["POST"]), Route("/device", device, methods=["POST"]),
                             Route("/api", api)])


class OAuthServer(ThreadedApp):
    what = "OAuth2 test server"

    def __init__(self) -> None:
        self.state = State()
        super().__init__(make_app(self.state))
