"""Request authentication: basic, digest, bearer and OAuth2 client credentials.

Auth is a TOML table, per request or as a collection default; the caller passes the dict:

    {type = "basic",  username = "...", password = "{{env:PW}}"}
    {type = "digest", username = "...", password = "..."}
    {type = "bearer", token = "{{env:TOKEN}}"}
    {type = "oauth2", grant = "client_credentials", token_url = "...", client_id = "...",
     client_secret = "{{env:SECRET}}", scope = "optional", audience = "optional"}
    {type = "none"}   # switch a collection default off for one request

`parse_auth` validates (one-line `AuthError` naming the field and where it was written);
`render_auth` fills the values in (`{{name}}`, `{{env:NAME}}`) and `auth_for` returns the
`httpx.Auth` that sends them.

OAuth2 decisions:
- The token request is yielded from the auth flow, so it goes through the *same* client (its
  transport, proxies, TLS settings and timeouts) and needs no second client to manage or close.
  Only the token response's body is read here; API responses stay streamed (SSE keeps working).
- The client id/secret go in HTTP Basic (RFC 6749 section 2.3.1, form-encoded first).
- Tokens live only in the in-memory `TokenCache`, never on disk. A token is used until
  `expires_in` minus a margin (10% of its lifetime, at most 30 s); without `expires_in` it is used
  until the API answers 401.
- On a 401 from the API the token is fetched again once and the request retried once; a second
  401 is returned as it is. Concurrent requests share one fetch (an `asyncio.Lock` per key).
- A failing token endpoint raises `TokenEndpointError`, an `AuthError` that is also an
  `httpx.RequestError`, so `send()` turns it into a summary `error` like any transport failure.
- OAuth2 works with `httpx.AsyncClient` only (the cache lock is an asyncio lock).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import time
from base64 import b64encode
from collections import deque
from collections.abc import AsyncGenerator, Callable, Generator, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, cast
from urllib.parse import quote_plus
from urllib.request import parse_http_list, parse_keqv_list

import httpx

from streamdash.core.collections.template import MissingVariable, Renderer

__all__ = [
    "AuthConfig",
    "AuthError",
    "BasicAuthConfig",
    "BearerAuth",
    "BearerAuthConfig",
    "DigestAuth",
    "DigestAuthConfig",
    "NoAuthConfig",
    "OAuth2ClientCredentials",
    "OAuth2Config",
    "TokenCache",
    "TokenEndpointError",
    "auth_for",
    "build_auth",
    "parse_auth",
    "render_auth",
]

EXPIRY_MARGIN_S = 30.0
ISSUED_KEPT = 64
EXPIRY_MARGIN_FRACTION = 0.1
_MAX_REASON_CHARS = 200


class AuthError(ValueError):
    """Bad auth configuration or a failed token fetch. `str()` is one line."""


class TokenEndpointError(AuthError, httpx.RequestError):
    """The OAuth2 token endpoint failed or answered nonsense."""

    def __init__(self, message: str, *, request: httpx.Request | None = None) -> None:
        ValueError.__init__(self, message)
        self._request = request


# --- configuration -------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoAuthConfig:
    where: str = ""
    type: str = "none"


@dataclass(frozen=True)
class BasicAuthConfig:
    username: str
    password: str
    where: str = ""
    type: str = "basic"


@dataclass(frozen=True)
class DigestAuthConfig:
    username: str
    password: str
    where: str = ""
    type: str = "digest"


@dataclass(frozen=True)
class BearerAuthConfig:
    token: str
    where: str = ""
    type: str = "bearer"


@dataclass(frozen=True)
class OAuth2Config:
    token_url: str
    client_id: str
    client_secret: str
    scope: str | None = None
    audience: str | None = None
    grant: str = "client_credentials"
    where: str = ""
    type: str = "oauth2"


AuthConfig = NoAuthConfig | BasicAuthConfig | DigestAuthConfig | BearerAuthConfig | OAuth2Config

# type -> (config class, required fields, optional fields)
_SCHEMES: dict[str, tuple[Callable[..., AuthConfig], tuple[str, ...], tuple[str, ...]]] = {
    "none": (NoAuthConfig, (), ()),
    "basic": (BasicAuthConfig, ("username", "password"), ()),
    "digest": (DigestAuthConfig, ("username", "password"), ()),
    "bearer": (BearerAuthConfig, ("token",), ()),
    "oauth2": (OAuth2Config, ("token_url", "client_id", "client_secret"), ("scope", "audience", "grant")),
}
_GRANTS = ("client_credentials",)
_NON_EMPTY = ("token", "token_url", "client_id")


def parse_auth(table: Mapping[str, Any], where: str) -> AuthConfig:
    """Validate an auth table; `where` (a file path, a request name) goes into every error."""

    def fail(reason: str) -> AuthError:
        return AuthError(f"{where}: auth: {reason}" if where else f"auth: {reason}")

    if not isinstance(table, Mapping):
        raise fail(f"expected a table, got {type(table).__name__}")
    kind = table.get("type")
    if kind is None:
        raise fail("missing field 'type' (one of: " + ", ".join(_SCHEMES) + ")")
    if not isinstance(kind, str) or kind.strip().lower() not in _SCHEMES:
        raise fail(f"unknown type {kind!r} (one of: " + ", ".join(_SCHEMES) + ")")
    kind = kind.strip().lower()
    cls, required, optional = _SCHEMES[kind]
    unknown = [key for key in table if key not in ("type", *required, *optional)]
    if unknown:
        allowed = ", ".join(("type", *required, *optional))
        raise fail(f"unknown field '{unknown[0]}' for type '{kind}' (allowed: {allowed})")
    values: dict[str, str] = {}
    for name in (*required, *optional):
        if name not in table:
            if name in required:
                raise fail(f"missing field '{name}' for type '{kind}'")
            continue
        value = table[name]
        if not isinstance(value, str):
            raise fail(f"field '{name}' must be a string, got {type(value).__name__}")
        if name in _NON_EMPTY and not value.strip():
            raise fail(f"field '{name}' is empty")
        values[name] = value
    if kind == "oauth2":
        grant = values.get("grant", "client_credentials").strip().lower()
        if grant not in _GRANTS:
            raise fail(f"unsupported grant {values['grant']!r} (supported: client_credentials)")
        values["grant"] = grant
    return cls(**values, where=where)


# --- building httpx.Auth -------------------------------------------------------------------------


def render_auth(config: AuthConfig, fill: Callable[[str], str]) -> AuthConfig:
    """The config with its values filled in by `fill` (a `Renderer`); a missing variable is an
    `AuthError` naming the field and where it was written."""
    values: dict[str, str] = {}
    for item in fields(config):
        value = getattr(config, item.name)
        if item.name in ("where", "type", "grant") or value is None:
            continue
        try:
            values[item.name] = fill(value)
        except MissingVariable as exc:
            where = f"{config.where}: " if config.where else ""
            raise AuthError(f"{where}auth.{item.name}: {MissingVariable(exc.name)}") from None
    rendered: AuthConfig = replace(cast(Any, config), **values)  # one of the union's dataclasses
    return rendered


def auth_for(config: AuthConfig, tokens: TokenCache) -> httpx.Auth | None:
    """The `httpx.Auth` that sends a rendered config (None for `type = "none"`)."""
    match config:
        case NoAuthConfig():
            return None
        case BasicAuthConfig():
            return httpx.BasicAuth(config.username, config.password)
        case DigestAuthConfig():
            return DigestAuth(config.username, config.password)
        case BearerAuthConfig():
            return BearerAuth(config.token)
        case OAuth2Config():
            return OAuth2ClientCredentials(
                token_url=config.token_url,
                client_id=config.client_id,
                client_secret=config.client_secret,
                scope=config.scope,
                audience=config.audience,
                cache=tokens,
            )
    raise AuthError(f"unsupported auth config {config!r}")


def build_auth(
    config: AuthConfig, variables: Mapping[str, str], tokens: TokenCache
) -> httpx.Auth | None:
    """`render_auth` with these variables, then `auth_for`."""
    return auth_for(render_auth(config, Renderer(variables)), tokens)


class BearerAuth(httpx.Auth):
    """`Authorization: Bearer <token>` on every request."""

    def __init__(self, token: str) -> None:
        self._header = f"Bearer {token}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request


# --- digest ------------------------------------------------------------------------------------

_DIGESTS: dict[str, Callable[[bytes], Any]] = {
    "MD5": hashlib.md5,
    "SHA": hashlib.sha1,
    "SHA-256": hashlib.sha256,
    "SHA-512": hashlib.sha512,
    "SHA-512-256": lambda data: hashlib.new("sha512_256", data),
}


@dataclass(frozen=True)
class _Challenge:
    realm: str
    nonce: str
    algorithm: str
    opaque: str | None
    qop: str | None  # the one we answer with: "auth", "auth-int" or None (RFC 2069)


class DigestAuth(httpx.Auth):
    """RFC 7616 digest with qop "auth" and "auth-int". Our own, because httpx's DigestAuth raises
    NotImplementedError for a server that offers only auth-int (and a send must never raise)."""

    requires_request_body = True  # auth-int hashes the body

    def __init__(self, username: str, password: str) -> None:
        self._username = username
        self._password = password
        self._challenge: _Challenge | None = None
        self._nonce_count = 0

    def __repr__(self) -> str:  # never show the password
        return f"DigestAuth(username={self._username!r})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._challenge is not None:  # a nonce from an earlier answer: no extra round trip
            request.headers["Authorization"] = self._header(request, self._challenge)
        response = yield request
        if response.status_code != 401:
            return
        challenge = next(
            (
                _parse_challenge(value)
                for value in response.headers.get_list("www-authenticate")
                if value[:7].lower() == "digest "
            ),
            None,
        )
        if challenge is None:
            return  # not a digest challenge: the 401 stands
        self._challenge, self._nonce_count = challenge, 0
        request.headers["Authorization"] = self._header(request, challenge)
        if response.cookies:
            httpx.Cookies(response.cookies).set_cookie_header(request=request)
        yield request

    def _header(self, request: httpx.Request, challenge: _Challenge) -> str:
        algorithm = challenge.algorithm.upper()
        session = algorithm.endswith("-SESS")
        digest = _DIGESTS[algorithm.removesuffix("-SESS")]

        def h(data: str | bytes) -> str:
            return str(digest(data.encode("utf-8") if isinstance(data, str) else data).hexdigest())

        self._nonce_count += 1
        nc = f"{self._nonce_count:08x}"
        cnonce = os.urandom(8).hex()
        uri = request.url.raw_path.decode("ascii")
        ha1 = h(f"{self._username}:{challenge.realm}:{self._password}")
        if session:
            ha1 = h(f"{ha1}:{challenge.nonce}:{cnonce}")
        a2 = f"{request.method}:{uri}"
        if challenge.qop == "auth-int":
            a2 += ":" + h(request.content)  # RFC 7616 3.4.3: H(method:uri:H(entity-body))
        if challenge.qop is None:
            response = h(f"{ha1}:{challenge.nonce}:{h(a2)}")
        else:
            response = h(f"{ha1}:{challenge.nonce}:{nc}:{cnonce}:{challenge.qop}:{h(a2)}")
        fields = [
            f'username="{_quoted(self._username)}"',
            f'realm="{_quoted(challenge.realm)}"',
            f'nonce="{_quoted(challenge.nonce)}"',
            f'uri="{_quoted(uri)}"',
            f'response="{response}"',
            f"algorithm={challenge.algorithm}",
        ]
        if challenge.opaque is not None:
            fields.append(f'opaque="{_quoted(challenge.opaque)}"')
        if challenge.qop is not None:
            fields += [f"qop={challenge.qop}", f"nc={nc}", f'cnonce="{cnonce}"']
        return "Digest " + ", ".join(fields)


def _quoted(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _parse_challenge(header: str) -> _Challenge:
    """`Digest realm="..", nonce="..", qop="auth,auth-int"`; a challenge we cannot answer is an
    `AuthError` (one line), never a guess."""
    fields = {key.lower(): value for key, value in parse_keqv_list(parse_http_list(header[7:])).items()}
    if "realm" not in fields or "nonce" not in fields:
        raise AuthError("digest: the server's challenge has no realm or nonce")
    algorithm = fields.get("algorithm", "MD5")
    if algorithm.upper().removesuffix("-SESS") not in _DIGESTS:
        raise AuthError(f"digest: unsupported algorithm {algorithm!r}")
    qop = None
    if "qop" in fields:
        offered = {part.strip().lower() for part in fields["qop"].split(",")}
        if "auth" in offered:
            qop = "auth"  # what httpx answered before: the body need not be hashed
        elif "auth-int" in offered:
            qop = "auth-int"
        else:
            raise AuthError(f"digest: unsupported qop {fields['qop']!r}")
    return _Challenge(fields["realm"], fields["nonce"], algorithm, fields.get("opaque"), qop)


# --- OAuth2 client credentials -------------------------------------------------------------------

TokenKey = tuple[str, str, str | None, str | None]  # (token_url, client_id, scope, audience)


class TokenCache:
    """OAuth2 access tokens in memory only (never written anywhere), one per key.

    Keyed by (token_url, client_id, scope, audience). Meant for one event loop: `lock(key)` is an
    `asyncio.Lock` held while a token is fetched, so concurrent requests fetch once.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._tokens: dict[TokenKey, tuple[str, float]] = {}  # key -> (token, use until)
        self._locks: dict[TokenKey, asyncio.Lock] = {}
        # The latest tokens fetched, expired ones included (an old one may still be echoed):
        # secrets known by value, for masking. Bounded, like everything a server can grow.
        self._issued: deque[str] = deque(maxlen=ISSUED_KEPT)

    def get(self, key: TokenKey) -> str | None:
        """The cached token if it is still good, else None."""
        entry = self._tokens.get(key)
        if entry is None:
            return None
        token, until = entry
        if self._clock() >= until:
            del self._tokens[key]
            return None
        return token

    def put(self, key: TokenKey, token: str, expires_in: float | None) -> None:
        if expires_in is None:
            until = float("inf")
        else:
            margin = min(EXPIRY_MARGIN_S, expires_in * EXPIRY_MARGIN_FRACTION)
            until = self._clock() + expires_in - margin
        self._tokens[key] = (token, until)
        if token not in self._issued:
            self._issued.append(token)

    def issued(self) -> frozenset[str]:
        """The latest tokens this cache was given (at most `ISSUED_KEPT`): secrets to mask."""
        return frozenset(self._issued)

    def forget(self, key: TokenKey, token: str | None = None) -> None:
        """Drop the key's token (only if it is still `token`, when given)."""
        entry = self._tokens.get(key)
        if entry is not None and (token is None or entry[0] == token):
            del self._tokens[key]

    def clear(self) -> None:
        self._tokens.clear()

    def lock(self, key: TokenKey) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        return lock

    def size(self) -> int:
        """How many tokens are held (not `__len__`: an empty cache must not be falsy)."""
        return len(self._tokens)

    def __repr__(self) -> str:  # never show tokens
        return f"TokenCache({len(self._tokens)} token(s))"


class OAuth2ClientCredentials(httpx.Auth):
    """Client-credentials grant; see the module docstring for the decisions. AsyncClient only."""

    def __init__(
        self,
        *,
        token_url: str,
        client_id: str,
        client_secret: str,
        scope: str | None = None,
        audience: str | None = None,
        cache: TokenCache,
    ) -> None:
        self.token_url = token_url
        self.client_id = client_id
        self._client_secret = client_secret
        self.scope = scope
        self.audience = audience
        self.cache = cache
        self.key: TokenKey = (token_url, client_id, scope, audience)

    def __repr__(self) -> str:
        return f"OAuth2ClientCredentials(token_url={self.token_url!r}, client_id={self.client_id!r})"

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        raise AuthError("oauth2 auth needs an httpx.AsyncClient")

    def token_request(self) -> httpx.Request:
        form = {"grant_type": "client_credentials"}
        if self.scope:
            form["scope"] = self.scope
        if self.audience:
            form["audience"] = self.audience
        request = httpx.Request("POST", self.token_url, data=form, headers={"Accept": "application/json"})
        # RFC 6749 2.3.1: id and secret are form-urlencoded before going into HTTP Basic.
        pair = f"{quote_plus(self.client_id)}:{quote_plus(self._client_secret)}"
        request.headers["Authorization"] = "Basic " + b64encode(pair.encode("utf-8")).decode("ascii")
        return request

    async def _accept(self, response: httpx.Response) -> str:
        """Read the token response, cache the token and return it (or raise TokenEndpointError)."""
        await response.aread()
        where = f"token endpoint {self.token_url}"
        if not response.is_success:
            reason = _error_reason(response)
            raise TokenEndpointError(f"{where} answered {response.status_code}: {reason}", request=response.request)
        try:
            data = json.loads(response.content)
        except ValueError:
            raise TokenEndpointError(f"{where} answered {response.status_code} without JSON", request=response.request) from None
        token = data.get("access_token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise TokenEndpointError(f"{where} answered without an access_token", request=response.request)
        expires_in: float | None
        try:
            expires_in = float(data["expires_in"])
        except (KeyError, TypeError, ValueError):
            expires_in = None
        self.cache.put(self.key, token, expires_in)
        return token

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        lock = self.cache.lock(self.key)
        async with lock:
            token = self.cache.get(self.key)
            if token is None:
                token = await self._accept((yield self.token_request()))
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code != 401:
            return
        # Rejected: fetch a new token once (unless another request already did) and retry once.
        async with lock:
            current = self.cache.get(self.key)
            if current is None or current == token:
                self.cache.forget(self.key, token)
                current = await self._accept((yield self.token_request()))
        request.headers["Authorization"] = f"Bearer {current}"
        yield request


def _error_reason(response: httpx.Response) -> str:
    """`error` (and `error_description`) from an RFC 6749 error body, else the text, on one line."""
    reason = ""
    try:
        data = json.loads(response.content)
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        reason = data["error"]
        description = data.get("error_description")
        if isinstance(description, str) and description.strip():
            reason += f" ({description})"
    elif response.content:
        reason = response.content.decode("utf-8", "replace")
    reason = " ".join(reason.split()) or response.reason_phrase or "no reason given"
    if len(reason) > _MAX_REASON_CHARS:
        reason = reason[: _MAX_REASON_CHARS - 1] + "…"
    return reason
