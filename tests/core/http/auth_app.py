"""A small auth test server: basic, bearer, real RFC 7616 MD5 digest, an OAuth2 token endpoint."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote_plus

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.helpers.threaded_app import ThreadedApp

USER, PASSWORD = "alice", "s3cret:pw"
BEARER = "static-bearer-token"
REALM = "streamdash-test"
CLIENT_ID, CLIENT_SECRET = "my client", "client&secret"


@dataclass
class State:
    expires_in: int | None = 3600
    fail_token: bool = False  # answer 401 invalid_client regardless
    token_calls: int = 0
    token_forms: list[dict[str, str]] = field(default_factory=list)
    tokens: dict[str, float] = field(default_factory=dict)  # token -> valid until (time.time)
    api_calls: list[str | None] = field(default_factory=list)  # the Authorization each time
    nonces: set[str] = field(default_factory=set)

    def expire_tokens(self) -> None:
        self.tokens.clear()


def _unauthorized(challenge: str) -> Response:
    return Response("unauthorized", status_code=401, headers={"WWW-Authenticate": challenge})


def _basic(request: Request) -> tuple[str, str] | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, _, pw = base64.b64decode(value).decode("utf-8").partition(":")
    except ValueError:
        return None
    return user, pw


def make_app(state: State) -> Starlette:
    async def basic(request: Request) -> Response:
        if _basic(request) != (USER, PASSWORD):
            return _unauthorized(f'Basic realm="{REALM}"')
        return JSONResponse({"ok": True, "user": USER})

    async def bearer(request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {BEARER}":
            return _unauthorized('Bearer error="invalid_token"')
        return JSONResponse({"ok": True})

    async def digest(request: Request) -> Response:
        """RFC 7616 MD5 digest; under /digest-int only qop=auth-int is offered, whose H(A2) covers
        the body: H(method:uri:H(body))."""
        qop = "auth-int" if request.url.path.endswith("-int") else "auth"
        header = request.headers.get("authorization", "")
        if header.lower().startswith("digest "):
            params = {
                k.lower(): v1 if v1 else v2
                for k, v1, v2 in re.findall(r'(\w+)=(?:"([^"]*)"|([^\s,]*))', header[7:])
            }
            uri = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            if (
                params.get("username") == USER
                and params.get("realm") == REALM
                and params.get("nonce") in state.nonces
                and params.get("uri") == uri
                and params.get("qop") == qop
            ):
                md5 = lambda s: hashlib.md5(s.encode()).hexdigest()  # noqa: E731
                ha1 = md5(f"{USER}:{REALM}:{PASSWORD}")
                a2 = f"{request.method}:{uri}"
                if qop == "auth-int":
                    a2 += ":" + hashlib.md5(await request.body()).hexdigest()
                ha2 = md5(a2)
                expected = md5(f"{ha1}:{params['nonce']}:{params.get('nc')}:{params.get('cnonce')}:{qop}:{ha2}")
                if secrets.compare_digest(expected, params.get("response", "")):
                    return JSONResponse({"ok": True, "user": USER, "body": (await request.body()).decode()})
        nonce = secrets.token_hex(16)
        state.nonces.add(nonce)
        return _unauthorized(f'Digest realm="{REALM}", nonce="{nonce}", qop="{qop}", algorithm=MD5, opaque="xyz"')

    async def token(request: Request) -> Response:
        state.token_calls += 1
        form = dict(parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True))
        state.token_forms.append(form)
        if state.fail_token or _basic(request) is None:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        client_id, secret = (unquote_plus(part) for part in _basic(request))  # type: ignore[union-attr]
        if (client_id, secret) != (CLIENT_ID, CLIENT_SECRET):
            return JSONResponse({"error": "invalid_client", "error_description": "bad client credentials"},
                                status_code=401)
        if form.get("grant_type") != "client_credentials":
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        access = f"tok-{state.token_calls}-{secrets.token_hex(4)}"
        lifetime = state.expires_in if state.expires_in is not None else 10**6
        state.tokens[access] = time.time() + lifetime
        body: dict[str, object] = {"access_token": access, "token_type": "bearer"}
        if state.expires_in is not None:
            body["expires_in"] = state.expires_in
        return JSONResponse(body)

    async def api(request: Request) -> Response:
        header = request.headers.get("authorization")
        state.api_calls.append(header)
        scheme, _, value = (header or "").partition(" ")
        until = state.tokens.get(value) if scheme == "Bearer" else None
        if until is None or time.time() >= until:
            return _unauthorized('Bearer error="invalid_token"')
        return JSONResponse({"ok": True, "token": value})

    async def redirect(request: Request) -> Response:
        return Response(status_code=302, headers={"Location": request.query_params["to"]})

    return Starlette(routes=[
        Route("/redirect", redirect, methods=["GET", "POST"]),
        Route("/basic", basic, methods=["GET", "POST"]),
        Route("/bearer", bearer),
        Route("/digest", digest, methods=["GET", "POST"]),
        Route("/digest-int", digest, methods=["GET", "POST", "PUT"]),
        Route("/token", token, methods=["POST"]),
        Route("/api", api, methods=["GET", "POST"]),
    ])


class AuthServer(ThreadedApp):
    """The app under uvicorn on its own thread, on a pre-bound free port of 127.0.0.1."""

    what = "auth test server"

    def __init__(self) -> None:
        self.state = State()
        super().__init__(make_app(self.state))

    def reset(self) -> State:
        self.state.__init__()  # type: ignore[misc]
        return self.state
